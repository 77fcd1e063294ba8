import { actorKindLabels, type Actor, type ActorKind } from './actors.js';
import type { Application, Notice, NoticeKind, PaymentLine } from './application.js';
import { applyFieldChanges, type FieldChange } from './corrections.js';
import { environmentalPerformanceTax, inspectionFeeItems, vehicleTaxItem, weightTaxItem, type FeeItem } from './fees.js';
import { applyExpiry, decideExpiry, INSPECTION_AGENCY, OPEN_NOTICE_KINDS, PAYMENT_EXPIRED_TITLE, TAX_AGENCY } from './expiry.js';
import { taxOfficeFor } from './offices.js';
import { attachmentKinds, procedures, type AttachmentKind } from './procedures.js';
import type { ReceiptNumber } from './receipt-number.js';
import { ok, refuse, type Result } from './result.js';
import { allowedActions, attachmentsComplete, bulkPaymentNumberTaken, currentDeadline, linesOfStage } from './rules.js';
import { paymentStages, statuses, type PaymentStage, type StatusCode, type StatusDefinition } from './statuses.js';
import { isDeadlinePassed, japanDateOf, type JapanDate } from './time.js';
import { vehicleNumberToString, type VehicleNumber } from './vehicle.js';

/** Everything that can happen to an application after it arrived. */
export type ApplicationEvent =
  | { readonly type: 'accept'; readonly receiptNumber: ReceiptNumber }
  | { readonly type: 'refuseAcceptance'; readonly reasonTitle: string; readonly reasonDetail: string }
  | { readonly type: 'acquireAttachment'; readonly kind: AttachmentKind }
  | { readonly type: 'markAttachmentNotRequired'; readonly kind: AttachmentKind }
  | { readonly type: 'issueFees'; readonly dueOn: JapanDate }
  | { readonly type: 'chooseBulkPayment' }
  | { readonly type: 'takeBulkPaymentNumber' }
  | { readonly type: 'joinPaymentGroup'; readonly groupId: string; readonly paymentNumber: string; readonly confirmationNumber: string }
  | { readonly type: 'leavePaymentGroup'; readonly groupId: string; readonly cause: 'cancelled' | 'expired' }
  | { readonly type: 'recordPayment'; readonly stage: PaymentStage; readonly paidOn: JapanDate }
  | { readonly type: 'requestCorrection'; readonly reasonTitle: string; readonly reasonDetail: string; readonly deadline: JapanDate }
  | { readonly type: 'submitCorrection'; readonly changes: readonly FieldChange[] }
  | { readonly type: 'completeExamination'; readonly completedOn: JapanDate; readonly vehicleNumber?: VehicleNumber | undefined }
  | { readonly type: 'reject'; readonly reasonTitle: string; readonly reasonDetail: string }
  | { readonly type: 'invalidate'; readonly reasonTitle: string; readonly reasonDetail: string }
  | { readonly type: 'requestTaxCorrection'; readonly reasonTitle: string; readonly reasonDetail: string; readonly deadline: JapanDate }
  | { readonly type: 'assessVehicleTax'; readonly dueOn: JapanDate; readonly amount?: number | undefined }
  | { readonly type: 'markReady' }
  | { readonly type: 'handOver'; readonly verification?: HandOverVerification | undefined }
  | { readonly type: 'withdraw' }
  | { readonly type: 'issueCollectionCode' }
  | { readonly type: 'expireCorrection' }
  | { readonly type: 'expirePayment' };

export type EventType = ApplicationEvent['type'];

/**
 * How the office knew whom it handed the documents to (issue 14): the counter check of the 2D code,
 * or explicitly without it, with the reason (e.g. identity checked with a 運転免許証). Recorded in
 * the history. An agency system posting handOver through the API may leave it out.
 */
export const NO_CODE_REASON_MESSAGE = '二次元コードの提示なしで受け取りを記録する理由（本人確認の方法など）を入力してください。';

export type HandOverVerification = { readonly method: 'collectionCode' } | { readonly method: 'noCode'; readonly reason: string };

