import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTAL_TAX_EXEMPTION_LIMIT, environmentalPerformanceTax, inspectionFeeItems, vehicleTaxItem, weightTaxItem } from '../../src/domain/fees.js';
import { taxOfficeFor } from '../../src/domain/offices.js';

describe('検査手数料 and 技術情報管理手数料 (the manual\'s 納付情報)', () => {
  it('¥1,100 to 軽自動車検査協会 and ¥400 to 自動車技術総合機構, 収納機関番号 00100, 一般料金', () => {
    expect(inspectionFeeItems()).toEqual([
      { stage: 'inspectionFees', feeKind: '検査手数料', feeClass: '一般料金', amount: 1100, payeeName: '軽自動車検査協会', payeeKana: 'ｹｲｼﾞﾄﾞｳｼﾔｹﾝｻｷﾖｳｶｲ', collectorNumber: '00100' },
      { stage: 'inspectionFees', feeKind: '技術情報管理手数料', feeClass: '一般料金', amount: 400, payeeName: '自動車技術総合機構', payeeKana: 'ｼﾞﾄﾞｳｼﾔｷﾞｼﾞﾕﾂｿｳｺﾞｳｷｺｳ', collectorNumber: '00100' },
    ]);
  });
});

describe('自動車重量税 by band', () => {
  it.each([
    ['continuousInspection', 'exempt', 0],
    ['continuousInspection', 'eco', 5000],
    ['continuousInspection', 'standard', 6600],
    ['continuousInspection', 'over13', 8200],
    ['continuousInspection', 'over18', 8800],
    ['newVehicle', 'exempt', 0],
    ['newVehicle', 'eco', 7500],
    ['newVehicle', 'standard', 9900],
    ['newVehicle', 'over13', 9900],
    ['newVehicle', 'over18', 9900],
  ] as const)('%s / %s: ¥%i', (procedure, band, amount) => {
    expect(weightTaxItem(procedure, band)).toEqual({
      stage: 'weightTax',
      feeKind: '自動車重量税',
      feeClass: '一般料金',
      amount,
      payeeName: '国（自動車重量税）',
      payeeKana: 'ｸﾆ(ｼﾞﾄﾞｳｼﾔｼﾞﾕｳﾘﾖｳｾﾞｲ)',
      collectorNumber: '00200',
    });
  });
});

describe('軽自動車税環境性能割', () => {
  it('免税点 is ¥500,000', () => {
    expect(ENVIRONMENTAL_TAX_EXEMPTION_LIMIT).toBe(500_000);
  });
  it.each([
    [500_000, 1, 0, '免税点ちょうど: 課税されない'],
    [500_000, 2, 0, '免税点ちょうど (2%)'],
    [0, 2, 0, '¥0'],
    [500_001, 1, 5_000, '免税点を1円超える: 500,000 × 1%'],
    [1_650_000, 1, 16_500, '1,650,000 × 1%'],
    [1_650_000, 2, 33_000, '1,650,000 × 2%'],
    [1_650_000, 0, 0, '0% (非課税の燃費水準)'],
    [1_650_999, 1, 16_500, '取得価額は千円未満を切り捨て'],
    [1_234_567, 1, 12_300, '1,234,000 × 1% = 12,340 → 百円未満切り捨て 12,300'],
    [1_234_567, 2, 24_600, '1,234,000 × 2% = 24,680 → 24,600'],
    [999_999, 2, 19_900, '999,000 × 2% = 19,980 → 19,900'],
    [100_000_000, 2, 2_000_000, '1億円 × 2%'],
  ])('%i at %i%% → ¥%i (%s)', (price, rate, tax) => {
    expect(environmentalPerformanceTax(price, rate)).toBe(tax);
  });
  it.each([
    [-1, 1, 'acquisition price must be whole yen'],
    [1_000_000.5, 1, 'acquisition price must be whole yen'],
    [Number.NaN, 1, 'acquisition price must be whole yen'],
    [1_000_000, 3, 'rate must be 0, 1 or 2 percent'],
    [1_000_000, 1.5, 'rate must be 0, 1 or 2 percent'],
    [1_000_000, -1, 'rate must be 0, 1 or 2 percent'],
  ])('throws on price %d, rate %d', (price, rate, message) => {
    expect(() => environmentalPerformanceTax(price, rate)).toThrow(message);
  });
  it('property: a multiple of ¥100, never above price × rate, and never decreasing with the price', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), fc.integer({ min: 0, max: 5_000_000 }), fc.constantFrom(0, 1, 2), (price, more, rate) => {
        const tax = environmentalPerformanceTax(price, rate);
        expect(tax % 100).toBe(0);
        expect(tax).toBeLessThanOrEqual((price * rate) / 100);
        expect(tax).toBeGreaterThanOrEqual(0);
        if (price <= 500_000) expect(tax).toBe(0);
        else expect(tax).toBe(Math.floor((Math.floor(price / 1000) * 1000 * rate) / 10_000) * 100);
        expect(environmentalPerformanceTax(price + more, rate)).toBeGreaterThanOrEqual(tax);
      }),
    );
  });
  it('vehicleTaxItem is payable to the prefecture', () => {
    expect(vehicleTaxItem(16_500, taxOfficeFor('tokyo'))).toEqual({
      stage: 'vehicleTax',
      feeKind: '軽自動車税環境性能割',
      feeClass: '一般料金',
      amount: 16_500,
      payeeName: '東京都',
      payeeKana: 'ﾄｳｷﾖｳﾄ',
      collectorNumber: '01300',
    });
    expect(taxOfficeFor('nerima').code).toBe('tokyoTax');
    expect(taxOfficeFor('kanagawa')).toMatchObject({ name: '神奈川県', collectorNumber: '01400' });
  });
});
