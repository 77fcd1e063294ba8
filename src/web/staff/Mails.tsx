import { formatJapanDateTime } from '../../domain/format.js';
import { maskAddress, outboxStateLabels, type OutboxMessage } from '../../domain/mail.js';
import { applicationMailKindLabels } from '../../domain/mail-content.js';

const kindLabel = (kind: string) => (Object.hasOwn(applicationMailKindLabels, kind) ? applicationMailKindLabels[kind as keyof typeof applicationMailKindLabels] : kind);

/** 申請者へのメール (issue 15): every mail about the application, its state and times; a failed one stands out. */
export function Mails({ mails }: { mails: readonly OutboxMessage[] }) {
  return (
    <section class="panel" aria-labelledby="mails-heading">
      <h2 id="mails-heading" class="panel__title">
        申請者へのメール
      </h2>
      {mails.length === 0 ? (
        <p>この申請について送信したメールはありません。</p>
      ) : (
        <div class="table-scroll" role="region" aria-labelledby="staff-mails-caption" tabIndex={0}>
          <table class="data-table">
            <caption id="staff-mails-caption" class="visually-hidden">
              申請者へのメールの一覧（古い順）
            </caption>
            <thead>
              <tr>
                <th scope="col">作成日時</th>
                <th scope="col">種類</th>
                <th scope="col">件名</th>
                <th scope="col">宛先</th>
                <th scope="col">状態</th>
                <th scope="col">送信日時</th>
                <th scope="col">試行回数・エラー</th>
              </tr>
            </thead>
            <tbody>
              {mails.map((m) => (
                <tr data-state={m.state}>
                  <td>{formatJapanDateTime(m.createdAt)}</td>
                  <td>{kindLabel(m.kind)}</td>
                  <td>{m.subject}</td>
                  <td>{maskAddress(m.to)}</td>
                  <td>{m.state === 'queued' && m.attempts > 0 ? '再送待ち' : outboxStateLabels[m.state]}</td>
                  <td>{m.sentAt ? formatJapanDateTime(m.sentAt) : '-'}</td>
                  <td>
                    {m.attempts}回{m.lastError ? `（${m.lastError}）` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
