import type { Actor } from './actors.js';
import { noticeKindLabels, type Application, type Notice, type NoticeKind, type PaymentLine } from './application.js';
import { eventPrecondition, stageLabel, type EventType } from './events.js';
import { formatJapanDate } from './format.js';
import { procedures } from './procedures.js';
import { ok, refuse, type Refusal, type Result } from './result.js';
import { allowedActions, bulkPaymentNumberTaken, currentDeadline, deadlineReminders, progressSummaryOf, stepMarks, type DeadlineReminder } from './rules.js';
import { statuses, type ApplicantAction, type PaymentStage, type StatusCode, type StatusDefinition, type StepMark } from './statuses.js';
import { isDeadlinePassed, type JapanDate } from './time.js';

/**
 * The status view: everything the manual's eleven parts of 申請状況確認 show for one application
 * at one instant, decided here once. The portal's status page, the staff UI's copy of it, the
 * agency API and the payment pages render this value; none of them decides a rule.
 */

const applicant: Actor = { kind: 'applicant' };

/** The applicant's actions that are events of the application (納付 and 再度申請 are not). */
const actionEvents = {
  withdraw: 'withdraw',
  correct: 'submitCorrection',
  chooseBulkPayment: 'chooseBulkPayment',
  takeBulkPaymentNumber: 'takeBulkPaymentNumber',
  issueCollectionCode: 'issueCollectionCode',
} as const satisfies Partial<Record<ApplicantAction, EventType>>;

/** A stopped application (取り下げ, 無効, 却下, 未受付): it continues no more and owes nothing. */
export function isStopped(app: Pick<Application, 'status'>): boolean {
  return statuses[app.status].steps === 'stopped';
}

/** 納付 (not an event: the payment network reports it): allowed, or why not, for the stage due now. */
function payRefusal(app: Application, now: Date): Result<true> {
  if (allowedActions(app, now).includes('pay')) return ok(true);
  const def: StatusDefinition = statuses[app.status];
  if (def.terminal) return refuse('statusDoesNotAllow', `この申請は「${def.label}」のため、納付できません。`);
  if (!def.applicantMay.includes('pay')) return refuse('statusDoesNotAllow', `現在の申請状況「${def.label}」では、納付はできません。`);
  const deadline = currentDeadline(app);
  if (deadline && isDeadlinePassed(deadline.date, now)) return refuse('deadlinePassed', '納付期限を過ぎているため、納付できません。');
  return refuse('statusDoesNotAllow', 'まとめ納付を選択しています。下の「納付対象を選択して納付番号を取得」を行ってから納付してください。');
}

/**
 * まとめ納付 means paying several applications with one number, which takes a 利用者ID (issue 16,
 * decision 0010): an application that is in no 利用者ID's list is not offered the choice.
 */
export const BULK_PAYMENT_NEEDS_ACCOUNT_MESSAGE =
  'まとめ納付は、利用者IDの申請一覧にある申請で利用できます。複数の申請をまとめて納付する場合は、利用者IDでログインし、申請一覧にこの申請を追加してください。';

/** What the status view is told besides the application: facts that live outside it. */
export interface ApplicantFacts {
  /** Whether the application is in a 利用者ID's list (undefined: not known here, nothing narrowed). */
  readonly heldByAccount?: boolean | undefined;
}

/** What the applicant may do now, each with the refusal the domain gives when it may not. */
export function applicantActions(app: Application, now: Date, facts: ApplicantFacts = {}): Record<ApplicantAction, Result<true>> {
  const def: StatusDefinition = statuses[app.status];
  const events = Object.fromEntries(Object.entries(actionEvents).map(([action, type]) => [action, eventPrecondition(app, type, applicant, now)])) as Record<keyof typeof actionEvents, Result<true>>;
  const chooseBulkPayment = events.chooseBulkPayment.ok && facts.heldByAccount === false ? refuse('statusDoesNotAllow', BULK_PAYMENT_NEEDS_ACCOUNT_MESSAGE) : events.chooseBulkPayment;
  return {
    ...events,
    chooseBulkPayment,
    pay: payRefusal(app, now),
    applyAgain: allowedActions(app, now).includes('applyAgain') ? ok(true) : refuse('statusDoesNotAllow', `現在の申請状況「${def.label}」では、再度の申請は不要です。`),
  };
}

/** The refusal of an applicant action, or null when it is allowed. */
export function applicantActionRefusal(app: Application, action: ApplicantAction, now: Date, facts: ApplicantFacts = {}): Refusal | null {
  const r = applicantActions(app, now, facts)[action];
  return r.ok ? null : r.refusal;
}

