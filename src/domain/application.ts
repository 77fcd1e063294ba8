import type { AttachmentKind, AttachmentState, ProcedureCode } from './procedures.js';
import type { ReceiptNumber } from './receipt-number.js';
import type { PaymentStage, StatusCode } from './statuses.js';
import type { JapanDate } from './time.js';
import type { OfficeCode } from './offices.js';

/** A person or company named on the application. 高水準: the name in characters outside the standard set. */
export interface Party {
  readonly name: string;
  readonly nameHigh: string | null;
  readonly address: string;
}

/** 自動車重量税 band, which fixes the amount due (see fees.ts). */
export type WeightTaxBand = 'exempt' | 'eco' | 'standard' | 'over13' | 'over18';

export interface Vehicle {
  /** 車両番号 as stored (`品川 580 さ 1234`); a new car has none until the examination ends. */
  readonly vehicleNumber: string | null;
  readonly chassisNumber: string;
  /** 型式 */
  readonly model: string;
  readonly weightTaxBand: WeightTaxBand;
  /** 取得価額 (new cars): the base of 環境性能割. */
  readonly acquisitionPrice: number | null;
  /** 環境性能割 rate in percent (0, 1 or 2) by the car's fuel economy. */
  readonly environmentalTaxRate: number | null;
}

/** 記録等事務代行者 (continuous inspection only). */
export interface RecordingAgent {
  readonly commissionNumber: string;
  readonly name: string;
  /** 記録等事務代行利用可否 */
  readonly usable: boolean;
}

export interface Attachment {
  readonly kind: AttachmentKind;
  readonly state: AttachmentState;
}

export type PaymentStatus = 'unpaid' | 'paid' | 'notRequired';

/** One row of 納付情報. Lines of one stage share one Pay-easy number. */
export interface PaymentLine {
  readonly id: string;
  readonly stage: PaymentStage;
  /** 税・手数料種別 */
  readonly feeKind: string;
  /** 納付区別 */
  readonly feeClass: string;
  readonly amount: number;
  /** 収納機関名(漢字) / (カナ) */
  readonly payeeName: string;
  readonly payeeKana: string;
  /** 収納機関番号 (5 digits) */
  readonly collectorNumber: string;
  /** 納付番号; null while a まとめ納付 number has not been taken. */
  readonly paymentNumber: string | null;
  /** 確認番号 (6 digits) */
  readonly confirmationNumber: string | null;
  /** 納付区分: '-' for a single payment, 'まとめ納付' when paid together. */
  readonly paymentCategory: string;
  readonly status: PaymentStatus;
  readonly paidOn: JapanDate | null;
  readonly dueOn: JapanDate;
}

export type NoticeKind = 'correction' | 'taxCorrection' | 'rejection' | 'invalidation' | 'notAccepted' | 'withdrawal';

/** 通知等情報: what an agency notified, or the result of the applicant's withdrawal. */
export interface Notice {
  readonly id: string;
  readonly kind: NoticeKind;
  /** 行政機関等名 */
  readonly agencyName: string;
  /** 期限日 */
  readonly deadline: JapanDate | null;
  /** 理由: a title line and its explanation. */
  readonly reasonTitle: string;
  readonly reasonDetail: string;
  readonly issuedAt: Date;
  readonly resolvedAt: Date | null;
}

export const noticeKindLabels: Record<NoticeKind, string> = {
  correction: '補正',
  taxCorrection: '補正',
  rejection: '却下',
  invalidation: '無効',
  notAccepted: '未受付',
  withdrawal: '取り下げ',
};

export interface Application {
  readonly id: string;
  readonly procedure: ProcedureCode;
  /** 到達番号 */
  readonly arrivalNumber: ReceiptNumber;
  /** 受付番号, issued when the office accepts the application. */
  readonly receiptNumber: ReceiptNumber | null;
  readonly status: StatusCode;
  /** 状況更新日時 */
  readonly statusChangedAt: Date;
  /** When the application arrived; 申請年月日 is its Japan date. */
  readonly filedAt: Date;
  readonly officeCode: OfficeCode;
  readonly applicant: Party;
  readonly user: Party;
  /** null: 所有者 is the same as 使用者 (shown as 同上). */
  readonly owner: Party | null;
  readonly vehicle: Vehicle;
  readonly recordingAgent: RecordingAgent | null;
  /** 一部書類審査 (new cars), e.g. 実施不要（ALL電子）. */
  readonly partialDocumentExamination: string | null;
  /** 審査完了年月日 */
  readonly examinationCompletedOn: JapanDate | null;
  readonly attachments: readonly Attachment[];
  readonly paymentLines: readonly PaymentLine[];
  readonly notices: readonly Notice[];
  /** 補正期限 of the open correction request. */
  readonly correctionDeadline: JapanDate | null;
  /** Serial of the 2D code last issued (0: none); reissuing makes earlier codes invalid. */
  readonly collectionCodeSerial: number;
  readonly version: number;
}

/** The number the applicant knows the application by: 受付番号 once issued, else 到達番号. */
export function displayNumber(app: Pick<Application, 'receiptNumber' | 'arrivalNumber'>): ReceiptNumber {
  return app.receiptNumber ?? app.arrivalNumber;
}
