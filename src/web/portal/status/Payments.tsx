import type { Application, PaymentLine } from '../../../domain/application.js';
import { formatJapanDate, formatPaymentNumber, formatYen } from '../../../domain/format.js';
import type { ApplicantAction, PaymentStage } from '../../../domain/statuses.js';
import { statuses } from '../../../domain/statuses.js';
import { ButtonLink } from '../../components/forms.js';

export const paymentStatusLabels = { unpaid: '未納', paid: '済', notRequired: '-' } as const;

function groups(lines: readonly PaymentLine[]): { stage: PaymentStage; lines: PaymentLine[] }[] {
  const out: { stage: PaymentStage; lines: PaymentLine[] }[] = [];
  for (const line of lines) {
    const last = out[out.length - 1];
    if (last && last.stage === line.stage) last.lines.push(line);
    else out.push({ stage: line.stage, lines: [line] });
  }
  return out;
}

/** The status shown for a group: 未納 while any line is unpaid, 済 when paid, - when nothing is due. */
export function groupStatus(lines: readonly PaymentLine[]): PaymentLine['status'] {
  if (lines.some((l) => l.status === 'unpaid')) return 'unpaid';
  if (lines.some((l) => l.status === 'paid')) return 'paid';
  return 'notRequired';
}

/** 6 納付情報: one row per fee, grouped by its Pay-easy number, with a 納付 button for what can be paid now. */
export function Payments({ application, actions }: { application: Application; actions: readonly ApplicantAction[] }) {
  const currentStage = statuses[application.status].paymentStage;
  const canPay = actions.includes('pay') || actions.includes('takeBulkPaymentNumber');
  return (
    <section class="panel" aria-labelledby="payments-heading">
      <h2 id="payments-heading" class="panel__title">
        納付情報
      </h2>
      {application.paymentLines.length === 0 ? (
        <p>現在、表示できる納付情報はありません。税・手数料の納付が可能になると、ここに表示されます。</p>
      ) : (
        // Named after the table, not the section: two regions with one name would be ambiguous.
        <div class="table-scroll" role="region" aria-labelledby="payments-caption" tabIndex={0}>
          <table class="data-table payment-table" data-stack>
            <caption id="payments-caption" class="visually-hidden">
              税・手数料の納付情報
            </caption>
            <thead>
              <tr>
                <th scope="col">収納機関番号</th>
                <th scope="col">納付番号</th>
                <th scope="col">確認番号</th>
                <th scope="col">納付区分</th>
                <th scope="col">税・手数料種別</th>
                <th scope="col">納付区別</th>
                <th scope="col">金額</th>
                <th scope="col">収納機関名(漢字)</th>
                <th scope="col">収納機関名(カナ)</th>
                <th scope="col">納付状況</th>
                <th scope="col">納付完了日</th>
                <th scope="col">納付期限</th>
                <th scope="col">納付</th>
              </tr>
            </thead>
            {groups(application.paymentLines).map((group) => {
              const first = group.lines[0] as PaymentLine;
              const status = groupStatus(group.lines);
              const span = group.lines.length;
              const payable = status === 'unpaid' && currentStage === group.stage && canPay;
              return (
                <tbody data-stage={group.stage}>
                  {group.lines.map((line, i) => (
                    <tr>
                      {i === 0 ? (
                        <>
                          <td rowSpan={span} data-label="収納機関番号">{first.collectorNumber}</td>
                          <td rowSpan={span} class="nowrap" data-label="納付番号">
                            {first.paymentNumber ? formatPaymentNumber(first.paymentNumber) : status === 'unpaid' ? '（未取得）' : '-'}
                          </td>
                          <td rowSpan={span} data-label="確認番号">{first.confirmationNumber ?? '-'}</td>
                          <td rowSpan={span} data-label="納付区分">{first.paymentCategory}</td>
                        </>
                      ) : null}
                      <td data-label="税・手数料種別">{line.feeKind}</td>
                      <td data-label="納付区別">{line.feeClass}</td>
                      <td class="numeric nowrap" data-label="金額">{formatYen(line.amount)}</td>
                      <td data-label="収納機関名(漢字)">{line.payeeName}</td>
                      <td data-label="収納機関名(カナ)">{line.payeeKana}</td>
                      {i === 0 ? (
                        <>
                          <td rowSpan={span} data-payment-status={status} data-label="納付状況">
                            {paymentStatusLabels[status]}
                          </td>
                          <td rowSpan={span} class="nowrap" data-label="納付完了日">
                            {first.paidOn ? formatJapanDate(first.paidOn, 'compact') : ''}
                          </td>
                          <td rowSpan={span} class="nowrap" data-label="納付期限">
                            {status === 'notRequired' ? '-' : formatJapanDate(first.dueOn, 'compact')}
                          </td>
                          <td rowSpan={span} data-label="納付">{payable ? <ButtonLink action={`/inquiry/payments/${group.stage}`} label="納付" variant="primary" /> : null}</td>
                        </>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              );
            })}
          </table>
        </div>
      )}
    </section>
  );
}
