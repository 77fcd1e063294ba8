import { formatJapanDate } from '../../../domain/format.js';
import type { DeadlineReminder } from '../../../domain/rules.js';
import type { Notification } from '../../../domain/notifications.js';
import { NoticeList } from '../../components/NoticeList.js';

/**
 * 9 お知らせ、期限等に関するお知らせ: deadline warnings from three days before, and the agencies' お知らせ.
 * The calendar file is offered once, in 期限の予定.
 */
export function DeadlineNotices({ reminders, notifications }: { reminders: readonly DeadlineReminder[]; notifications: readonly Notification[] }) {
  if (reminders.length === 0 && notifications.length === 0) return null;
  return (
    <section class="panel panel--warning" id="announcements" aria-labelledby="announcements-heading">
      <h2 id="announcements-heading" class="panel__title">
        <span class="panel__icon" aria-hidden="true">
          ⚠
        </span>
        {reminders.length > 0 ? '期限等に関するお知らせ' : 'お知らせ'}
      </h2>
      {reminders.map((r) => (
        <p class="deadline-reminder" data-deadline-kind={r.kind}>
          {r.message}
          <br />
          <strong>
            {r.kind === 'correction' ? '補正期限' : '納付期限'}：{formatJapanDate(r.date)}（{r.daysLeft === 0 ? '本日まで' : `あと${r.daysLeft}日`}）
          </strong>
        </p>
      ))}
      <NoticeList notices={notifications} />
    </section>
  );
}
