import { noticeKindLabels, type Notice } from '../../../domain/application.js';
import { formatJapanDate } from '../../../domain/format.js';
import { MultilineText } from '../../components/forms.js';

/** One notice's rows: its kind (（補正済） once answered), the agency, the deadline and the reason. */
export function NoticeRows({ notice: n }: { notice: Notice }) {
  return (
    <tbody>
      <tr>
        <th scope="row">通知等情報</th>
        <td>
          {noticeKindLabels[n.kind]}
          {n.resolvedAt ? '（補正済）' : ''}
        </td>
      </tr>
      <tr>
        <th scope="row">行政機関等名</th>
        <td>{n.agencyName}</td>
      </tr>
      <tr>
        <th scope="row">期限日</th>
        <td>{n.deadline ? formatJapanDate(n.deadline) : ''}</td>
      </tr>
      <tr>
        <th scope="row">理由</th>
        <td>
          {n.reasonTitle}
          <br />
          <MultilineText text={n.reasonDetail} />
        </td>
      </tr>
    </tbody>
  );
}

/** 10 通知等情報: what the agencies notified (newest first), or the result of a withdrawal. */
export function Notices({ notices }: { notices: readonly Notice[] }) {
  if (notices.length === 0) return null;
  const newestFirst = [...notices].reverse();
  return (
    <section class="panel panel--warning" id="notices" aria-labelledby="notices-heading">
      <h2 id="notices-heading" class="panel__title">
        <span class="panel__icon" aria-hidden="true">
          ⚠
        </span>
        通知等情報
      </h2>
      {newestFirst.map((n, i) => (
        <table class="summary-table notice-table" data-notice-kind={n.kind}>
          <caption class="visually-hidden">
            通知等情報 {i + 1}件目（{noticeKindLabels[n.kind]}）
          </caption>
          <NoticeRows notice={n} />
        </table>
      ))}
    </section>
  );
}