const CODE_NOT_ISSUED: Refusal = { code: 'notFound', message: '二次元コードはまだ発行されていません。「二次元コードを発行する」ボタンを押して発行してください。' };

/** Why the 2D code's image cannot be downloaded now: the action is not open, or no code has been issued yet. */
export function collectionCodeImageRefusal(app: Application, now: Date): Refusal | null {
  return applicantActionRefusal(app, 'issueCollectionCode', now) ?? (app.collectionCodeSerial < 1 || !app.receiptNumber ? CODE_NOT_ISSUED : null);
}

// ---- 1 手続進捗状況 ---------------------------------------------------------------------------

export interface StepView {
  readonly label: string;
  readonly mark: StepMark;
}

// ---- 2 通知メッセージ -------------------------------------------------------------------------

/** Where the ↓ 詳細へ link of the message leads: a part of the page. */
export type MessageTarget = 'notices' | 'announcements' | 'payments' | 'delivery';

export interface StatusMessage {
  readonly text: string;
  readonly target: MessageTarget;
}

/** The manual's banner for notices differs by procedure (sections 3 and 5). */
const noticeMessages: Record<Application['procedure'], string> = {
  continuousInspection: '通知等があります。画面下部の通知等情報を確認してください。',
  newVehicle: 'お知らせがあります。画面下部のお知らせ情報を確認してください。',
};
const ANNOUNCEMENT_MESSAGE = 'お知らせがあります。画面下部のお知らせ情報を確認してください。';

// ---- 6 納付情報 -------------------------------------------------------------------------------

/** 納付状況: 未納, 済, or - (no payment needed, or no longer: the application stopped). */
export type PaymentState = 'unpaid' | 'paid' | 'notRequired';
export const paymentStateLabels: Record<PaymentState, string> = { unpaid: '未納', paid: '済', notRequired: '-' };

/** The lines of one Pay-easy number: one row group of 納付情報. */
export interface PaymentGroupView {
  readonly stage: PaymentStage;
  readonly lines: readonly PaymentLine[];
  readonly state: PaymentState;
  readonly collectorNumber: string;
  /** 納付番号 and 確認番号 to show; null: none (shown 「-」, or 「（未取得）」 when `numberPending`). */
  readonly paymentNumber: string | null;
  readonly confirmationNumber: string | null;
  /** まとめ納付 chosen, its number not taken yet. */
  readonly numberPending: boolean;
  readonly paymentCategory: string;
  readonly paidOn: JapanDate | null;
  /** 納付期限; null when nothing is due (shown 「-」). */
  readonly dueOn: JapanDate | null;
  readonly total: number;
  /** The 納付 button of the status page: this stage is due now and can be paid or its number taken. */
  readonly payButton: boolean;
  /** Paying this stage now: allowed, or why not. */
  readonly pay: Result<true>;
}

function groupsOf(lines: readonly PaymentLine[]): { stage: PaymentStage; lines: PaymentLine[] }[] {
  const out: { stage: PaymentStage; lines: PaymentLine[] }[] = [];
  for (const line of lines) {
    const last = out[out.length - 1];
    if (last && last.stage === line.stage) last.lines.push(line);
    else out.push({ stage: line.stage, lines: [line] });
  }
  return out;
}

function storedState(lines: readonly PaymentLine[]): PaymentState {
  if (lines.some((l) => l.status === 'unpaid')) return 'unpaid';
  if (lines.some((l) => l.status === 'paid')) return 'paid';
  return 'notRequired';
}

