import { actorKindLabels, type ActorKind } from '../../../domain/actors.js';
import { correctableFields } from '../../../domain/corrections.js';
import { eventLabels, type EventType } from '../../../domain/events.js';
import { formatJapanDateTime } from '../../../domain/format.js';
import { statuses } from '../../../domain/statuses.js';
import { correctionChangesOf, type HistoryEntry } from '../../../domain/history.js';

/** A corrected value as shown before → after: （空欄） for none. */
export const valueOrBlank = (v: string | null) => (v === null || v === '' ? '（空欄）' : v);

/** What one entry says beyond its event: the corrected values (before → after), or the reason given. */
function Detail({ entry }: { entry: HistoryEntry }) {
  const changes = correctionChangesOf(entry);
  if (changes.length > 0) {
    return (
      <ul class="history__changes">
        {changes.map((c) => (
          <li>
            {correctableFields[c.field].label}：{valueOrBlank(c.before)} → {valueOrBlank(c.after)}
          </li>
        ))}
      </ul>
    );
  }
  return entry.reason ? <p class="history__reason">理由：{entry.reason}</p> : null;
}

/**
 * 申請状況の履歴 (beyond the manual's eleven parts): every event of the application with its date
 * and time, newest first, and the status it left the application in. Who acted is named by kind
 * (軽自動車検査協会事務所等, 収納機関 …), never by a clerk's name.
 */
export function History({ entries }: { entries: readonly HistoryEntry[] }) {
  if (entries.length === 0) return null;
  const newestFirst = [...entries].sort((a, b) => b.seq - a.seq);
  return (
    <section class="panel" id="history" aria-labelledby="history-heading">
      <h2 id="history-heading" class="panel__title">
        申請状況の履歴
      </h2>
      <p>申請が到達してからの申請状況の変更と操作を、新しい順に表示しています。</p>
      {/* The scrolling region is named after its table: two landmarks with one name would be ambiguous. */}
      <div class="table-scroll" role="region" aria-labelledby="history-caption" tabIndex={0}>
        <table class="data-table history">
          <caption id="history-caption" class="visually-hidden">
            申請状況の履歴（新しい順）
          </caption>
          <thead>
            <tr>
              <th scope="col">日時</th>
              <th scope="col">内容</th>
              <th scope="col">申請状況</th>
              <th scope="col">操作した者</th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.map((h) => {
              const to = statuses[h.toStatus]?.label ?? h.toStatus;
              const from = h.fromStatus ? (statuses[h.fromStatus]?.label ?? h.fromStatus) : null;
              const changed = from !== null && h.fromStatus !== h.toStatus;
              return (
                <tr data-event={h.event} data-status-changed={changed || from === null ? 'true' : 'false'}>
                  <td class="nowrap">
                    <time dateTime={h.occurredAt.toISOString()}>{formatJapanDateTime(h.occurredAt)}</time>
                  </td>
                  <td>
                    {eventLabels[h.event as EventType | 'arrive'] ?? h.event}
                    <Detail entry={h} />
                  </td>
                  <td>
                    {changed ? (
                      <>
                        {from} → <strong>{to}</strong>
                      </>
                    ) : (
                      to
                    )}
                  </td>
                  <td>{actorKindLabels[h.actorKind as ActorKind] ?? ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