/** Names of events as history and staff screens show them. */
export const eventLabels: Record<EventType | 'arrive', string> = {
  arrive: '申請の到達',
  accept: '受付',
  refuseAcceptance: '未受付（受付チェック）',
  acquireAttachment: '添付書類の取得',
  markAttachmentNotRequired: '添付書類を不要に設定',
  issueFees: '税・手数料の納付情報の発行',
  chooseBulkPayment: 'まとめ納付の選択',
  takeBulkPaymentNumber: 'まとめ納付の納付番号取得',
  joinPaymentGroup: 'まとめ納付（複数の申請）の納付番号取得',
  leavePaymentGroup: 'まとめ納付の納付番号の取消し',
  recordPayment: '納付の完了',
  requestCorrection: '補正の通知（検査申請）',
  submitCorrection: '補正申請',
  completeExamination: '審査完了',
  reject: '却下',
  invalidate: '無効',
  requestTaxCorrection: '補正の通知（軽自動車税申告）',
  assessVehicleTax: '軽自動車税環境性能割の賦課',
  markReady: '交付物の準備完了',
  handOver: '窓口での受け取り',
  withdraw: '申請の取り下げ',
  issueCollectionCode: '二次元コードの発行',
  expireCorrection: '補正期限切れ（期限切れ却下）',
  expirePayment: '納付期限切れ（検査申請無効）',
};

/** Where new identifiers and Pay-easy numbers come from: random in service, repeatable in tests and demo data. */
export interface IdSource {
  id(): string;
  /** 納付番号 (20 digits) */
  paymentNumber(): string;
  /** 確認番号 (6 digits) */
  confirmationNumber(): string;
}

export interface EventContext {
  readonly at: Date;
  readonly ids: IdSource;
}

/** What a transition records in the application's history, in the same transaction. */
export interface HistoryDraft {
  readonly event: EventType | 'arrive';
  readonly fromStatus: StatusCode | null;
  readonly toStatus: StatusCode;
  readonly actor: Actor;
  readonly reason: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  readonly occurredAt: Date;
}

export interface Transition {
  readonly application: Application;
  readonly history: HistoryDraft;
}

interface EventRule<E extends ApplicationEvent> {
  readonly actors: readonly ActorKind[];
  /** Statuses the event may happen in; checked before `apply`. */
  readonly from: readonly StatusCode[];
  /** Further conditions that do not depend on what the event carries (a deadline, a number taken …). */
  readonly when?: (app: Application, at: Date) => Result<true>;
  /** Ended statuses the event may still happen in (its `apply` decides when): a payment made in time but reported late. */
  readonly reopens?: readonly StatusCode[];
  /** Whether this ended application may be reopened by the event at all (else the usual refusal of an ended application). */
  readonly reopenWhen?: (app: Application) => boolean;
  apply(app: Application, event: E, ctx: EventContext, actor: Actor): Result<Outcome>;
}

