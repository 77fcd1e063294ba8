import { correctableFields, type CorrectableField } from '../../domain/corrections.js';
import { eventLabels, stageLabel } from '../../domain/events.js';
import { formatJapanDate, formatJapanDateTime, formatYen } from '../../domain/format.js';
import { actorKindLabels, type ActorKind } from '../../domain/actors.js';
import { attachmentKinds, attachmentStates, type AttachmentKind, type AttachmentState } from '../../domain/procedures.js';
import { formatReceiptNumber } from '../../domain/receipt-number.js';
import { isStatusCode, statuses, type PaymentStage } from '../../domain/statuses.js';
import { isJapanDate } from '../../domain/time.js';
import { formatVehicleNumber } from '../../domain/vehicle.js';
import type { HistoryEntry } from '../../domain/history.js';

const statusLabel = (code: string | null) => (code && isStatusCode(code) ? statuses[code].label : (code ?? ''));
const date = (v: unknown) => (typeof v === 'string' && isJapanDate(v) ? formatJapanDate(v) : String(v));

/** What an event recorded, in words (受付番号, 期限, 納付日, 補正内容 …). */
export function detailLines(details: Readonly<Record<string, unknown>>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (value === null || value === undefined) continue;
    switch (key) {
      case 'receiptNumber':
        lines.push(`受付番号：${formatReceiptNumber(String(value))}`);
        break;
      case 'arrivalNumber':
        lines.push(`到達番号：${formatReceiptNumber(String(value))}`);
        break;
      case 'deadline':
        lines.push(`期限日：${date(value)}`);
        break;
      case 'dueOn':
        lines.push(`納付期限：${date(value)}`);
        break;
      case 'paidOn':
        lines.push(`納付日：${date(value)}`);
        break;
      case 'completedOn':
        lines.push(`審査完了年月日：${date(value)}`);
        break;
      case 'vehicleNumber':
        lines.push(`車両番号：${formatVehicleNumber(String(value))}`);
        break;
      case 'kind':
        lines.push(`添付書類：${attachmentKinds[value as AttachmentKind] ?? String(value)}`);
        break;
      case 'state':
        lines.push(`取得状況：${attachmentStates[value as AttachmentState] ?? String(value)}`);
        break;
      case 'stage':
        lines.push(`税・手数料：${stageLabel(value as PaymentStage)}`);
        break;
      case 'amount':
        lines.push(`税額：${typeof value === 'number' ? formatYen(value) : String(value)}`);
        break;
      case 'amounts':
        if (Array.isArray(value)) lines.push(...value.map((a) => (Array.isArray(a) && typeof a[1] === 'number' ? `${String(a[0])}：${formatYen(a[1])}` : JSON.stringify(a))));
        break;
      case 'paymentNumber':
        lines.push(`納付番号：${String(value)}`);
        break;
      case 'serial':
      case 'collectionCodeSerial':
        if (value === 0) {
          lines.push('二次元コード：未発行');
          break;
        }
        lines.push(`二次元コード：${String(value)}回目の発行${key === 'collectionCodeSerial' ? 'まで' : ''}`);
        break;
      case 'verification':
        lines.push(value === 'collectionCode' ? '受け取りの確認：二次元コードを窓口で確認' : '受け取りの確認：二次元コードの提示なし');
        break;
      case 'noCodeReason':
        lines.push(`提示なしの理由：${String(value)}`);
        break;
      case 'changes':
        if (Array.isArray(value)) {
          for (const c of value as { field: CorrectableField; before: string | null; after: string | null }[]) {
            lines.push(`補正：${correctableFields[c.field]?.label ?? c.field}「${c.before ?? ''}」→「${c.after ?? ''}」`);
          }
        }
        break;
      default:
        lines.push(`${key}：${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
  }
  return lines;
}

/** 申請の履歴: every event, who did it, when and why (the applicant's page does not show this). */
export function History({ entries }: { entries: readonly HistoryEntry[] }) {
  return (
    <section class="panel" aria-labelledby="staff-history-heading">
      <h2 id="staff-history-heading" class="panel__title">
        申請の履歴
      </h2>
      {/* Named after its table, and with ids of its own: the applicant's view on the same page has its own 履歴 panel. */}
      <div class="table-scroll" role="region" aria-labelledby="staff-history-caption" tabIndex={0}>
        <table class="data-table history-table">
          <caption id="staff-history-caption" class="visually-hidden">
            申請の履歴（古い順）
          </caption>
          <thead>
            <tr>
              <th scope="col">日時</th>
              <th scope="col">操作</th>
              <th scope="col">申請状況</th>
              <th scope="col">操作した者</th>
              <th scope="col">理由・内容</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((h) => (
              <tr data-event={h.event}>
                <td class="nowrap">{formatJapanDateTime(h.occurredAt)}</td>
                <td>{(eventLabels as Record<string, string>)[h.event] ?? h.event}</td>
                <td>
                  {h.fromStatus && h.fromStatus !== h.toStatus ? `${statusLabel(h.fromStatus)} → ${statusLabel(h.toStatus)}` : statusLabel(h.toStatus)}
                </td>
                <td>
                  {h.actorLabel}
                  {h.actorLabel !== actorKindLabels[h.actorKind as ActorKind] ? <span class="history-table__kind">（{actorKindLabels[h.actorKind as ActorKind] ?? h.actorKind}）</span> : null}
                </td>
                <td>
                  {h.reason ? <strong>{h.reason}</strong> : null}
                  {detailLines(h.details).map((line, i) => (
                    <>
                      {i > 0 || h.reason ? <br /> : null}
                      {line}
                    </>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
