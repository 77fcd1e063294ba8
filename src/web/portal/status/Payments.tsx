import { formatJapanDate, formatPaymentNumber, formatYen } from '../../../domain/format.js';
import { paymentStateLabels, type PaymentGroupView } from '../../../domain/status-view.js';
import { ButtonLink } from '../../components/forms.js';

/** 納付番号 as shown: the number, 「（未取得）」 while a まとめ納付 number is to be taken, or 「-」. */
export function paymentNumberText(group: PaymentGroupView): string {
  if (group.paymentNumber) return formatPaymentNumber(group.paymentNumber);
  return group.numberPending ? '（未取得）' : '-';
}

/**
 * 6 納付情報: one row per fee, grouped by its Pay-easy number, as the status view says (a stopped
 * application owes nothing: 「-」). `readOnly` (the staff UI's copy) shows no 納付 button.
 */
export function Payments({ payments, readOnly = false }: { payments: readonly PaymentGroupView[]; readOnly?: boolean }) {
  return (
    <section class="panel" id="payments" aria-labelledby="payments-heading">
      <h2 id="payments-heading" class="panel__title">
        納付情報
      </h2>
      {payments.length === 0 ? (
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
            {payments.map((group) => {
              const span = group.lines.length;
              return (
                <tbody data-stage={group.stage}>
                  {group.lines.map((line, i) => (
                    <tr>
                      {i === 0 ? (
                        <>
                          <td rowSpan={span} data-label="収納機関番号">{group.collectorNumber}</td>
                          <td rowSpan={span} class="nowrap" data-label="納付番号">
                            {paymentNumberText(group)}
                          </td>
                          <td rowSpan={span} data-label="確認番号">{group.confirmationNumber ?? '-'}</td>
                          <td rowSpan={span} data-label="納付区分">{group.paymentCategory}</td>
                        </>
                      ) : null}
                      <td data-label="税・手数料種別">{line.feeKind}</td>
                      <td data-label="納付区別">{line.feeClass}</td>
                      <td class="numeric nowrap" data-label="金額">{formatYen(line.amount)}</td>
                      <td data-label="収納機関名(漢字)">{line.payeeName}</td>
                      <td data-label="収納機関名(カナ)">{line.payeeKana}</td>
                      {i === 0 ? (
                        <>
                          <td rowSpan={span} data-payment-status={group.state} data-label="納付状況">
                            {paymentStateLabels[group.state]}
                          </td>
                          <td rowSpan={span} class="nowrap" data-label="納付完了日">
                            {group.paidOn ? formatJapanDate(group.paidOn, 'compact') : ''}
                          </td>
                          <td rowSpan={span} class="nowrap" data-label="納付期限">
                            {group.dueOn ? formatJapanDate(group.dueOn, 'compact') : '-'}
                          </td>
                          <td rowSpan={span} data-label="納付">
                            {group.payButton && !readOnly ? <ButtonLink action={`/inquiry/payments/${group.stage}`} label="納付" variant="primary" /> : null}
                          </td>
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