interface Outcome {
  readonly application: Application;
  readonly reason?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

type Rules = { [T in EventType]: EventRule<Extract<ApplicationEvent, { type: T }>> };


const paymentStatuses = (Object.keys(statuses) as StatusCode[]).filter((s) => statuses[s].paymentStage !== null);
const inspectionPaymentStatuses: StatusCode[] = ['inspectionFeesDue', 'inspectionFeesBulkPayment', 'weightTaxDue', 'weightTaxBulkPayment'];
const beforeExamination: StatusCode[] = ['awaitingAcceptance', 'acceptedAwaitingAttachments', ...inspectionPaymentStatuses, 'inspectionUnderExamination', 'inspectionCorrectionRequested'];
const bulkPaymentStatuses: StatusCode[] = ['inspectionFeesBulkPayment', 'weightTaxBulkPayment', 'vehicleTaxBulkPayment'];
const correctionStatuses: StatusCode[] = ['inspectionCorrectionRequested', 'taxDeclarationCorrectionRequested'];

function moveTo(app: Application, status: StatusCode, at: Date, changes: Partial<Application> = {}): Application {
  return { ...app, ...changes, status, statusChangedAt: status === app.status ? app.statusChangedAt : at };
}

function notice(ctx: EventContext, kind: NoticeKind, agencyName: string, reasonTitle: string, reasonDetail: string, deadline: JapanDate | null): Notice {
  return { id: ctx.ids.id(), kind, agencyName, deadline, reasonTitle, reasonDetail, issuedAt: ctx.at, resolvedAt: null };
}

/** Open notices (a correction request) are settled when the application moves on. */
function resolveOpenNotices(notices: readonly Notice[], at: Date): Notice[] {
  return notices.map((n) => (n.resolvedAt === null && OPEN_NOTICE_KINDS.includes(n.kind) ? { ...n, resolvedAt: at } : n));
}

function linesFor(items: FeeItem[], dueOn: JapanDate, ctx: EventContext): PaymentLine[] {
  if (items.every((i) => i.amount === 0)) {
    return items.map((i) => ({ ...i, id: ctx.ids.id(), paymentNumber: null, confirmationNumber: null, paymentCategory: '-', status: 'notRequired', paidOn: null, dueOn }));
  }
  const paymentNumber = ctx.ids.paymentNumber();
  const confirmationNumber = ctx.ids.confirmationNumber();
  return items.map((i) => ({ ...i, id: ctx.ids.id(), paymentNumber, confirmationNumber, paymentCategory: '-', status: 'unpaid', paidOn: null, dueOn }));
}

function nextAfterPayment(app: Application, stage: PaymentStage): StatusCode {
  if (stage === 'inspectionFees') {
    return linesOfStage(app, 'weightTax').some((l) => l.status === 'unpaid') ? 'weightTaxDue' : 'inspectionUnderExamination';
  }
  if (stage === 'weightTax') return 'inspectionUnderExamination';
  return 'preparingDelivery';
}

function reasonRequired(title: string): Result<true> {
  return title.trim() === '' ? refuse('invalidInput', '理由を入力してください。') : ok(true);
}

function deadlineNotPast(date: JapanDate, at: Date, label: string): Result<true> {
  return date < japanDateOf(at) ? refuse('invalidInput', `${label}は本日以降の日付を指定してください。`) : ok(true);
}

type CorrectionRequest = Extract<ApplicationEvent, { type: 'requestCorrection' | 'requestTaxCorrection' }>;

/**
 * 補正の通知 by an office (検査申請 by 軽自動車検査協会, 軽自動車税申告 by 都道府県税事務所): a reason and a
 * 補正期限 not in the past; the notice is added and the application waits for the applicant's 補正申請.
 */
function correctionRequest<E extends CorrectionRequest>(actor: ActorKind, from: StatusCode, kind: NoticeKind, agencyName: string, to: StatusCode): EventRule<E> {
  return {
    actors: [actor],
    from: [from],
    apply: (app, e, ctx) => {
      const r = reasonRequired(e.reasonTitle);
      if (!r.ok) return r;
      const d = deadlineNotPast(e.deadline, ctx.at, '補正期限');
      if (!d.ok) return d;
      const n = notice(ctx, kind, agencyName, e.reasonTitle, e.reasonDetail, e.deadline);
      return ok({
        application: moveTo(app, to, ctx.at, { notices: [...app.notices, n], correctionDeadline: e.deadline }),
        reason: e.reasonTitle,
        details: { deadline: e.deadline },
      });
    },
  };
}

const rules: Rules = {
  accept: {
    actors: ['inspectionOffice'],
    from: ['awaitingAcceptance'],
    apply: (app, e, ctx) => ok({ application: moveTo(app, 'acceptedAwaitingAttachments', ctx.at, { receiptNumber: e.receiptNumber }), details: { receiptNumber: e.receiptNumber } }),
  },
  refuseAcceptance: {
    actors: ['inspectionOffice'],
    from: ['awaitingAcceptance'],
    apply: (app, e, ctx) => {
      const r = reasonRequired(e.reasonTitle);
      if (!r.ok) return r;
      return ok({
        application: moveTo(app, 'notAccepted', ctx.at, { notices: [...app.notices, notice(ctx, 'notAccepted', INSPECTION_AGENCY, e.reasonTitle, e.reasonDetail, null)] }),
        reason: e.reasonTitle,
      });
    },
  },
  acquireAttachment: {
    actors: ['attachmentSource'],
    from: beforeExamination,
    apply: (app, e) => setAttachment(app, e.kind, 'acquired'),
  },
  markAttachmentNotRequired: {
    actors: ['attachmentSource', 'inspectionOffice'],
    from: beforeExamination,
    apply: (app, e) => setAttachment(app, e.kind, 'notRequired'),
  },
  issueFees: {
    actors: ['inspectionOffice'],
    from: ['acceptedAwaitingAttachments'],
    apply: (app, e, ctx) => {
      const d = deadlineNotPast(e.dueOn, ctx.at, '納付期限');
      if (!d.ok) return d;
      const lines = [...linesFor(inspectionFeeItems(), e.dueOn, ctx), ...linesFor([weightTaxItem(app.procedure, app.vehicle.weightTaxBand)], e.dueOn, ctx)];
      const next: Application = { ...app, paymentLines: [...app.paymentLines, ...lines] };
      const status = lines.some((l) => l.stage === 'inspectionFees' && l.status === 'unpaid') ? 'inspectionFeesDue' : nextAfterPayment(next, 'inspectionFees');
      return ok({ application: moveTo(next, status, ctx.at), details: { dueOn: e.dueOn, amounts: lines.map((l) => [l.feeKind, l.amount]) } });
    },
  },
  chooseBulkPayment: {
    actors: ['applicant'],
    from: ['inspectionFeesDue', 'weightTaxDue', 'vehicleTaxDue'],
    when: (app, at) => (allowedActions(app, at).includes('chooseBulkPayment') ? ok(true) : refuse('deadlinePassed', '納付期限を過ぎているため、まとめ納付を選択できません。')),
    apply: (app, _e, ctx) => {
      const def: StatusDefinition = statuses[app.status];
      const stage = def.paymentStage as PaymentStage;
      const paymentLines = app.paymentLines.map((l) =>
        l.stage === stage && l.status === 'unpaid' ? { ...l, paymentNumber: null, confirmationNumber: null, paymentCategory: 'まとめ納付' } : l,
      );
      const bulk: Record<PaymentStage, StatusCode> = { inspectionFees: 'inspectionFeesBulkPayment', weightTax: 'weightTaxBulkPayment', vehicleTax: 'vehicleTaxBulkPayment' };
      return ok({ application: moveTo({ ...app, paymentLines }, bulk[stage], ctx.at) });
    },
  },
  takeBulkPaymentNumber: {
    actors: ['applicant'],
    from: bulkPaymentStatuses,
    when: (app, at) => {
      if (bulkPaymentNumberTaken(app)) return refuse('paymentNumberTaken', '納付番号はすでに取得されています。');
      if (!allowedActions(app, at).includes('takeBulkPaymentNumber')) return refuse('deadlinePassed', '納付期限を過ぎているため、納付番号を取得できません。');
      return ok(true);
    },
    apply: (app, _e, ctx) => {
      const stage = statuses[app.status].paymentStage as PaymentStage;
      const paymentNumber = ctx.ids.paymentNumber();
      const confirmationNumber = ctx.ids.confirmationNumber();
      const paymentLines = app.paymentLines.map((l) => (l.stage === stage && l.status === 'unpaid' ? { ...l, paymentNumber, confirmationNumber } : l));
      return ok({ application: { ...app, paymentLines }, details: { stage } });
    },
  },
  // まとめ納付 across the applications of a 利用者ID (docs/decisions/0010): the group's one number on this application's lines.
  joinPaymentGroup: {
    actors: ['applicant'],
    from: bulkPaymentStatuses,
    when: (app, at) => {
      if (bulkPaymentNumberTaken(app)) return refuse('paymentNumberTaken', '納付番号はすでに取得されています。');
      if (!allowedActions(app, at).includes('takeBulkPaymentNumber')) return refuse('deadlinePassed', '納付期限を過ぎているため、納付番号を取得できません。');
      return ok(true);
    },
    apply: (app, e) => {
      const stage = statuses[app.status].paymentStage as PaymentStage;
      const paymentLines = app.paymentLines.map((l) =>
        l.stage === stage && l.status === 'unpaid' ? { ...l, paymentNumber: e.paymentNumber, confirmationNumber: e.confirmationNumber, paymentCategory: 'まとめ納付' } : l,
      );
      return ok({ application: { ...app, paymentLines }, details: { stage, groupId: e.groupId, paymentNumber: e.paymentNumber } });
    },
  },
  // Cancelled by the user before payment, or the group's 納付期限 passed unpaid: the lines are まとめ払い中 without a number again.
  leavePaymentGroup: {
    actors: ['applicant', 'clock'],
    from: bulkPaymentStatuses,
    when: (app) => (bulkPaymentNumberTaken(app) ? ok(true) : refuse('statusDoesNotAllow', '納付番号が取得されていないため、取り消す納付番号はありません。')),
    apply: (app, e, _ctx, actor) => {
      if ((e.cause === 'expired') !== (actor.kind === 'clock')) return refuse('actorNotAllowed', 'まとめ納付の納付番号は、利用者による取消し、または納付期限切れによってのみ取り消されます。');
      const stage = statuses[app.status].paymentStage as PaymentStage;
      const previous = linesOfStage(app, stage).find((l) => l.status === 'unpaid')?.paymentNumber ?? null;
      const paymentLines = app.paymentLines.map((l) => (l.stage === stage && l.status === 'unpaid' ? { ...l, paymentNumber: null, confirmationNumber: null } : l));
      return ok({
        application: { ...app, paymentLines },
        reason: e.cause === 'expired' ? 'まとめ納付の納付期限切れ（納付番号の失効）' : 'まとめ納付の取消し',
        details: { stage, groupId: e.groupId, paymentNumber: previous, cause: e.cause },
      });
    },
  },
  recordPayment: {
    actors: ['paymentNetwork'],
    from: paymentStatuses,
    reopens: ['invalidated'],
    reopenWhen: invalidatedByPaymentExpiry,
    // まとめ払い中 the payment network has nothing to collect until the number is taken, whatever it reports.
    when: (app) =>
      linesOfStage(app, statuses[app.status].paymentStage as PaymentStage).some((l) => l.status === 'unpaid' && l.paymentNumber === null)
        ? refuse('statusDoesNotAllow', 'まとめ納付の納付番号が取得されていないため、納付を受け付けられません。')
        : ok(true),
    apply: (app, e, ctx) => {
      if (app.status === 'invalidated') return recordLateReportedPayment(app, e, ctx);
      const stage = statuses[app.status].paymentStage;
      if (stage !== e.stage) return refuse('statusDoesNotAllow', `現在の申請状況では、この税・手数料（${stageLabel(e.stage)}）の納付は受け付けられません。`);
      const unpaid = linesOfStage(app, stage).filter((l) => l.status === 'unpaid');
      if (unpaid.length === 0) return refuse('alreadyDone', 'この税・手数料はすでに納付済です。');
      if (e.paidOn > japanDateOf(ctx.at)) return refuse('invalidInput', '納付日に未来の日付は指定できません。');
      const paymentLines = app.paymentLines.map((l) => (l.stage === stage && l.status === 'unpaid' ? { ...l, status: 'paid' as const, paidOn: e.paidOn } : l));
      const next = { ...app, paymentLines };
      return ok({ application: moveTo(next, nextAfterPayment(next, stage), ctx.at), details: { stage, paidOn: e.paidOn, paymentNumber: unpaid[0]?.paymentNumber } });
    },
  },
  requestCorrection: correctionRequest('inspectionOffice', 'inspectionUnderExamination', 'correction', INSPECTION_AGENCY, 'inspectionCorrectionRequested'),
  requestTaxCorrection: correctionRequest('taxOffice', 'taxDeclarationUnderExamination', 'taxCorrection', TAX_AGENCY, 'taxDeclarationCorrectionRequested'),
  submitCorrection: {
    actors: ['applicant'],
    from: correctionStatuses,
    when: (app, at) => (allowedActions(app, at).includes('correct') ? ok(true) : refuse('deadlinePassed', '補正期限を過ぎているため、補正申請はできません。')),
    apply: (app, e, ctx) => {
      const back: StatusCode = app.status === 'inspectionCorrectionRequested' ? 'inspectionUnderExamination' : 'taxDeclarationUnderExamination';
      const corrected = applyFieldChanges(app, e.changes);
      return ok({
        application: moveTo(corrected, back, ctx.at, { notices: resolveOpenNotices(app.notices, ctx.at), correctionDeadline: null }),
        details: { changes: e.changes },
      });
    },
  },
  completeExamination: {
    actors: ['inspectionOffice'],
    from: ['inspectionUnderExamination'],
    when: (app) => (attachmentsComplete(app) ? ok(true) : refuse('attachmentsIncomplete', '未取得の添付書類があるため、審査を完了できません。')),
    apply: (app, e, ctx) => {
      if (e.completedOn > japanDateOf(ctx.at)) return refuse('invalidInput', '審査完了年月日に未来の日付は指定できません。');
      if (procedures[app.procedure].issuesVehicleNumber) {
        if (!e.vehicleNumber) return refuse('invalidInput', '新車の審査完了には車両番号の指定が必要です。');
        const vehicle = { ...app.vehicle, vehicleNumber: vehicleNumberToString(e.vehicleNumber) };
        return ok({
          application: moveTo(app, 'taxDeclarationUnderExamination', ctx.at, { examinationCompletedOn: e.completedOn, vehicle }),
          details: { completedOn: e.completedOn, vehicleNumber: vehicle.vehicleNumber },
        });
      }
      return ok({ application: moveTo(app, 'preparingReturn', ctx.at, { examinationCompletedOn: e.completedOn }), details: { completedOn: e.completedOn } });
    },
  },
  reject: {
    actors: ['inspectionOffice'],
    from: ['inspectionUnderExamination', 'inspectionCorrectionRequested'],
    apply: (app, e, ctx) => {
      const r = reasonRequired(e.reasonTitle);
      if (!r.ok) return r;
      const n = notice(ctx, 'rejection', INSPECTION_AGENCY, e.reasonTitle, e.reasonDetail, null);
      return ok({ application: moveTo(app, 'rejected', ctx.at, { notices: [...resolveOpenNotices(app.notices, ctx.at), n], correctionDeadline: null }), reason: e.reasonTitle });
    },
  },
  invalidate: {
    actors: ['inspectionOffice'],
    from: beforeExamination,
    apply: (app, e, ctx) => {
      const r = reasonRequired(e.reasonTitle);
      if (!r.ok) return r;
      const n = notice(ctx, 'invalidation', INSPECTION_AGENCY, e.reasonTitle, e.reasonDetail, null);
      return ok({ application: moveTo(app, 'invalidated', ctx.at, { notices: [...resolveOpenNotices(app.notices, ctx.at), n], correctionDeadline: null }), reason: e.reasonTitle });
    },
  },
  assessVehicleTax: {
    actors: ['taxOffice'],
    from: ['taxDeclarationUnderExamination'],
    apply: (app, e, ctx) => {
      const d = deadlineNotPast(e.dueOn, ctx.at, '納付期限');
      if (!d.ok) return d;
      const amount = e.amount ?? environmentalPerformanceTax(app.vehicle.acquisitionPrice ?? 0, app.vehicle.environmentalTaxRate ?? 0);
      if (!Number.isSafeInteger(amount) || amount < 0) return refuse('invalidInput', '税額は0円以上の整数（円）で指定してください。');
      const lines = linesFor([vehicleTaxItem(amount, taxOfficeFor(app.officeCode))], e.dueOn, ctx);
      const next = { ...app, paymentLines: [...app.paymentLines, ...lines] };
      return ok({ application: moveTo(next, amount === 0 ? 'preparingDelivery' : 'vehicleTaxDue', ctx.at), details: { amount, dueOn: e.dueOn } });
    },
  },
  markReady: {
    actors: ['inspectionOffice'],
    from: ['preparingReturn', 'preparingDelivery'],
    apply: (app, _e, ctx) => ok({ application: moveTo(app, app.status === 'preparingReturn' ? 'readyForReturn' : 'readyForDelivery', ctx.at) }),
  },
  handOver: {
    actors: ['inspectionOffice'],
    from: ['readyForReturn', 'readyForDelivery'],
    apply: (app, e, ctx) => {
      const v = e.verification;
      if (v?.method === 'noCode' && v.reason.trim() === '') return refuse('invalidInput', NO_CODE_REASON_MESSAGE);
      const verification = v ? (v.method === 'collectionCode' ? { verification: 'collectionCode' } : { verification: 'noCode', noCodeReason: v.reason }) : {};
      return ok({
        application: moveTo(app, app.status === 'readyForReturn' ? 'returned' : 'delivered', ctx.at),
        details: { collectionCodeSerial: app.collectionCodeSerial, ...verification },
        ...(v?.method === 'noCode' ? { reason: '二次元コードの提示なし' } : {}),
      });
    },
  },
  withdraw: {
    actors: ['applicant'],
    from: ['inspectionFeesBulkPayment', 'inspectionCorrectionRequested'],
    when: (app, at) => {
      if (allowedActions(app, at).includes('withdraw')) return ok(true);
      if (app.status !== 'inspectionFeesBulkPayment') return refuse('deadlinePassed', '補正期限を過ぎているため、申請を取り下げることはできません。');
      return bulkPaymentNumberTaken(app)
        ? refuse('paymentNumberTaken', '納付番号を取得した後は、申請を取り下げることはできません。')
        : refuse('deadlinePassed', '納付期限を過ぎているため、申請を取り下げることはできません。');
    },
    apply: (app, _e, ctx) => {
      const n = notice(ctx, 'withdrawal', '申請者', '申請の取り下げ', '申請者により申請が取り下げられました。当該受付番号の申請は継続することができません。', null);
      return ok({ application: moveTo(app, 'withdrawn', ctx.at, { notices: [...resolveOpenNotices(app.notices, ctx.at), n], correctionDeadline: null }) });
    },
  },
  issueCollectionCode: {
    actors: ['applicant'],
    from: ['readyForReturn', 'readyForDelivery'],
    when: (app, at) => (allowedActions(app, at).includes('issueCollectionCode') ? ok(true) : refuse('statusDoesNotAllow', '記録等事務代行者が受け取るため、二次元コードの発行は不要です。')),
    apply: (app) => {
      const serial = app.collectionCodeSerial + 1;
      return ok({ application: { ...app, collectionCodeSerial: serial }, details: { serial } });
    },
  },
  expireCorrection: {
    actors: ['clock'],
    from: correctionStatuses,
    when: (app, at) => (deadlinePassed(app, at) ? ok(true) : refuse('deadlineNotPassed', '補正期限はまだ過ぎていません。')),
    apply: (app, _e, ctx) => expiryOutcome(app, ctx),
  },
  expirePayment: {
    actors: ['clock'],
    from: paymentStatuses,
    when: (app, at) => (deadlinePassed(app, at) ? ok(true) : refuse('deadlineNotPassed', '納付期限はまだ過ぎていません。')),
    apply: (app, _e, ctx) => expiryOutcome(app, ctx),
  },
};

/** 期限切れ: the plan of expiry.ts (which the sweep also applies in bulk), applied to one application. */
function expiryOutcome(app: Application, ctx: EventContext): Result<Outcome> {
  const deadline = currentDeadline(app) as { date: JapanDate };
  const expiry = decideExpiry({ id: app.id, status: app.status, version: app.version, deadline: deadline.date }, ctx.at, () => ctx.ids.id());
  if (!expiry.ok) return expiry;
  return ok({ application: applyExpiry(app, expiry.value), reason: expiry.value.history.reason, details: expiry.value.history.details });
}

function deadlinePassed(app: Application, at: Date): boolean {
  const deadline = currentDeadline(app);
  return deadline !== null && isDeadlinePassed(deadline.date, at);
}


/**
 * A payment made on or before its 納付期限 but reported by the payment network after the sweeper
 * made the application 無効 (docs/decisions/0005-late-reported-payment.md): the money was paid in
 * time, so the payment counts. The invalidation is undone — its notice is settled, the stage is
 * paid and the application moves on exactly as if the report had come in time — and the history
 * keeps both the invalidation and this restoration. Refused when the application was made 無効 for
 * another reason (an office's decision) or when the 納付日 is after the 納付期限: then the payment
 * network refunds it, as for any payment to an ended application.
 */
/** Made 無効 by the sweeper's 納付期限切れ (its notice still open), not by an office's decision. */
function invalidatedByPaymentExpiry(app: Application): boolean {
  const invalidation = [...app.notices].reverse().find((n) => n.kind === 'invalidation' && n.resolvedAt === null);
  return invalidation?.reasonTitle === PAYMENT_EXPIRED_TITLE;
}

function recordLateReportedPayment(app: Application, e: Extract<ApplicationEvent, { type: 'recordPayment' }>, ctx: EventContext): Result<Outcome> {
  const invalidation = [...app.notices].reverse().find((n) => n.kind === 'invalidation' && n.resolvedAt === null);
  if (!invalidation || invalidation.reasonTitle !== PAYMENT_EXPIRED_TITLE) {
    return refuse('statusDoesNotAllow', 'この申請は無効のため、納付を受け付けられません（納付期限切れ以外の理由による無効）。納付された金額は収納機関から返金してください。');
  }
  const expired = paymentStages.find((s) => linesOfStage(app, s).some((l) => l.status === 'unpaid'));
  if (expired !== e.stage) return refuse('statusDoesNotAllow', `この申請は無効になったときの税・手数料（${expired ? stageLabel(expired) : '-'}）以外の納付は受け付けられません。`);
  const unpaid = linesOfStage(app, expired).filter((l) => l.status === 'unpaid');
  if (unpaid.some((l) => l.paymentNumber === null)) return refuse('statusDoesNotAllow', 'まとめ納付の納付番号が取得されていないため、納付を受け付けられません。');
  if (e.paidOn > japanDateOf(ctx.at)) return refuse('invalidInput', '納付日に未来の日付は指定できません。');
  const dueOn = unpaid.reduce((d, l) => (l.dueOn < d ? l.dueOn : d), unpaid[0]!.dueOn);
  if (e.paidOn > dueOn) {
    return refuse('deadlinePassed', `納付日（${e.paidOn}）が納付期限（${dueOn}）を過ぎているため、無効になった申請の納付として受け付けられません。納付された金額は収納機関から返金してください。`);
  }
  const paymentLines = app.paymentLines.map((l) => (l.stage === expired && l.status === 'unpaid' ? { ...l, status: 'paid' as const, paidOn: e.paidOn } : l));
  const notices = app.notices.map((n) => (n.id === invalidation.id ? { ...n, resolvedAt: ctx.at } : n));
  const next = { ...app, paymentLines, notices };
  return ok({
    application: moveTo(next, nextAfterPayment(next, expired), ctx.at),
    reason: '納付期限内の納付（期限後の報告）により無効を取り消し',
    details: { stage: expired, paidOn: e.paidOn, dueOn, paymentNumber: unpaid[0]?.paymentNumber, restoredFrom: 'invalidated' },
  });
}

function setAttachment(app: Application, kind: AttachmentKind, state: 'acquired' | 'notRequired'): Result<Outcome> {
  if (!(procedures[app.procedure].attachments as readonly AttachmentKind[]).includes(kind)) {
    return refuse('procedureDoesNotAllow', `この手続では「${attachmentKinds[kind]}」は添付書類ではありません。`);
  }
  const current = app.attachments.find((a) => a.kind === kind);
  if (current && current.state !== 'notAcquired') return refuse('alreadyDone', `「${attachmentKinds[kind]}」はすでに${current.state === 'acquired' ? '取得済' : '不要'}です。`);
  const attachments = app.attachments.map((a) => (a.kind === kind ? { ...a, state } : a));
  return ok({ application: { ...app, attachments }, details: { kind, state } });
}

export function stageLabel(stage: PaymentStage): string {
  return { inspectionFees: '検査手数料・技術情報管理手数料', weightTax: '自動車重量税', vehicleTax: '軽自動車税環境性能割' }[stage];
}

/** Which events an actor kind may ever post (for API docs and the staff UI). */
export function eventsFor(kind: ActorKind): EventType[] {
  return (Object.keys(rules) as EventType[]).filter((t) => rules[t].actors.includes(kind));
}

export function eventAllowedIn(type: EventType, status: StatusCode): boolean {
  return rules[type].from.includes(status);
}

function actorMayActOn(app: Application, actor: Actor): Result<true> {
  if (actor.kind === 'inspectionOffice' && actor.officeCode !== app.officeCode) {
    return refuse('otherOffice', '他の事務所等の申請は操作できません。');
  }
  if (actor.kind === 'taxOffice') {
    if (app.procedure !== 'newVehicle') return refuse('procedureDoesNotAllow', '軽自動車税申告は新車の手続にのみあります。');
    if (taxOfficeFor(app.officeCode).code !== actor.taxOfficeCode) return refuse('otherOffice', '他の都道府県税事務所の申請は操作できません。');
  }
  return ok(true);
}

export const eventTypes = Object.keys(rules) as EventType[];

/**
 * May `actor` post an event of this type to the application at `at`? The precondition half of
 * `applyEvent`: the actor's right, the office, the status and the conditions that do not depend on
 * what the event carries. The refusal is the one `applyEvent` would give.
 */
export function eventPrecondition(app: Application, type: EventType, actor: Actor, at: Date): Result<true> {
  const rule = (rules as Record<string, EventRule<ApplicationEvent> | undefined>)[type];
  if (!rule) return refuse('invalidInput', '不明なイベントです。');
  if (!rule.actors.includes(actor.kind)) {
    return refuse('actorNotAllowed', `${actorKindLabels[actor.kind]}は「${eventLabels[type]}」を行うことができません。`);
  }
  const scope = actorMayActOn(app, actor);
  if (!scope.ok) return scope;
  const def: StatusDefinition = statuses[app.status];
  const reopens = rule.reopens?.includes(app.status) === true && (rule.reopenWhen?.(app) ?? true);
  if (def.terminal && !reopens) {
    return refuse('statusDoesNotAllow', `この申請は「${def.label}」のため、これ以上操作できません。`);
  }
  if (!rule.from.includes(app.status) && !reopens) {
    return refuse('statusDoesNotAllow', `現在の申請状況「${def.label}」では「${eventLabels[type]}」はできません。`);
  }
  return rule.when ? rule.when(app, at) : ok(true);
}

/** Every event for this actor, application and instant: allowed (ok) or the refusal it would get. */
export function eventOptions(app: Application, actor: Actor, at: Date): Record<EventType, Result<true>> {
  return Object.fromEntries(eventTypes.map((t) => [t, eventPrecondition(app, t, actor, at)])) as Record<EventType, Result<true>>;
}

/** The events the actor may post now. */
export function allowedEvents(app: Application, actor: Actor, at: Date): EventType[] {
  return eventTypes.filter((t) => eventPrecondition(app, t, actor, at).ok);
}

/**
 * The one door through which an application changes: checks the actor's right, the office,
 * and the current status (`eventPrecondition`), then applies the event. Returns the new state and
 * its history entry, or a refusal that leaves the application as it was.
 */
export function applyEvent(app: Application, event: ApplicationEvent, actor: Actor, ctx: EventContext): Result<Transition> {
  const allowed = eventPrecondition(app, event.type, actor, ctx.at);
  if (!allowed.ok) return allowed;
  const rule = rules[event.type] as EventRule<ApplicationEvent>;
  const outcome = rule.apply(app, event, ctx, actor);
  if (!outcome.ok) return outcome;
  const next: Application = { ...outcome.value.application, version: app.version + 1 };
  return ok({
    application: next,
    history: {
      event: event.type,
      fromStatus: app.status,
      toStatus: next.status,
      actor,
      reason: outcome.value.reason ?? null,
      details: outcome.value.details ?? {},
      occurredAt: ctx.at,
    },
  });
}

/** The contract of an event: who may post it, and in which statuses (the API's descriptions and the staff UI's decisions are built from it). */
export function eventContract(type: EventType): { readonly actors: readonly ActorKind[]; readonly from: readonly StatusCode[] } {
  return { actors: rules[type].actors, from: rules[type].from };
}
