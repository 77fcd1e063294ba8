import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Application } from '../../../domain/application.js';
import { stageLabel } from '../../../domain/events.js';
import { formatJapanDate, formatPaymentNumber, formatYen } from '../../../domain/format.js';
import { collectorLabel, paymentGroupStatusLabels, type CollectorTargets, type PaymentGroup } from '../../../domain/payment-groups.js';
import { formatReceiptNumber } from '../../../domain/receipt-number.js';
import type { Refusal } from '../../../domain/result.js';
import { statuses } from '../../../domain/statuses.js';
import { formatVehicleNumber } from '../../../domain/vehicle.js';
import type { Services } from '../../../services/index.js';
import { Banner, CsrfField, ErrorSummary } from '../../components/forms.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { refusalStatus } from '../../refusals.js';
import { renderDocument, sendHtml } from '../../render.js';
import { AccountLayout, accountIdOf, requireAccount } from './shared.js';

/**
 * 納付を行う with a 利用者ID (issue 16, docs/bulk-payment.md): every まとめ払い line of the account's
 * applications without a number, by 収納機関 and 納付区分; 納付対象の選択 and 納付番号を取得 (one number
 * for the selected applications); the number's page with キャンセル.
 */

const vehicleText = (v: string) => (/\s/.test(v) ? formatVehicleNumber(v) : v);

function Selection({ ctx, collector, index, error }: { ctx: PageContext; collector: CollectorTargets; index: number; error?: string | undefined }) {
  const id = `collector-${index}`;
  return (
    <section class="panel" aria-labelledby={`${id}-heading`} data-collector={collector.collector.key}>
      <h3 id={`${id}-heading`} class="panel__title">
        {collectorLabel(collector.collector)}
      </h3>
      <p>
        収納機関番号 {collector.collector.collectorNumber}、納付対象 {collector.targets.length}件、すべて選択した場合の合計 <strong>{formatYen(collector.total)}</strong>
      </p>
      <form method="post" action="/account/payments" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <input type="hidden" name="collector" value={collector.collector.key} />
        <fieldset class={`fieldset${error ? ' form-field--error' : ''}`} aria-describedby={error ? `${id}-error` : undefined}>
          <legend>納付対象の選択（{stageLabel(collector.collector.stage)}）</legend>
          {error ? (
            <p id={`${id}-error`} class="form-field__error">
              {error}
            </p>
          ) : null}
          {collector.targets.map((t, i) => (
            <div class="checkbox">
              <input type="checkbox" id={`${id}-target-${i}`} name="target" value={t.applicationId} />
              <label for={`${id}-target-${i}`}>
                受付番号 {formatReceiptNumber(t.number)}、{vehicleText(t.vehicle)}、{t.userName}、{t.lines.map((l) => l.feeKind).join('・')} {formatYen(t.amount)}（納付期限 {formatJapanDate(t.dueOn)}）
              </label>
            </div>
          ))}
        </fieldset>
        <p>選択した申請の合計金額を一つの納付番号で納付します。納付期限は、選択した申請のうち最も早い納付期限になります。納付番号を取得した申請は、キャンセルするまで取り下げることができません。</p>
        <div class="button-row">
          <button type="submit" class="button button--primary">
            納付番号を取得
          </button>
        </div>
      </form>
    </section>
  );
}