function paymentGroup(app: Application, stage: PaymentStage, lines: readonly PaymentLine[], actions: Record<ApplicantAction, Result<true>>): PaymentGroupView {
  const first = lines[0] as PaymentLine;
  const stored = storedState(lines);
  // A stopped application owes nothing: what it had not paid is no longer needed.
  const state: PaymentState = stored === 'unpaid' && isStopped(app) ? 'notRequired' : stored;
  const live = state !== 'notRequired';
  const dueNow = statuses[app.status].paymentStage === stage;
  const paidOn = lines.find((l) => l.paidOn !== null)?.paidOn ?? null;
  let pay: Result<true>;
  if (state === 'paid') pay = refuse('alreadyDone', `この税・手数料は納付済です（納付完了日：${paidOn ? formatJapanDate(paidOn) : ''}）。`);
  else if (stored === 'notRequired') pay = refuse('alreadyDone', 'この税・手数料の納付は不要です。');
  else if (statuses[app.status].terminal || dueNow) pay = actions.pay;
  else {
    const after = stage === 'weightTax' ? '検査手数料・技術情報管理手数料の納付が確認された後に納付できます。' : '';
    pay = refuse('statusDoesNotAllow', `現在の申請状況「${statuses[app.status].label}」では、${stageLabel(stage)}は納付できません。${after}`);
  }
  return {
    stage,
    lines,
    state,
    collectorNumber: first.collectorNumber,
    paymentNumber: live ? first.paymentNumber : null,
    confirmationNumber: live ? first.confirmationNumber : null,
    numberPending: state === 'unpaid' && first.paymentNumber === null,
    paymentCategory: first.paymentCategory,
    paidOn,
    dueOn: live ? first.dueOn : null,
    total: lines.reduce((sum, l) => sum + l.amount, 0),
    payButton: state === 'unpaid' && dueNow && (actions.pay.ok || actions.takeBulkPaymentNumber.ok),
    pay,
  };
}

/** Whether the まとめ払い of this stage may still be withdrawn before its number is taken (検査手数料等 only). */
export function bulkPaymentAllowsWithdrawal(stage: PaymentStage): boolean {
  return (Object.values(statuses) as StatusDefinition[]).some((s) => s.paymentStage === stage && s.bulkPayment && s.applicantMay.includes('withdraw'));
}

/** A まとめ納付 action posted for another stage than the one now due is refused like a wrong status (null: the stage is due, or the event itself will refuse). */
export function stageRefusal(app: Application, stage: PaymentStage, what: string): Refusal | null {
  const def: StatusDefinition = statuses[app.status];
  if (def.paymentStage === stage || def.terminal || def.paymentStage === null) return null;
  return { code: 'statusDoesNotAllow', message: `現在の申請状況「${def.label}」では、${stageLabel(stage)}の「${what}」はできません。` };
}

/** The correction request the applicant answers now: the latest open 補正 notice. */
export function openCorrectionNotice(app: Application): Notice | null {
  return [...app.notices].reverse().find((n) => noticeOutcome(n, app.notices) === 'open') ?? null;
}

/** The payment groups of one stage (納付 page), as the status view shows them. */
export function paymentGroupOf(view: StatusView, stage: PaymentStage): PaymentGroupView | null {
  return view.payments.find((g) => g.stage === stage) ?? null;
}

// ---- 7, 8, 11: the boxes with buttons ---------------------------------------------------------

/** 7 申請の取り下げが可能です（まとめ納付の場合） */
export interface WithdrawalView {
  readonly withdraw: Result<true>;
}

/** 8 交付物の受け取りに関する情報 */
export interface CollectionView {
  /** 記録等事務代行者 collects: no 2D code needed. */
  readonly byAgent: boolean;
  /** 返付済 / 交付済 */
  readonly collected: boolean;
  /** The status in which the code can be issued: 返付準備完了 or 交付準備完了. */
  readonly readyLabel: string;
  /** The 2D-code button: null when not shown (agent, collected), else allowed or not. */
  readonly issueCode: Result<true> | null;
}

/** 11 補正指示が出ています */
export interface CorrectionView {
  readonly correct: Result<true>;
  /** 申請を取り下げる: offered for a 検査申請 correction only (null: not offered). */
  readonly withdraw: Result<true> | null;
}

// ---- 9 期限等に関するお知らせ, and the running deadlines ----------------------------------------

/** A deadline still running for the application: 補正期限, or a 納付期限 of unpaid fees or taxes. */
export interface RunningDeadline {
  readonly kind: 'correction' | 'payment';
  readonly date: JapanDate;
  /** 補正期限 / 納付期限 */
  readonly label: string;
  /** What is due by then (the stages of a 納付期限). */
  readonly what: string;
}

