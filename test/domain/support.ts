/**
 * Shared fixtures for the domain tests: actors, a repeatable IdSource, filing inputs and a
 * `Scene` that drives an application through real events (applyEvent), so that the
 * representative applications of each status are reached the way the system reaches them.
 */
import type { Actor, ActorKind } from '../../src/domain/actors.js';
import type { Application } from '../../src/domain/application.js';
import { applyEvent, type ApplicationEvent, type HistoryDraft, type IdSource, type Transition } from '../../src/domain/events.js';
import { fileApplication, validateFiling, type FilingInput } from '../../src/domain/filing.js';
import { inspectionOffices, type OfficeCode, type TaxOfficeCode } from '../../src/domain/offices.js';
import type { ProcedureCode } from '../../src/domain/procedures.js';
import { asReceiptNumber } from '../../src/domain/receipt-number.js';
import type { Result } from '../../src/domain/result.js';
import type { StatusCode } from '../../src/domain/statuses.js';
import { asJapanDate, type JapanDate } from '../../src/domain/time.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** 2026-06-01 (Mon) 10:00 JST. */
export const T0 = new Date('2026-06-01T01:00:00Z');
export const TODAY = asJapanDate('2026-06-01');
/** 納付期限 of the inspection fees and the weight tax. */
export const FEES_DUE = asJapanDate('2026-06-15');
/** 補正期限 the offices set. */
export const CORRECTION_DEADLINE = asJapanDate('2026-06-10');
/** 納付期限 of 環境性能割. */
export const VEHICLE_TAX_DUE = asJapanDate('2026-06-20');

export const d = (s: string): JapanDate => asJapanDate(s);

export const applicant: Actor = { kind: 'applicant' };
const officeActor = (officeCode: OfficeCode = 'tokyo'): Actor => ({ kind: 'inspectionOffice', officeCode, id: `staff-${officeCode}`, label: `${officeCode} 審査担当` });
const taxOfficeActor = (taxOfficeCode: TaxOfficeCode = 'tokyoTax'): Actor => ({ kind: 'taxOffice', taxOfficeCode, id: `tax-${taxOfficeCode}`, label: `${taxOfficeCode} 税務担当` });
export const office = officeActor;
export const taxOffice = taxOfficeActor;
export const payEasy: Actor = { kind: 'paymentNetwork', id: 'payeasy', label: 'Pay-easy' };
export const attachmentSource: Actor = { kind: 'attachmentSource', id: 'jibai', label: '自賠責システム' };
export const clock: Actor = { kind: 'clock' };

export const actorKinds: ActorKind[] = ['applicant', 'inspectionOffice', 'taxOffice', 'paymentNetwork', 'attachmentSource', 'clock'];

/** An actor of that kind entitled to act on applications of the 東京主管事務所. */
export function actorOf(kind: ActorKind): Actor {
  switch (kind) {
    case 'applicant':
      return applicant;
    case 'inspectionOffice':
      return office('tokyo');
    case 'taxOffice':
      return taxOffice('tokyoTax');
    case 'paymentNetwork':
      return payEasy;
    case 'attachmentSource':
      return attachmentSource;
    case 'clock':
      return clock;
  }
}

/** Repeatable ids: `id-1`, `id-2`…; 納付番号 `3000…0001`, `3000…0002`…; 確認番号 `100001`, `100002`… */
export function counterIds(): IdSource {
  let id = 0;
  let pn = 0;
  let cn = 0;
  return {
    id: () => `id-${++id}`,
    paymentNumber: () => `3${String(++pn).padStart(19, '0')}`,
    confirmationNumber: () => String(100000 + ++cn),
  };
}

export const ARRIVAL = asReceiptNumber('26060120000000001');
export const RECEIPT = asReceiptNumber('26060110000000001');

export const ciInput: FilingInput = {
  procedure: 'continuousInspection',
  officeCode: 'tokyo',
  applicantName: '軽自行政書士事務所',
  applicantAddress: '東京都品川区東大井1-1-1',
  userName: '軽自 太郎',
  userAddress: '東京都品川区東大井2-2-2',
  vehicleNumber: '品川 580 さ 1234',
  chassisNumber: 'AX01-0000001',
  vehicleModel: 'ABA-HA36S',
  weightTaxBand: 'standard',
  agentCommissionNumber: 'KIROKU0001',
  agentName: '指定整備事業者 品川A',
  agentUsable: false,
};

