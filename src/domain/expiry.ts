import type { Actor } from './actors.js';
import type { Application, Notice, NoticeKind } from './application.js';
import { formatJapanDate } from './format.js';
import { ok, refuse, type Result } from './result.js';
import { statuses, type StatusCode } from './statuses.js';
import { isDeadlinePassed, type JapanDate } from './time.js';

/**
 * 期限切れ as data (issue 18, decision 0018): what the clock does to an application whose running
 * deadline passed, stated once, so that the deadline sweep can apply it to thousands of
 * applications in a few set-based statements while `applyEvent` applies the very same rule to one
 * (the rules `expireCorrection` and `expirePayment` of events.ts are built from it).
 */
export interface ExpiryPlan {
  readonly event: 'expireCorrection' | 'expirePayment';
  readonly from: StatusCode;
  readonly to: 'rejected' | 'invalidated';
  /** Whether the 補正期限 is cleared (a correction that can no longer be filed). */
  readonly clearsCorrectionDeadline: boolean;
  /** The kinds of open notices settled (their resolved_at set to the expiry's instant). */
  readonly settlesNotices: readonly NoticeKind[];
  /** The notice added: 通知等情報 of the 期限切れ. */
  readonly notice: { readonly kind: NoticeKind; readonly agencyName: string; readonly reasonTitle: string; readonly detail: (deadline: JapanDate) => string };
  /** The history's reason. */
  readonly reason: string;
}

export const INSPECTION_AGENCY = '軽自動車検査協会事務所等';
export const TAX_AGENCY = '都道府県税事務所';

/** The reason of an invalidation by the deadline sweeper (納付期限切れ). */
export const PAYMENT_EXPIRED_TITLE = '納付期限切れ';

/** Notices that stay open until the application moves on (a correction request). */
export const OPEN_NOTICE_KINDS: readonly NoticeKind[] = ['correction', 'taxCorrection'];

/** The plan of the expiry from this status: null when the status has no running deadline. */
export function expiryPlan(status: StatusCode): ExpiryPlan | null {
  const kind = statuses[status].deadline;
  if (kind === 'correction') {
    return {
      event: 'expireCorrection',
      from: status,
      to: 'rejected',
      clearsCorrectionDeadline: true,
      settlesNotices: OPEN_NOTICE_KINDS,
      notice: {
        kind: 'rejection',
        agencyName: status === 'taxDeclarationCorrectionRequested' ? TAX_AGENCY : INSPECTION_AGENCY,
        reasonTitle: '期限切れ却下',
        detail: (d) => `補正期限（${formatJapanDate(d)}）までに補正申請が行われなかったため、申請は却下されました。`,
      },
      reason: '期限切れ却下',
    };
  }
  if (kind === 'payment') {
    return {
      event: 'expirePayment',
      from: status,
      to: 'invalidated',
      clearsCorrectionDeadline: false,
      settlesNotices: [],
      notice: {
        kind: 'invalidation',
        agencyName: INSPECTION_AGENCY,
        reasonTitle: PAYMENT_EXPIRED_TITLE,
        detail: (d) => `納付期限（${formatJapanDate(d)}）までに税・手数料が納付されなかったため、申請は無効になりました。`,
      },
      reason: '納付期限切れ',
    };
  }
  return null;
}

/** What the expiry of one application needs to know: its status, version and running deadline. */
export interface DueApplication {
  readonly id: string;
  readonly status: StatusCode;
  readonly version: number;
  readonly deadline: JapanDate;
}

/** One application's expiry, decided: the plan, the notice added, the version written and the history row. */
export interface Expiry {
  readonly applicationId: string;
  readonly plan: ExpiryPlan;
  /** The version read (the write's guard). */
  readonly fromVersion: number;
  readonly version: number;
  readonly notice: Notice;
  readonly history: {
    readonly event: ExpiryPlan['event'];
    readonly fromStatus: StatusCode;
    readonly toStatus: ExpiryPlan['to'];
    readonly actor: Actor;
    readonly reason: string;
    readonly details: { readonly deadline: JapanDate };
    readonly occurredAt: Date;
  };
}

const CLOCK: Actor = { kind: 'clock' };

/**
 * The clock's expiry of one application at `at`, or the refusal `applyEvent` would give: only a
 * status with a running deadline, only once that deadline has passed. `newId` gives the notice's id.
 */
export function decideExpiry(due: DueApplication, at: Date, newId: () => string): Result<Expiry> {
  const plan = expiryPlan(due.status);
  if (!plan) return refuse('statusDoesNotAllow', `現在の申請状況「${statuses[due.status].label}」には期限がありません。`);
  if (!isDeadlinePassed(due.deadline, at)) return refuse('deadlineNotPassed', plan.event === 'expireCorrection' ? '補正期限はまだ過ぎていません。' : '納付期限はまだ過ぎていません。');
  const notice: Notice = { id: newId(), kind: plan.notice.kind, agencyName: plan.notice.agencyName, deadline: null, reasonTitle: plan.notice.reasonTitle, reasonDetail: plan.notice.detail(due.deadline), issuedAt: at, resolvedAt: null };
  return ok({
    applicationId: due.id,
    plan,
    fromVersion: due.version,
    version: due.version + 1,
    notice,
    history: { event: plan.event, fromStatus: due.status, toStatus: plan.to, actor: CLOCK, reason: plan.reason, details: { deadline: due.deadline }, occurredAt: at },
  });
}

/** The application after its expiry (the version is the caller's: `applyEvent` bumps it). */
export function applyExpiry(app: Application, expiry: Expiry): Application {
  const at = expiry.history.occurredAt;
  const { plan } = expiry;
  const notices = app.notices.map((n) => (n.resolvedAt === null && plan.settlesNotices.includes(n.kind) ? { ...n, resolvedAt: at } : n));
  return {
    ...app,
    status: plan.to,
    statusChangedAt: at,
    notices: [...notices, expiry.notice],
    correctionDeadline: plan.clearsCorrectionDeadline ? null : app.correctionDeadline,
  };
}