export function runningDeadlines(app: Application, now: Date): RunningDeadline[] {
  const def: StatusDefinition = statuses[app.status];
  if (def.terminal) return [];
  const out: RunningDeadline[] = [];
  if (def.deadline === 'correction' && app.correctionDeadline && !isDeadlinePassed(app.correctionDeadline, now)) {
    out.push({ kind: 'correction', date: app.correctionDeadline, label: '補正期限', what: '補正申請' });
  }
  const byDate = new Map<JapanDate, PaymentStage[]>();
  for (const line of app.paymentLines) {
    if (line.status !== 'unpaid' || isDeadlinePassed(line.dueOn, now)) continue;
    const stages = byDate.get(line.dueOn) ?? [];
    if (!stages.includes(line.stage)) stages.push(line.stage);
    byDate.set(line.dueOn, stages);
  }
  for (const [date, stages] of byDate) out.push({ kind: 'payment', date, label: '納付期限', what: stages.map(stageLabel).join('、') });
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

// ---- 10 通知等情報 ----------------------------------------------------------------------------

/** What became of a notice: still open, answered by a correction, closed by a stop, or final. */
export type NoticeOutcome = 'open' | 'corrected' | 'closed' | 'final';

export interface NoticeView {
  readonly notice: Notice;
  /** 通知等情報: 補正, 補正（補正済）, 却下, 無効, 未受付, 取り下げ */
  readonly label: string;
  readonly outcome: NoticeOutcome;
}

const correctionKinds: readonly NoticeKind[] = ['correction', 'taxCorrection'];
const stopKinds: readonly NoticeKind[] = ['rejection', 'invalidation', 'withdrawal', 'notAccepted'];

/**
 * A correction request is settled (resolvedAt) by the applicant's correction, or by the event that
 * stopped the application: that event issues its own notice (却下, 無効, 取り下げ) at the same
 * instant. Only the first is 補正済.
 */
function noticeOutcome(n: Notice, all: readonly Notice[]): NoticeOutcome {
  if (!correctionKinds.includes(n.kind)) return 'final';
  if (n.resolvedAt === null) return 'open';
  const at = n.resolvedAt.getTime();
  return all.some((m) => stopKinds.includes(m.kind) && m.issuedAt.getTime() === at) ? 'closed' : 'corrected';
}

/** One notice as 通知等情報 shows it, among all the application's notices. */
export function noticeViewOf(n: Notice, all: readonly Notice[]): NoticeView {
  const outcome = noticeOutcome(n, all);
  return { notice: n, outcome, label: `${noticeKindLabels[n.kind]}${outcome === 'corrected' ? '（補正済）' : ''}` };
}

// ---- the view -------------------------------------------------------------------------------

export interface StatusView {
  readonly status: StatusCode;
  readonly statusLabel: string;
  /** No event moves the application any more (完了 or stopped). */
  readonly closed: boolean;
  /** 1 手続進捗状況, and what a screen reader says of it. */
  readonly steps: readonly StepView[];
  readonly progressSummary: string;
  /** 2 通知メッセージ: what to read or do now, or nothing. */
  readonly message: StatusMessage | null;
  /** The stage due now (a payment status), else null. */
  readonly paymentStage: PaymentStage | null;
  /** 6 納付情報, one group per Pay-easy number. */
  readonly payments: readonly PaymentGroupView[];
  /** 7: shown only in 検査手数料等まとめ払い中 before the number is taken. */
  readonly withdrawal: WithdrawalView | null;
  /** 8: absent for applications that will never be collected. */
  readonly collection: CollectionView | null;
  /** 9 期限等に関するお知らせ (the agencies' お知らせ are read by the service). */
  readonly reminders: readonly DeadlineReminder[];
  /** The running deadlines (期限の予定 and its calendar file). */
  readonly deadlines: readonly RunningDeadline[];
  /** 10 通知等情報, newest first, each with its real outcome. */
  readonly notices: readonly NoticeView[];
  /** 11: shown while a correction is requested. */
  readonly correction: CorrectionView | null;
  /** 再度申請を行う: the application stopped. */
  readonly applyAgain: boolean;
  readonly actions: Record<ApplicantAction, Result<true>>;
}

export interface StatusViewOptions extends ApplicantFacts {
  /** How many お知らせ of the agencies the application has (they live outside the application). */
  readonly announcements?: number;
}

function stepsOf(app: Application): StepView[] {
  const marks = stepMarks(app);
  // The documents are ready, but a 記録等事務代行者 collects them: nothing for the applicant to do.
  const agentCollects = (statuses[app.status] as StatusDefinition).applicantMay.includes('issueCollectionCode') && (app.recordingAgent?.usable ?? false);
  return procedures[app.procedure].steps.map((label, i) => {
    const mark = marks[i] ?? 'pending';
    return { label, mark: agentCollects && mark === 'action' ? 'pending' : mark };
  });
}

function messageOf(app: Application, view: Omit<StatusView, 'message'>, announcements: number): StatusMessage | null {
  if (app.notices.some((n) => n.resolvedAt === null)) return { text: noticeMessages[app.procedure], target: 'notices' };
  const stage = view.paymentStage;
  if (stage && view.steps.some((s) => s.mark === 'action')) {
    const pay = view.actions.pay;
    if (!pay.ok && pay.refusal.code === 'deadlinePassed') return { text: '納付期限を過ぎているため、納付できません。画面下部の納付情報を確認してください。', target: 'payments' };
    return { text: `${stageLabel(stage)}の納付を行ってください。画面下部の納付情報を確認してください。`, target: 'payments' };
  }
  if (view.collection?.issueCode?.ok) {
    const verb = app.procedure === 'continuousInspection' ? '返付' : '交付';
    return {
      text: `自動車検査証の${verb}が可能な状態です。「受取者認証兼受取車両個別申告用二次元コードの発行」ボタンから二次元コードを発行・印刷し、交付物の受け取り時に、申請先の軽自動車検査協会の事務所等に提出してください。`,
      target: 'delivery',
    };
  }
  if (view.reminders.length > 0 || announcements > 0) return { text: ANNOUNCEMENT_MESSAGE, target: 'announcements' };
  return null;
}

/** The status view of an application at `now`. */
export function statusView(app: Application, now: Date, options: StatusViewOptions = {}): StatusView {
  const def: StatusDefinition = statuses[app.status];
  const actions = applicantActions(app, now, options);
  const stopped = isStopped(app);
  const collection: CollectionView | null = stopped
    ? null
    : (() => {
        const byAgent = app.recordingAgent?.usable ?? false;
        const collected = def.terminal;
        const ready = (Object.values(statuses) as StatusDefinition[]).find((s) => s.applicantMay.includes('issueCollectionCode') && s.procedures.includes(app.procedure));
        return { byAgent, collected, readyLabel: ready?.label ?? '', issueCode: byAgent || collected ? null : actions.issueCollectionCode };
      })();
  const steps = stepsOf(app);
  const payments = groupsOf(app.paymentLines).map((g) => paymentGroup(app, g.stage, g.lines, actions));
  const withdrawal: WithdrawalView | null = def.bulkPayment && def.applicantMay.includes('withdraw') && !bulkPaymentNumberTaken(app) ? { withdraw: actions.withdraw } : null;
  const correction: CorrectionView | null = def.deadline === 'correction' ? { correct: actions.correct, withdraw: def.applicantMay.includes('withdraw') ? actions.withdraw : null } : null;
  const notices = [...app.notices].reverse().map((n) => noticeViewOf(n, app.notices));
  const base: Omit<StatusView, 'message'> = {
    status: app.status,
    statusLabel: def.label,
    closed: def.terminal,
    steps,
    progressSummary: progressSummaryOf(steps.map((x) => x.label), steps.map((x) => x.mark)),
    paymentStage: def.paymentStage,
    payments,
    withdrawal,
    collection,
    reminders: deadlineReminders(app, now),
    deadlines: runningDeadlines(app, now),
    notices,
    correction,
    applyAgain: actions.applyAgain.ok,
    actions,
  };
  return { ...base, message: messageOf(app, base, options.announcements ?? 0) };
}

// ---- 申請一覧 of a 利用者ID (issue 16) ---------------------------------------------------------

/** Where an application stands in a 利用者ID's 申請一覧: needs the user, in progress, or finished. */
export type ListGroup = 'needsUser' | 'inProgress' | 'finished';
export const listGroupLabels: Record<ListGroup, string> = { needsUser: 'お客様の操作が必要な申請', inProgress: '手続中の申請', finished: '終了した申請' };

/**
 * The status's group in the list: 'needsUser' where the status asks the applicant to act (納付,
 * まとめ納付, 補正, the 2D code of 返付・交付準備完了 — a ! step mark), 'finished' where nothing moves any
 * more, 'inProgress' otherwise (waiting for the office, a tax office, the payment network, a source).
 */
export function listGroupOf(status: StatusCode): ListGroup {
  const def: StatusDefinition = statuses[status];
  if (def.terminal) return 'finished';
  return def.applicantMay.some((a) => a !== 'withdraw' && a !== 'applyAgain') ? 'needsUser' : 'inProgress';
}

/** The list's order of groups; within 'needsUser' the nearest running deadline (補正期限 / 納付期限) first, 返付・交付準備完了 after them. */
export const listGroupOrder: readonly ListGroup[] = ['needsUser', 'inProgress', 'finished'];