export const nvInput: FilingInput = {
  procedure: 'newVehicle',
  officeCode: 'tokyo',
  applicantName: '六本木商事',
  applicantAddress: '東京都港区六本木1-1-1',
  userName: '六本木商事',
  userAddress: '東京都港区六本木1-1-1',
  ownerSameAsUser: true,
  chassisNumber: '1234567890',
  vehicleModel: '5BA-MK53S',
  weightTaxBand: 'eco',
  acquisitionPrice: 1_650_000,
  environmentalTaxRate: 1,
  preferredNumber: false,
};

export function inputFor(procedure: ProcedureCode, overrides: Partial<FilingInput> = {}): FilingInput {
  return { ...(procedure === 'continuousInspection' ? ciInput : nvInput), ...overrides };
}

export function filed(procedure: ProcedureCode, overrides: Partial<FilingInput> = {}, ids: IdSource = counterIds(), at: Date = T0): Application {
  const v = validateFiling(inputFor(procedure, overrides));
  if (!v.ok) throw new Error(`fixture filing is invalid: ${JSON.stringify(v.errors)}`);
  return fileApplication(v.value, ARRIVAL, applicant, { at, ids }).application;
}

export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`refused: ${r.refusal.code} ${r.refusal.message}`);
  return r.value;
}

/** An application on its way, with its own clock and ids. */
export class Scene {
  readonly ids: IdSource;
  app: Application;
  at: Date;
  readonly history: HistoryDraft[] = [];

  constructor(readonly procedure: ProcedureCode, overrides: Partial<FilingInput> = {}, at: Date = T0) {
    this.ids = counterIds();
    this.at = at;
    this.app = filed(procedure, overrides, this.ids, at);
  }

  /** Moves the clock (one minute unless told) and applies the event; throws when it is refused. */
  do(event: ApplicationEvent, actor: Actor, at?: Date): this {
    this.at = at ?? new Date(this.at.getTime() + MINUTE);
    const t = unwrap(applyEvent(this.app, event, actor, { at: this.at, ids: this.ids }));
    this.app = t.application;
    this.history.push(t.history);
    return this;
  }

  /** Applies without keeping the result (at the scene's time unless told). */
  try(event: ApplicationEvent, actor: Actor, at?: Date): Result<Transition> {
    return applyEvent(this.app, event, actor, { at: at ?? this.at, ids: this.ids });
  }

  /** The instant one minute after the last event: "now" for rule checks. */
  get now(): Date {
    return new Date(this.at.getTime() + MINUTE);
  }
}

export const vehicleNumber = { region: '品川', classNumber: '580', kana: 'さ', serial: '1234' } as const;

/** Named representative situations, beyond the plain status codes. */
export type Situation =
  | StatusCode
  | 'inspectionFeesBulkPaymentNumberTaken'
  | 'weightTaxBulkPaymentNumberTaken'
  | 'vehicleTaxBulkPaymentNumberTaken'
  | 'withdrawnFromCorrection'
  | 'invalidatedAtAcceptance'
  | 'invalidatedAtVehicleTax'
  | 'rejectedByExpiry'
  | 'rejectedInExamination'
  | 'examinationReady';

/**
 * Drives a fresh application of the procedure to the situation through real events.
 * Attachments are acquired only just before the examination completes, so every state
 * before that still waits for them.
 */
