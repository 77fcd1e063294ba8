import { displayNumber, type Application, type PaymentLine } from './application.js';
import { stageLabel } from './events.js';
import type { ReceiptNumber } from './receipt-number.js';
import { ok, refuse, type Result } from './result.js';
import { allowedActions, bulkPaymentNumberTaken, currentDeadline, linesOfStage } from './rules.js';
import { statuses, type PaymentStage } from './statuses.js';
import { isDeadlinePassed, japanDateOf, type JapanDate } from './time.js';

/**
 * まとめ納付 across the applications of one 利用者ID (issue 16, docs/decisions/0010): the payment
 * lines of several applications in まとめ払い中, of one 収納機関 and one 納付区分, paid with ONE
 * 納付番号 and 確認番号 for their total.
 */

/** 収納機関: who collects (its 収納機関番号) and for which 納付区分 (the stage: 検査手数料等, 自動車重量税, 軽自動車税). */
export interface Collector {
  /** stage and 収納機関番号: lines with the same key may share one number. */
  readonly key: string;
  readonly stage: PaymentStage;
  /** 収納機関番号 */
  readonly collectorNumber: string;
  /** 収納機関名(漢字): the payees of its lines (検査手数料等: 軽自動車検査協会・自動車技術総合機構). */
  readonly payeeName: string;
  readonly payeeKana: string;
}

/**
 * 納付対象: one application's まとめ払い lines of its current stage, still without a number. The
 * lines of one stage of one application always share one number (as for a single payment), so
 * they are selected together.
 */
export interface PaymentTarget {
  readonly applicationId: string;
  /** 受付番号 (or 到達番号) */
  readonly number: ReceiptNumber;
  readonly userName: string;
  /** 車両番号, or the 車台番号 of a new car that has none yet. */
  readonly vehicle: string;
  readonly collector: Collector;
  readonly lines: readonly PaymentLine[];
  /** 金額: the sum of the lines, integer yen. */
  readonly amount: number;
  /** 納付期限 of the application's lines. */
  readonly dueOn: JapanDate;
}

export type PaymentGroupStatus = 'open' | 'paid' | 'cancelled' | 'expired';

export const paymentGroupStatusLabels: Record<PaymentGroupStatus, string> = {
  open: '未納',
  paid: '済',
  cancelled: 'キャンセル済（納付番号は無効）',
  expired: '納付期限切れ（納付番号は無効）',
};

export interface PaymentGroupMember {
  readonly applicationId: string;
  readonly number: ReceiptNumber;
  readonly lineIds: readonly string[];
  readonly amount: number;
  /** The application's own 納付期限 (the group's is the earliest of these). */
  readonly dueOn: JapanDate;
}

export interface PaymentGroup {
  readonly id: string;
  /** The 利用者ID's account that took the number. */
  readonly accountId: string;
  readonly collector: Collector;
  /** 納付番号 */
  readonly paymentNumber: string;
  /** 確認番号 */
  readonly confirmationNumber: string;
  /** 合計金額, integer yen. */
  readonly total: number;
  /** 納付期限: the earliest of the members' 納付期限. */
  readonly dueOn: JapanDate;
  readonly status: PaymentGroupStatus;
  readonly createdAt: Date;
  /** 納付完了日 */
  readonly paidOn: JapanDate | null;
  /** When it was paid, cancelled or expired. */
  readonly closedAt: Date | null;
  readonly members: readonly PaymentGroupMember[];
}

/** What an application's pages say of the open まとめ納付 that holds its lines (a read model). */
export interface OpenGroupSummary {
  readonly id: string;
  readonly paymentNumber: string;
  readonly total: number;
  readonly dueOn: JapanDate;
  /** How many applications it holds. */
  readonly members: number;
}

const stageOrder: readonly PaymentStage[] = ['inspectionFees', 'weightTax', 'vehicleTax'];

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

export function collectorOf(stage: PaymentStage, lines: readonly PaymentLine[]): Collector {
  const collectorNumber = distinct(lines.map((l) => l.collectorNumber)).join('・');
  return {
    key: `${stage}:${collectorNumber}`,
    stage,
    collectorNumber,
    payeeName: distinct(lines.map((l) => l.payeeName)).join('・'),
    payeeKana: distinct(lines.map((l) => l.payeeKana)).join('・'),
  };
}

/** 検査手数料等 / 自動車重量税 / 軽自動車税環境性能割, and who collects it: a heading of 納付対象の選択. */
export function collectorLabel(c: Collector): string {
  return `${stageLabel(c.stage)}（${c.payeeName}）`;
}

/**
 * The application's 納付対象 when it may join a まとめ納付 now: まとめ払い中, no number taken, its
 * 納付期限 not passed. Anything else (withdrawn, paid, already in a group, past its deadline): null.
 */
export function paymentTargetOf(app: Application, now: Date): PaymentTarget | null {
  const stage = statuses[app.status].paymentStage;
  if (!stage || !statuses[app.status].bulkPayment) return null;
  if (bulkPaymentNumberTaken(app) || !allowedActions(app, now).includes('takeBulkPaymentNumber')) return null;
  const lines = linesOfStage(app, stage).filter((l) => l.status === 'unpaid');
  const deadline = currentDeadline(app);
  if (lines.length === 0 || !deadline) return null;
  return {
    applicationId: app.id,
    number: displayNumber(app),
    userName: app.user.name,
    vehicle: app.vehicle.vehicleNumber ?? app.vehicle.chassisNumber,
    collector: collectorOf(stage, lines),
    lines,
    amount: lines.reduce((sum, l) => sum + l.amount, 0),
    dueOn: deadline.date,
  };
}

