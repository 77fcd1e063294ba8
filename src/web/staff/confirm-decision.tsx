import { displayNumber, type Application } from '../../domain/application.js';
import { formatJapanDateTime } from '../../domain/format.js';
import { procedures } from '../../domain/procedures.js';
import { formatReceiptNumber } from '../../domain/receipt-number.js';
import { statuses } from '../../domain/statuses.js';
import { formatVehicleNumber } from '../../domain/vehicle.js';
import { agencyFieldLabels } from '../../services/agency-input.js';
import { Banner, CsrfField } from '../components/forms.js';
import type { PageContext } from '../page-context.js';
import { StaffLayout } from './components.js';
import { decisions, type DecisionField, type DecisionKey } from './decisions.js';

/** The application a clerk is about to decide on, as the counter and the withdrawal show it. */
export function ApplicationSummary({ app, caption }: { app: Application; caption: string }) {
  const rows: [string, string][] = [
    ['受付番号（到達番号）', formatReceiptNumber(displayNumber(app))],
    ['手続', procedures[app.procedure].fullLabel],
    ['現在の申請状況', statuses[app.status].label],
    ['車両番号', app.vehicle.vehicleNumber ? formatVehicleNumber(app.vehicle.vehicleNumber) : '（未払出）'],
    ['車台番号', app.vehicle.chassisNumber],
    ['申請者名', app.applicant.name],
    ['使用者名', app.user.name],
    ['状況更新日時', formatJapanDateTime(app.statusChangedAt)],
  ];
  return (
    <table class="summary-table confirm-summary">
      <caption class="visually-hidden">{caption}</caption>
      <tbody>
        {rows.map(([k, v]) => (
          <tr>
            <th scope="row">{k}</th>
            <td class={k.includes('番号') ? 'nowrap' : undefined}>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Issue 14: 却下, 無効, 未受付 and 受け取りを記録する are irreversible, so the form leads here first:
 * the application, the decision with what was entered, and its consequence; the same POST with
 * `confirmed=yes` records it, 戻る records nothing.
 */
export function ConfirmDecisionPage({ ctx, app, decision, values, formToken }: { ctx: PageContext; app: Application; decision: DecisionKey; values: Readonly<Partial<Record<DecisionField, string>>>; formToken?: string | undefined }) {
  const def = decisions[decision];
  const number = displayNumber(app);
  const title = `「${def.title(app)}」の確認`;
  const entered = (Object.entries(values) as [DecisionField, string][]).filter(([, v]) => v.trim() !== '');
  return (
    <StaffLayout ctx={ctx} title={`${title} ${formatReceiptNumber(number)}`} current="application">
      <h1 class="page-title">
        <span class="page-title__crumb">申請の詳細</span> {title}
      </h1>
      <Banner kind="warning" title={`まだ記録していません。「${def.button(app)}」を押すと記録されます。`}>
        <p>{def.consequence?.(app)}</p>
      </Banner>
      <h2 class="staff-section-title">対象の申請</h2>
      <ApplicationSummary app={app} caption="対象の申請" />
      <h2 class="staff-section-title">記録する内容</h2>
      <table class="summary-table confirm-summary">
        <caption class="visually-hidden">記録する内容</caption>
        <tbody>
          <tr>
            <th scope="row">操作</th>
            <td>{def.title(app)}</td>
          </tr>
          {decision === 'hand-over' ? (
            <tr>
              <th scope="row">受け取りの確認</th>
              <td>二次元コードの提示なし</td>
            </tr>
          ) : null}
          {entered.map(([f, v]) => (
            <tr>
              <th scope="row">{agencyFieldLabels[f]}</th>
              <td class="preserve-lines">{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action={`/staff/applications/${number}/${decision}`} class="button-row">
        <CsrfField token={ctx.csrfToken} />
        <input type="hidden" name="version" value={String(app.version)} />
        {entered.map(([f, v]) => (
          <input type="hidden" name={f} value={v} />
        ))}
        <input type="hidden" name="confirmed" value="yes" />
        {/* The decision form's one-time token goes on, so the confirmed post is acted on once (issue 12). */}
        {formToken ? <input type="hidden" name="formToken" value={formToken} /> : null}
        <button type="submit" class={`button button--${def.variant === 'primary' ? 'primary' : 'danger'}`}>
          {def.button(app)}
        </button>
      </form>
      <p>
        <a href={`/staff/applications/${number}#decision-${decision}`}>記録せずに申請の詳細へ戻る</a>
      </p>
    </StaffLayout>
  );
}
