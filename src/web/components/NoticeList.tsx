import { formatJapanDate } from '../../domain/format.js';
import type { Notification } from '../../domain/notifications.js';
import { japanDateOf } from '../../domain/time.js';

/** お知らせ: each with its date, title and body (the top page, the お知らせ page, the status page's 期限等に関するお知らせ). Nothing when there is none. */
export function NoticeList({ notices }: { notices: readonly Notification[] }) {
  if (notices.length === 0) return null;
  return (
    <ul class="notice-list">
      {notices.map((n) => (
        <li>
          <time dateTime={japanDateOf(n.publishedAt)}>{formatJapanDate(japanDateOf(n.publishedAt), 'compact')}</time>
          <span class="notice-list__title">{n.title}</span>
          <p class="notice-list__body">{n.body}</p>
        </li>
      ))}
    </ul>
  );
}