export interface CollectorTargets {
  readonly collector: Collector;
  readonly targets: readonly PaymentTarget[];
  readonly total: number;
}

/** 納付対象の選択: the targets by 収納機関 and 納付区分 (検査手数料等 first), each by nearest 納付期限. */
export function byCollector(targets: readonly PaymentTarget[]): CollectorTargets[] {
  const groups = new Map<string, PaymentTarget[]>();
  for (const t of targets) groups.set(t.collector.key, [...(groups.get(t.collector.key) ?? []), t]);
  return [...groups.values()]
    .map((ts) => {
      const sorted = [...ts].sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
      return { collector: sorted[0]!.collector, targets: sorted, total: sorted.reduce((s, t) => s + t.amount, 0) };
    })
    .sort((a, b) => stageOrder.indexOf(a.collector.stage) - stageOrder.indexOf(b.collector.stage) || (a.collector.key < b.collector.key ? -1 : 1));
}

export interface GroupDraft {
  readonly id: string;
  readonly accountId: string;
  readonly paymentNumber: string;
  readonly confirmationNumber: string;
  readonly at: Date;
}

/**
 * 納付番号を取得: one number and 確認番号 for the total of the selected targets, which must all be
 * of one 収納機関 and one 納付区分. Its 納付期限 is the earliest of theirs (decision 0010).
 */
export function formPaymentGroup(targets: readonly PaymentTarget[], draft: GroupDraft): Result<PaymentGroup> {
  if (targets.length === 0) return refuse('invalidInput', '納付対象を選択してください。');
  if (new Set(targets.map((t) => t.applicationId)).size !== targets.length) return refuse('invalidInput', '同じ申請が重複して選択されています。');
  const collector = targets[0]!.collector;
  if (targets.some((t) => t.collector.key !== collector.key)) {
    return refuse('invalidInput', '収納機関または納付区分の異なる納付対象は、一つの納付番号にまとめられません。収納機関ごとに選択してください。');
  }
  const dueOn = targets.map((t) => t.dueOn).reduce((a, b) => (b < a ? b : a));
  return ok({
    id: draft.id,
    accountId: draft.accountId,
    collector,
    paymentNumber: draft.paymentNumber,
    confirmationNumber: draft.confirmationNumber,
    total: targets.reduce((s, t) => s + t.amount, 0),
    dueOn,
    status: 'open',
    createdAt: draft.at,
    paidOn: null,
    closedAt: null,
    members: targets.map((t) => ({ applicationId: t.applicationId, number: t.number, lineIds: t.lines.map((l) => l.id), amount: t.amount, dueOn: t.dueOn })),
  });
}

function notOpen(group: PaymentGroup): Result<never> {
  return group.status === 'paid'
    ? refuse('alreadyDone', 'この納付番号はすでに納付済です。')
    : refuse('statusDoesNotAllow', `この納付番号は${paymentGroupStatusLabels[group.status]}です。`);
}

/** キャンセル before payment: the number becomes invalid; the members return to まとめ払い中. */
export function cancelPaymentGroup(group: PaymentGroup, at: Date): Result<PaymentGroup> {
  if (group.status !== 'open') return notOpen(group);
  return ok({ ...group, status: 'cancelled', closedAt: at });
}

/** Whether an open group's 納付期限 has passed: it expires at the next sweep. */
export function paymentGroupOverdue(group: PaymentGroup, now: Date): boolean {
  return group.status === 'open' && isDeadlinePassed(group.dueOn, now);
}

/** 納付期限切れ: the number becomes invalid (decision 0010 says what becomes of its members). */
export function expirePaymentGroup(group: PaymentGroup, at: Date): Result<PaymentGroup> {
  if (group.status !== 'open') return notOpen(group);
  if (!isDeadlinePassed(group.dueOn, at)) return refuse('deadlineNotPassed', '納付期限はまだ過ぎていません。');
  return ok({ ...group, status: 'expired', closedAt: at });
}

/**
 * The payment network reports the number paid on `paidOn`. An open group is settled; one that
 * expired is settled only for a payment made by its 納付期限 and reported late (decision 0005).
 */
export function settlePaymentGroup(group: PaymentGroup, paidOn: JapanDate, at: Date): Result<PaymentGroup> {
  if (paidOn > japanDateOf(at)) return refuse('invalidInput', '納付日に未来の日付は指定できません。');
  if (group.status === 'expired') {
    if (paidOn > group.dueOn) {
      return refuse('deadlinePassed', `納付日（${paidOn}）が納付期限（${group.dueOn}）を過ぎているため、この納付番号の納付として受け付けられません。納付された金額は収納機関から返金してください。`);
    }
  } else if (group.status !== 'open') {
    return notOpen(group);
  }
  return ok({ ...group, status: 'paid', paidOn, closedAt: at });
}

/**
 * What happens to a member when its group expires unpaid (decision 0010): an application whose
 * own 納付期限 has passed too keeps the dead number and is made 無効 by the sweeper like any other;
 * one whose own deadline is later gets its lines back (まとめ払い中 without a number), to be
 * selected again before its own deadline.
 */
export function memberOnExpiry(app: Application, now: Date): 'release' | 'leaveToSweeper' {
  const deadline = currentDeadline(app);
  return deadline !== null && isDeadlinePassed(deadline.date, now) ? 'leaveToSweeper' : 'release';
}

/** Whether the application's まとめ払い lines carry this group's number (it has not left the group). */
export function carriesGroupNumber(app: Application, group: PaymentGroup): boolean {
  const stage = group.collector.stage;
  const unpaid = linesOfStage(app, stage).filter((l) => l.status === 'unpaid');
  return unpaid.length > 0 && unpaid.every((l) => l.paymentNumber === group.paymentNumber);
}