function GroupsTable({ groups }: { groups: readonly PaymentGroup[] }) {
  if (groups.length === 0) return <p>取得した納付番号はありません。</p>;
  return (
    <div class="table-scroll" role="region" aria-labelledby="groups-caption" tabIndex={0}>
      <table class="data-table">
        <caption id="groups-caption">取得した納付番号（新しい順）</caption>
        <thead>
          <tr>
            <th scope="col">納付番号</th>
            <th scope="col">税・手数料（収納機関）</th>
            <th scope="col">件数</th>
            <th scope="col">合計金額</th>
            <th scope="col">納付期限</th>
            <th scope="col">納付状況</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr data-group-status={g.status}>
              <th scope="row" class="nowrap">
                <a href={`/account/payments/${g.id}`}>{formatPaymentNumber(g.paymentNumber)}</a>
              </th>
              <td>{collectorLabel(g.collector)}</td>
              <td class="numeric">{g.members.length}件</td>
              <td class="numeric nowrap">{formatYen(g.total)}</td>
              <td class="nowrap">{formatJapanDate(g.dueOn)}</td>
              <td>{paymentGroupStatusLabels[g.status]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PaymentsPage({
  ctx,
  collectors,
  groups,
  error,
  cancelled,
}: {
  ctx: PageContext;
  collectors: readonly CollectorTargets[];
  groups: readonly PaymentGroup[];
  error?: { collector: string | null; refusal: Refusal } | undefined;
  cancelled?: boolean;
}) {
  const errorIndex = error ? collectors.findIndex((c) => c.collector.key === error.collector) : -1;
  const items = error ? [{ field: errorIndex >= 0 ? `collector-${errorIndex}-target-0` : 'payments-heading', message: error.refusal.message }] : [];
  return (
    <AccountLayout ctx={ctx} title="納付を行う" current="payments" hasErrors={items.length > 0}>
      <h1 class="page-title">納付を行う（まとめ納付）</h1>
      <ErrorSummary items={items} />
      {cancelled ? (
        <Banner kind="success" title="まとめ納付をキャンセルしました。">
          <p>納付番号は無効になりました。選択していた申請は、まとめ払い中（納付番号取得前）に戻りました。</p>
        </Banner>
      ) : null}
      <p>申請一覧の申請のうち、まとめ納付を選択して納付番号を取得していない税・手数料を、収納機関と納付区分ごとに表示しています。納付する申請を選択して「納付番号を取得」ボタンを押すと、選択した申請の合計金額を一つの納付番号・確認番号で納付できます。</p>
      <h2 id="payments-heading">納付対象の選択</h2>
      {collectors.length === 0 ? (
        <p>まとめ払い中（納付番号取得前）の申請はありません。まとめ納付は、各申請の納付情報の「納付」から「まとめ納付を選択する」を行った申請が対象です。</p>
      ) : (
        collectors.map((c, i) => <Selection ctx={ctx} collector={c} index={i} error={i === errorIndex ? error?.refusal.message : undefined} />)
      )}
      <h2>取得した納付番号</h2>
      <GroupsTable groups={groups} />
    </AccountLayout>
  );
}

function MemberRows({ group, applications }: { group: PaymentGroup; applications: readonly Application[] }) {
  const byId = new Map(applications.map((a) => [a.id, a]));
  return (
    <div class="table-scroll" role="region" aria-labelledby="members-caption" tabIndex={0}>
      <table class="data-table">
        <caption id="members-caption">この納付番号で納付する申請と税・手数料</caption>
        <thead>
          <tr>
            <th scope="col">受付番号</th>
            <th scope="col">税・手数料種別</th>
            <th scope="col">金額</th>
            <th scope="col">申請の納付期限</th>
            <th scope="col">現在の申請状況</th>
          </tr>
        </thead>
        <tbody>
          {group.members.map((m) => {
            const app = byId.get(m.applicationId);
            const lines = app ? app.paymentLines.filter((l) => m.lineIds.includes(l.id)) : [];
            return (
              <tr>
                <th scope="row" class="nowrap">
                  <a href={`/account/open/${m.applicationId}`}>{formatReceiptNumber(m.number)}</a>
                </th>
                <td>{lines.map((l) => `${l.feeKind} ${formatYen(l.amount)}`).join('、')}</td>
                <td class="numeric nowrap">{formatYen(m.amount)}</td>
                <td class="nowrap">{formatJapanDate(m.dueOn)}</td>
                <td>{app ? statuses[app.status].label : '-'}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              合計（{group.members.length}件）
            </th>
            <td class="numeric nowrap">{formatYen(group.total)}</td>
            <td colSpan={2} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function GroupPage({ ctx, group, applications, taken, error }: { ctx: PageContext; group: PaymentGroup; applications: readonly Application[]; taken?: boolean; error?: string | undefined }) {
  const open = group.status === 'open';
  return (
    <AccountLayout ctx={ctx} title="まとめ納付の納付番号" current="payments" hasErrors={Boolean(error)}>
      <h1 class="page-title">まとめ納付の納付番号</h1>
      {error ? (
        <Banner kind="error" title="キャンセルできませんでした。" id="error-summary">
          <p>{error}</p>
        </Banner>
      ) : null}
      {taken ? (
        <Banner kind="success" title="納付番号を取得しました。" id="flash">
          <p>下の収納機関番号・納付番号・確認番号で、納付期限までに合計金額を納付してください。</p>
        </Banner>
      ) : null}
      <table class="summary-table payment-numbers">
        <caption class="visually-hidden">納付に使う番号と納付期限</caption>
        <tbody>
          <tr>
            <th scope="row">収納機関番号</th>
            <td class="payment-numbers__value">{group.collector.collectorNumber}</td>
          </tr>
          <tr>
            <th scope="row">収納機関名</th>
            <td>
              {group.collector.payeeName}（{group.collector.payeeKana}）
            </td>
          </tr>
          <tr>
            <th scope="row">納付番号</th>
            <td class="payment-numbers__value">{formatPaymentNumber(group.paymentNumber)}</td>
          </tr>
          <tr>
            <th scope="row">確認番号</th>
            <td class="payment-numbers__value">{group.confirmationNumber}</td>
          </tr>
          <tr>
            <th scope="row">納付区分</th>
            <td>まとめ納付（{stageLabel(group.collector.stage)}）</td>
          </tr>
          <tr>
            <th scope="row">合計金額</th>
            <td class="nowrap">{formatYen(group.total)}</td>
          </tr>
          <tr>
            <th scope="row">納付期限</th>
            <td>{formatJapanDate(group.dueOn)}</td>
          </tr>
          <tr>
            <th scope="row">納付状況</th>
            <td data-group-status={group.status}>
              {paymentGroupStatusLabels[group.status]}
              {group.paidOn ? `（納付完了日：${formatJapanDate(group.paidOn)}）` : ''}
            </td>
          </tr>
        </tbody>
      </table>
      <MemberRows group={group} applications={applications} />
      {open ? (
        <>
          <section class="panel" aria-labelledby="payeasy-heading">
            <h2 id="payeasy-heading" class="panel__title">
              Pay-easy（ペイジー）での納付方法
            </h2>
            <p>
              インターネットバンキング、または Pay-easy（ペイジー）マークのある金融機関のATMで、収納機関番号・納付番号・確認番号を入力し、表示された収納機関名と合計金額を確認して払い込んでください。納付期限（{formatJapanDate(group.dueOn)}）を過ぎるとこの納付番号は無効になり、納付期限を過ぎた申請は無効になります。
            </p>
          </section>
          <section class="panel panel--warning" aria-labelledby="cancel-heading">
            <h2 id="cancel-heading" class="panel__title">
              まとめ納付のキャンセル
            </h2>
            <p>納付する前であれば、この納付番号をキャンセルできます。キャンセルすると納付番号は無効になり、選択した申請はまとめ払い中（納付番号取得前）に戻ります。</p>
            <form method="post" action={`/account/payments/${group.id}/cancel`} class="button-row">
              <CsrfField token={ctx.csrfToken} />
              <button type="submit" class="button button--danger">
                キャンセル
              </button>
            </form>
          </section>
        </>
      ) : null}
      <p>
        <a href="/account/payments">納付を行うへ戻る</a>
      </p>
    </AccountLayout>
  );
}

const TakeForm = Type.Object({
  target: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Array(Type.String({ maxLength: 40 }), { maxItems: 2000 })])),
  collector: Type.Optional(Type.String({ maxLength: 100 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});
const GroupParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });
const PaymentsQuery = Type.Object({ cancelled: Type.Optional(Type.String({ maxLength: 5 })) });
const GroupQuery = Type.Object({ taken: Type.Optional(Type.String({ maxLength: 5 })) });

export function accountPaymentRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    async function page(accountId: string) {
      const [collectors, groups] = await Promise.all([services.paymentGroups.selectable(accountId), services.paymentGroups.list(accountId)]);
      return { collectors, groups };
    }

    app.get('/account/payments', { schema: { querystring: PaymentsQuery }, preHandler: requireAccount }, async (req, reply) => {
      const { collectors, groups } = await page(accountIdOf(req));
      return sendHtml(reply, 200, renderDocument(<PaymentsPage ctx={pageContext(req, reply)} collectors={collectors} groups={groups} cancelled={req.query.cancelled === '1'} />));
    });

    app.post('/account/payments', { schema: { body: TakeForm }, attachValidation: true, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      const accountId = accountIdOf(req);
      const body = req.validationError ? {} : req.body;
      const targets = body.target === undefined ? [] : Array.isArray(body.target) ? body.target : [body.target];
      const created = await services.paymentGroups.create(accountId, targets, { clientAddress: req.ip });
      if (created.ok) return reply.redirect(`/account/payments/${created.value.id}?taken=1`, 303);
      const { collectors, groups } = await page(accountId);
      return sendHtml(
        reply,
        refusalStatus(created.refusal.code),
        renderDocument(<PaymentsPage ctx={pageContext(req, reply)} collectors={collectors} groups={groups} error={{ collector: body.collector ?? null, refusal: created.refusal }} />),
      );
    });

    app.get('/account/payments/:id', { schema: { params: GroupParams, querystring: GroupQuery }, preHandler: requireAccount }, async (req, reply) => {
      const read = await services.paymentGroups.read(accountIdOf(req), req.params.id);
      if (!read.ok) return reply.callNotFound();
      return sendHtml(reply, 200, renderDocument(<GroupPage ctx={pageContext(req, reply)} group={read.value.group} applications={read.value.applications} taken={req.query.taken === '1'} />));
    });

    app.post('/account/payments/:id/cancel', { schema: { params: GroupParams }, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      const accountId = accountIdOf(req);
      const cancelled = await services.paymentGroups.cancel(accountId, req.params.id, { clientAddress: req.ip });
      if (cancelled.ok) return reply.redirect('/account/payments?cancelled=1', 303);
      if (cancelled.refusal.code === 'notFound') return reply.callNotFound();
      const read = await services.paymentGroups.read(accountId, req.params.id);
      if (!read.ok) return reply.callNotFound();
      return sendHtml(
        reply,
        refusalStatus(cancelled.refusal.code),
        renderDocument(<GroupPage ctx={pageContext(req, reply)} group={read.value.group} applications={read.value.applications} error={cancelled.refusal.message} />),
      );
    });
  };
}
