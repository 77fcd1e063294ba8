import { noticeKindLabels, type Notice } from '../../../domain/application.js';
import { formatJapanDate } from '../../../domain/format.js';
import type { NoticeView } from '../../../domain/status-view.js';
import { MultilineText } from '../../components/forms.js';

/** One notice's rows: its kind as the status view labels it (補正（補正済） once corrected), the agency, the deadline and the reason. */
export function NoticeRows({ notice: n, label }: { notice: Notice; label?: string }) {
  return (
    <tbody>
      <tr>
        <th scope="row">通知等情報</th>
        <td>{label ?? noticeKindLabels[n.kind]}</td>
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
export function Notices({ notices }: { notices: readonly NoticeView[] }) {
  if (notices.length === 0) return null;
  return (
    <section class="panel panel--warning" id="notices" aria-labelledby="notices-heading">
      <h2 id="notices-heading" class="panel__title">
        <span class="panel__icon" aria-hidden="true">
          ⚠
        </span>
        通知等情報
      </h2>
      {notices.map((v, i) => (
        <table class="summary-table notice-table" data-notice-kind={v.notice.kind} data-notice-outcome={v.outcome}>
          <caption class="visually-hidden">
            通知等情報 {i + 1}件目（{v.label}）
          </caption>
          <NoticeRows notice={v.notice} label={v.label} />
        </table>
      ))}
    </section>
  );
}
