import type { ComponentChildren } from 'preact';
import type { Application } from '../../../domain/application.js';
import { procedures } from '../../../domain/procedures.js';
import { statusView } from '../../../domain/status-view.js';
import type { HistoryEntry } from '../../../domain/history.js';
import type { Notification } from '../../../domain/notifications.js';
import { Layout } from '../../components/Layout.js';
import { CsrfField } from '../../components/forms.js';
import type { PageContext } from '../../page-context.js';
import { Attachments } from './Attachments.js';
import { CorrectionInstruction } from './CorrectionInstruction.js';
import { CurrentStatus } from './CurrentStatus.js';
import { DeadlineNotices } from './DeadlineNotices.js';
import { DeadlineCalendar } from './DeadlineCalendar.js';
import { Delivery } from './Delivery.js';
import { Examination } from './Examination.js';
import { History } from './History.js';
import { Notices } from './Notices.js';
import { NotificationMessage } from './NotificationMessage.js';
import { Payments } from './Payments.js';
import { ProgressSteps } from './ProgressSteps.js';
import { WithdrawalBox } from './WithdrawalBox.js';

export interface StatusPageProps {
  readonly ctx: PageContext;
  readonly application: Application;
  readonly notifications: readonly Notification[];
  readonly now: Date;
  /** A banner at the top (e.g. the result of an action just taken). */
  readonly flash?: ComponentChildren;
  /** Whether a 利用者ID holds the application (まとめ納付 is offered only then; undefined: not known). */
  readonly heldByAccount?: boolean | undefined;
  /** Opened from a 利用者ID's 申請一覧 (issue 16): a way back to it. */
  readonly fromAccountList?: boolean | undefined;
  /** Parts added after the manual's eleven. */
  readonly extra?: ComponentChildren;
  /** 連絡先メールアドレス (issue 15): rendered by the caller per request, apart from the rest of the page. */
  readonly mail?: ComponentChildren;
  /** 申請状況の履歴 (beyond the manual), shown after the manual's parts. */
  readonly history?: readonly HistoryEntry[];
}

/** 検査申請取り下げ・無効・却下・未受付: the manual's 参照先の手順書 is 初回申請; the menu entry is one click away. */
function ApplyAgain() {
  return (
    <section class="panel" aria-labelledby="apply-again-heading">
      <h2 id="apply-again-heading" class="panel__title">
        再度の申請
      </h2>
      <p>この申請は継続することができません。必要に応じ、再度申請を行ってください（【画面申請】初回申請の操作手順）。</p>
      <p>
        <a class="button button--secondary" href="/apply">
          申請を行う
        </a>
      </p>
    </section>
  );
}

/**
 * 申請状況確認 (manual 3 and 5): the eleven parts in the manual's order, rendering the domain's
 * status view. Each part appears exactly when the view says it does; buttons whose action the view
 * does not allow are shown disabled.
 */
export function StatusPage({ ctx, application, notifications, now, flash, extra, mail, history, heldByAccount, fromAccountList }: StatusPageProps) {
  const label = procedures[application.procedure].label;
  const view = statusView(application, now, { announcements: notifications.length, heldByAccount });
  return (
    <Layout ctx={ctx} title={`申請状況確認 ${label}`} mainClass="main--wide status-page">
      <h1 class="page-title">
        <span class="page-title__crumb">状況照会</span> 申請状況確認 <span class="procedure-tag">{label}</span>
      </h1>
      {fromAccountList ? (
        <p>
          <a href="/account/applications">申請一覧へ戻る</a>
        </p>
      ) : null}
      {flash}
      <ProgressSteps steps={view.steps} summary={view.progressSummary} />
      <NotificationMessage message={view.message} />
      <CurrentStatus application={application} />
      <Attachments application={application} />
      <Examination application={application} />
      <Payments payments={view.payments} />
      <WithdrawalBox withdrawal={view.withdrawal} />
      <Delivery application={application} collection={view.collection} />
      <DeadlineNotices reminders={view.reminders} notifications={notifications} />
      <DeadlineCalendar deadlines={view.deadlines} />
      <Notices notices={view.notices} />
      <CorrectionInstruction correction={view.correction} />
      {view.applyAgain ? <ApplyAgain /> : null}
      {extra}
      {mail}
      <History entries={history ?? []} />
      <form method="post" action="/inquiry/logout" class="button-row button-row--end">
        <CsrfField token={ctx.csrfToken} />
        <button type="submit" class="button button--secondary">
          終了
        </button>
      </form>
    </Layout>
  );
}