export function reach(procedure: ProcedureCode, situation: Situation, overrides: Partial<FilingInput> = {}): Scene {
  const nv = procedure === 'newVehicle';
  const s = (from: Situation) => reach(procedure, from, overrides);
  // The office the application was filed with, and the tax office of its prefecture.
  const officeCode = (overrides.officeCode ?? 'tokyo') as OfficeCode;
  const office = (): Actor => officeActor(officeCode);
  const taxOffice = (): Actor => taxOfficeActor(inspectionOffices[officeCode].taxOfficeCode);
  switch (situation) {
    case 'awaitingAcceptance':
      return new Scene(procedure, overrides);
    case 'notAccepted':
      return s('awaitingAcceptance').do({ type: 'refuseAcceptance', reasonTitle: '署名検証エラー', reasonDetail: '署名用電子証明書の有効期限が切れています。' }, office());
    case 'invalidatedAtAcceptance':
      return s('awaitingAcceptance').do({ type: 'invalidate', reasonTitle: '受付チェックエラー', reasonDetail: '申請データに不備があります。' }, office());
    case 'acceptedAwaitingAttachments':
      return s('awaitingAcceptance').do({ type: 'accept', receiptNumber: RECEIPT }, office());
    case 'inspectionFeesDue':
      return s('acceptedAwaitingAttachments').do({ type: 'issueFees', dueOn: FEES_DUE }, office());
    case 'inspectionFeesBulkPayment':
      return s('inspectionFeesDue').do({ type: 'chooseBulkPayment' }, applicant);
    case 'inspectionFeesBulkPaymentNumberTaken':
      return s('inspectionFeesBulkPayment').do({ type: 'takeBulkPaymentNumber' }, applicant);
    case 'withdrawn':
      return s('inspectionFeesBulkPayment').do({ type: 'withdraw' }, applicant);
    case 'invalidated':
      return reach(procedure, 'inspectionFeesDue', overrides).do({ type: 'expirePayment' }, clock, new Date('2026-06-15T15:00:00Z'));
    case 'weightTaxDue':
      return s('inspectionFeesDue').do({ type: 'recordPayment', stage: 'inspectionFees', paidOn: TODAY }, payEasy);
    case 'weightTaxBulkPayment':
      return s('weightTaxDue').do({ type: 'chooseBulkPayment' }, applicant);
    case 'weightTaxBulkPaymentNumberTaken':
      return s('weightTaxBulkPayment').do({ type: 'takeBulkPaymentNumber' }, applicant);
    case 'inspectionUnderExamination': {
      // A 重量税 of ¥0 (免税) is 不要: paying the inspection fees then leads straight to the examination.
      const scene = s('inspectionFeesDue').do({ type: 'recordPayment', stage: 'inspectionFees', paidOn: TODAY }, payEasy);
      return scene.app.status === 'weightTaxDue' ? scene.do({ type: 'recordPayment', stage: 'weightTax', paidOn: TODAY }, payEasy) : scene;
    }
    case 'inspectionCorrectionRequested':
      return s('inspectionUnderExamination').do(
        { type: 'requestCorrection', reasonTitle: '申請書・添付書類の不備エラー', reasonDetail: '申請書、添付書類のいずれかまたは両方に不備があります。', deadline: CORRECTION_DEADLINE },
        office(),
      );
    case 'withdrawnFromCorrection':
      return s('inspectionCorrectionRequested').do({ type: 'withdraw' }, applicant);
    case 'rejected':
      return s('inspectionCorrectionRequested').do({ type: 'reject', reasonTitle: '保安基準不適合', reasonDetail: '保安基準に適合しません。' }, office());
    case 'rejectedInExamination':
      return s('inspectionUnderExamination').do({ type: 'reject', reasonTitle: '保安基準不適合', reasonDetail: '保安基準に適合しません。' }, office());
    case 'rejectedByExpiry':
      return s('inspectionCorrectionRequested').do({ type: 'expireCorrection' }, clock, new Date('2026-06-10T15:00:00Z'));
    case 'examinationReady': {
      const scene = s('inspectionUnderExamination');
      const kinds = nv ? (['completionCertificate', 'insuranceCertificate'] as const) : (['insuranceCertificate', 'safetyStandardCertificate'] as const);
      for (const kind of kinds) scene.do({ type: 'acquireAttachment', kind }, attachmentSource);
      return scene;
    }
    case 'preparingReturn':
    case 'taxDeclarationUnderExamination':
      return s('examinationReady').do({ type: 'completeExamination', completedOn: TODAY, vehicleNumber: nv ? vehicleNumber : undefined }, office());
    case 'readyForReturn':
      return s('preparingReturn').do({ type: 'markReady' }, office());
    case 'returned':
      return s('readyForReturn').do({ type: 'handOver' }, office());
    case 'taxDeclarationCorrectionRequested':
      return s('taxDeclarationUnderExamination').do(
        { type: 'requestTaxCorrection', reasonTitle: '申告内容の不備', reasonDetail: '取得価額の記載に誤りがあります。', deadline: CORRECTION_DEADLINE },
        taxOffice(),
      );
    case 'vehicleTaxDue':
      return s('taxDeclarationUnderExamination').do({ type: 'assessVehicleTax', dueOn: VEHICLE_TAX_DUE }, taxOffice());
    case 'vehicleTaxBulkPayment':
      return s('vehicleTaxDue').do({ type: 'chooseBulkPayment' }, applicant);
    case 'vehicleTaxBulkPaymentNumberTaken':
      return s('vehicleTaxBulkPayment').do({ type: 'takeBulkPaymentNumber' }, applicant);
    case 'invalidatedAtVehicleTax':
      return s('vehicleTaxDue').do({ type: 'expirePayment' }, clock, new Date('2026-06-20T15:00:00Z'));
    case 'preparingDelivery':
      return s('vehicleTaxDue').do({ type: 'recordPayment', stage: 'vehicleTax', paidOn: TODAY }, payEasy);
    case 'readyForDelivery':
      return s('preparingDelivery').do({ type: 'markReady' }, office());
    case 'delivered':
      return s('readyForDelivery').do({ type: 'handOver' }, office());
  }
}
