import type { ProcedureCode } from './procedures.js';
import type { WeightTaxBand } from './application.js';
import type { PaymentStage } from './statuses.js';

/** A fee or tax before it is given Pay-easy numbers. Money is integer yen. */
export interface FeeItem {
  readonly stage: PaymentStage;
  readonly feeKind: string;
  readonly feeClass: string;
  readonly amount: number;
  readonly payeeName: string;
  readonly payeeKana: string;
  readonly collectorNumber: string;
}

/** Half-width kana as Pay-easy transmits it (small kana written large, as banks do). */
const INSPECTION_BODY = { payeeName: '軽自動車検査協会', payeeKana: 'ｹｲｼﾞﾄﾞｳｼﾔｹﾝｻｷﾖｳｶｲ', collectorNumber: '00100' } as const;
const NALTEC = { payeeName: '自動車技術総合機構', payeeKana: 'ｼﾞﾄﾞｳｼﾔｷﾞｼﾞﾕﾂｿｳｺﾞｳｷｺｳ', collectorNumber: '00100' } as const;
const WEIGHT_TAX_PAYEE = { payeeName: '国（自動車重量税）', payeeKana: 'ｸﾆ(ｼﾞﾄﾞｳｼﾔｼﾞﾕｳﾘﾖｳｾﾞｲ)', collectorNumber: '00200' } as const;

/**
 * 検査手数料 and 技術情報管理手数料 for an online (OSS) application of a kei car, as the manual's
 * example shows them (¥1,100 and ¥400).
 */
export function inspectionFeeItems(): FeeItem[] {
  return [
    { stage: 'inspectionFees', feeKind: '検査手数料', feeClass: '一般料金', amount: 1100, ...INSPECTION_BODY },
    { stage: 'inspectionFees', feeKind: '技術情報管理手数料', feeClass: '一般料金', amount: 400, ...NALTEC },
  ];
}

/**
 * 自動車重量税 for kei cars: two years at a continuous inspection, three at a new car's first
 * inspection. Amounts of the schedule in force since May 2023 (本則税率 / 特例税率 by age).
 */
const WEIGHT_TAX: Record<ProcedureCode, Record<WeightTaxBand, number>> = {
  continuousInspection: { exempt: 0, eco: 5000, standard: 6600, over13: 8200, over18: 8800 },
  newVehicle: { exempt: 0, eco: 7500, standard: 9900, over13: 9900, over18: 9900 },
};

export function weightTaxItem(procedure: ProcedureCode, band: WeightTaxBand): FeeItem {
  return { stage: 'weightTax', feeKind: '自動車重量税', feeClass: '一般料金', amount: WEIGHT_TAX[procedure][band], ...WEIGHT_TAX_PAYEE };
}

/** 環境性能割 is not levied when the acquisition price is ¥500,000 or less (免税点). */
export const ENVIRONMENTAL_TAX_EXEMPTION_LIMIT = 500_000;

/**
 * 軽自動車税環境性能割: the acquisition price, rounded down to the thousand yen, times the rate
 * (0–2 %), rounded down to the hundred yen.
 */
export function environmentalPerformanceTax(acquisitionPrice: number, ratePercent: number): number {
  if (!Number.isSafeInteger(acquisitionPrice) || acquisitionPrice < 0) throw new Error('acquisition price must be whole yen');
  if (![0, 1, 2].includes(ratePercent)) throw new Error('rate must be 0, 1 or 2 percent');
  if (acquisitionPrice <= ENVIRONMENTAL_TAX_EXEMPTION_LIMIT) return 0;
  const base = Math.floor(acquisitionPrice / 1000) * 1000;
  return Math.floor((base * ratePercent) / 100 / 100) * 100;
}

export function vehicleTaxItem(amount: number, payee: { name: string; payeeKana: string; collectorNumber: string }): FeeItem {
  return {
    stage: 'vehicleTax',
    feeKind: '軽自動車税環境性能割',
    feeClass: '一般料金',
    amount,
    payeeName: payee.name,
    payeeKana: payee.payeeKana,
    collectorNumber: payee.collectorNumber,
  };
}
