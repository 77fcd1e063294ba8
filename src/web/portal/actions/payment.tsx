import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { displayNumber, type Application, type PaymentLine } from '../../../domain/application.js';
import { stageLabel } from '../../../domain/events.js';
import { formatJapanDate, formatPaymentNumber, formatYen } from '../../../domain/format.js';
import { procedures } from '../../../domain/procedures.js';
import { formatReceiptNumber } from '../../../domain/receipt-number.js';
import type { Refusal } from '../../../domain/result.js';
import { linesOfStage } from '../../../domain/rules.js';
import { bulkPaymentAllowsWithdrawal, paymentGroupOf, paymentStateLabels, stageRefusal, statusView, type PaymentGroupView } from '../../../domain/status-view.js';
import { paymentStages, statuses, type PaymentStage } from '../../../domain/statuses.js';
import type { Services } from '../../../services/index.js';
import { Layout } from '../../components/Layout.js';
import { Banner, ErrorSummary, FieldError } from '../../components/forms.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { renderDocument, sendHtml } from '../../render.js';
import { paymentNumberText } from '../status/Payments.js';
import type { OpenGroupSummary } from '../../../domain/payment-groups.js';
import { loginUrlFor } from './login-destination.js';
import { ActionForm, ActionPostForm, CSRF_FIELD, VERSION_FIELD, actionRefusal, versionRefusal } from './form.js';
import { FlashBanner, setFlash, takeFlash, type FlashKind } from '../flash.js';
import { sendRefused } from './refused.js';
import { loadOwnApplication, ownApplicationOf } from '../own-application.js';

const StageParam = Type.Object({ stage: Type.Union(paymentStages.map((s) => Type.Literal(s))) });

export const TARGET_REQUIRED_MESSAGE = '納付対象を選択してください。';
function PaymentNumbers({ group }: { group: PaymentGroupView }) {
  const { lines, total } = group;
  return (
    <>
      <table class="summary-table payment-numbers">
        <caption class="visually-hidden">納付に使う番号と納付期限</caption>
        <tbody>
          <tr>
            <th scope="row">収納機関番号</th>
            <td class="payment-numbers__value">{group.collectorNumber}</td>
          </tr>
          <tr>
            <th scope="row">納付番号</th>
            <td class="payment-numbers__value">{paymentNumberText(group)}</td>
          </tr>
          <tr>
            <th scope="row">確認番号</th>
            <td class="payment-numbers__value">{group.confirmationNumber ?? '-'}</td>
          </tr>
          <tr>
            <th scope="row">納付区分</th>
            <td>{group.paymentCategory}</td>
          </tr>
          <tr>
            <th scope="row">納付期限</th>
            <td>{group.dueOn ? formatJapanDate(group.dueOn) : '-'}</td>
          </tr>
          <tr>
            <th scope="row">納付状況</th>
            <td data-payment-status={group.state}>
              {paymentStateLabels[group.state]}
              {group.paidOn ? `（納付完了日：${formatJapanDate(group.paidOn)}）` : ''}
            </td>
          </tr>
        </tbody>
      </table>
      <div class="table-scroll" role="region" aria-labelledby="payment-lines-caption" tabIndex={0}>
        <table class="data-table">
          <caption id="payment-lines-caption">納付する税・手数料</caption>
          <thead>
            <tr>
              <th scope="col">税・手数料種別</th>
              <th scope="col">納付区別</th>
              <th scope="col">収納機関名(漢字)</th>
              <th scope="col">収納機関名(カナ)</th>
              <th scope="col">金額</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <tr>
                <th scope="row">{l.feeKind}</th>
                <td>{l.feeClass}</td>
                <td>{l.payeeName}</td>
                <td>{l.payeeKana}</td>
                <td class="numeric nowrap">{formatYen(l.amount)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={4}>
                合計
              </th>
              <td class="numeric nowrap">{formatYen(total)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
    </>
  );
}

/** How to pay with the three numbers: 【画面申請】税・手数料納付の操作手順, in short. */
function PayEasyGuide({ lines }: { lines: readonly PaymentLine[] }) {
  const first = lines[0] as PaymentLine;
  return (
    <section class="panel" aria-labelledby="payeasy-heading">
      <h2 id="payeasy-heading" class="panel__title">
        Pay-easy（ペイジー）での納付方法
      </h2>
      <p>インターネットバンキング、または Pay-easy（ペイジー）マークのある金融機関のATMで納付できます。次の3つの番号を入力してください。</p>
      <dl class="payment-keys">
        <div>
          <dt>収納機関番号</dt>
          <dd>{first.collectorNumber}</dd>
        </div>
        <div>
          <dt>納付番号</dt>
          <dd>{first.paymentNumber ? formatPaymentNumber(first.paymentNumber) : ''}</dd>
        </div>
        <div>
          <dt>確認番号</dt>
          <dd>{first.confirmationNumber ?? ''}</dd>
        </div>
      </dl>
      <h3>インターネットバンキングの場合</h3>
      <ol>
        <li>ご利用の金融機関のインターネットバンキングにログインし、「税金・各種料金の払込み（ペイジー）」を選択します。</li>
        <li>収納機関番号「{first.collectorNumber}」を入力します。</li>
        <li>納付番号と確認番号を入力します。</li>
        <li>表示された収納機関名と金額を確認して、払い込みます。</li>
      </ol>
      <h3>ATMの場合</h3>
      <ol>
        <li>Pay-easy（ペイジー）マークのあるATMで「税金・料金払込み」を選択します。</li>
        <li>収納機関番号、納付番号、確認番号の順に入力します。</li>
        <li>表示された収納機関名と金額を確認して、現金またはキャッシュカードで払い込みます。</li>
      </ol>
      <p>
        納付期限（{formatJapanDate(first.dueOn)}）までに納付してください。納付期限を過ぎると申請は無効になります。利用できる時間帯や手数料は金融機関によって異なります。
      </p>
    </section>
  );
}

function BulkChoice({ ctx, application, stage }: { ctx: PageContext; application: Application; stage: PaymentStage }) {
  return (
    <section class="panel" aria-labelledby="bulk-heading">
      <h2 id="bulk-heading" class="panel__title">
        まとめ納付
      </h2>
      <p>複数の申請の税・手数料を一度に納付する場合は、「まとめ納付を選択する」ボタンを押してください。</p>
      <p>まとめ納付を選択すると、上の納付番号は使用できなくなります。納付対象を選択して、まとめ納付の納付番号を取得してから納付します。</p>
      {bulkPaymentAllowsWithdrawal(stage) ? <p>検査手数料等のまとめ払い中は、納付番号を取得する前であれば、申請を取り下げることができます。</p> : null}
      <ActionPostForm action={`/inquiry/payments/${stage}/bulk`} class="button-row" csrfToken={ctx.csrfToken} application={application}>
        <button type="submit" class="button button--secondary">
          まとめ納付を選択する
        </button>
      </ActionPostForm>
    </section>
  );
}

function TakeBulkNumber({ ctx, application, stage, error }: { ctx: PageContext; application: Application; stage: PaymentStage; error?: string | undefined }) {
  const unpaid = linesOfStage(application, stage).filter((l) => l.status === 'unpaid');
  const total = unpaid.reduce((sum, l) => sum + l.amount, 0);
  const number = formatReceiptNumber(displayNumber(application));
  return (
    <section class="panel panel--warning" aria-labelledby="bulk-number-heading">
      <h2 id="bulk-number-heading" class="panel__title">
        納付対象を選択して納付番号を取得
      </h2>
      <p>まとめ納付を選択しています。納付対象を選択して「納付対象を選択して納付番号を取得」ボタンを押すと、まとめ納付の納付番号と確認番号が表示されます。</p>
      {bulkPaymentAllowsWithdrawal(stage) ? <p class="deadline-reminder">納付番号を取得すると、申請を取り下げることはできなくなります。</p> : null}
      <ActionPostForm action={`/inquiry/payments/${stage}/bulk-number`} class="form" novalidate csrfToken={ctx.csrfToken} application={application}>
        <fieldset class={`fieldset${error ? ' form-field--error' : ''}`} aria-describedby={error ? 'target-error' : undefined}>
          <legend>納付対象</legend>
          <FieldError name="target" error={error} />
          <div class="checkbox">
            <input type="checkbox" id="target" name="target" value="this" checked />
            <label for="target">
              受付番号 {number} の{unpaid.map((l) => l.feeKind).join('・')}（合計 {formatYen(total)}）
            </label>
          </div>
        </fieldset>
        <div class="button-row">
          <button type="submit" class="button button--primary">
            納付対象を選択して納付番号を取得
          </button>
        </div>
      </ActionPostForm>
    </section>
  );
}

/** 納付: one stage's payment information, how to pay it, and the まとめ納付 choices where they apply. */
export function PaymentPage({
  ctx,
  application,
  stage,
  now,
  heldByAccount,
  paymentGroup = null,
  flash,
  targetError,
}: {
  ctx: PageContext;
  application: Application;
  stage: PaymentStage;
  now: Date;
  heldByAccount: boolean;
  paymentGroup?: OpenGroupSummary | null;
  flash?: FlashKind | null;
  targetError?: string;
}) {
  const view = statusView(application, now, { heldByAccount });
  const group = paymentGroupOf(view, stage) as PaymentGroupView;
  const current = view.paymentStage === stage;
  const reason = group.pay.ok ? null : group.pay.refusal.message;
  // The lines carry the number of a まとめ納付 of several applications: what it is paid with is the group's total.
  const inGroup = paymentGroup && group.state === 'unpaid' && group.paymentNumber === paymentGroup.paymentNumber ? paymentGroup : null;
  return (
    <Layout ctx={ctx} title={`納付情報 ${stageLabel(stage)}`} hasErrors={targetError !== undefined} mainClass="main--wide">
      <h1 class="page-title">
        <span class="page-title__crumb">状況照会</span> 納付情報 <span class="procedure-tag">{procedures[application.procedure].label}</span>
      </h1>
      <ErrorSummary items={targetError ? [{ field: 'target', message: targetError }] : []} />
      <FlashBanner kind={flash ?? null} />
      <p>
        受付番号：{formatReceiptNumber(displayNumber(application))}　現在の申請状況：{statuses[application.status].label}
      </p>
      <section class="panel" aria-labelledby="stage-heading">
        <h2 id="stage-heading" class="panel__title">
          {stageLabel(stage)}
        </h2>
        <PaymentNumbers group={group} />
        {reason ? <p class="payment-state">{reason}</p> : null}
      </section>
      {inGroup ? (
        <Banner kind="info" title="この税・手数料は、複数の申請のまとめ納付に含まれています。">
          <p>
            利用者IDで取得したまとめ納付の納付番号です（{inGroup.members}件、合計金額 {formatYen(inGroup.total)}、納付期限 {formatJapanDate(inGroup.dueOn)}）。この納付番号では、{inGroup.members}件分の合計金額を納付します。まとめ納付の内容とキャンセルは、利用者IDでログインして「納付を行う」から確認できます。
          </p>
        </Banner>
      ) : reason === null ? (
        <PayEasyGuide lines={group.lines} />
      ) : null}
      {current && view.actions.chooseBulkPayment.ok ? <BulkChoice ctx={ctx} application={application} stage={stage} /> : null}
      {current && view.actions.takeBulkPaymentNumber.ok ? <TakeBulkNumber ctx={ctx} application={application} stage={stage} error={targetError} /> : null}
      <Banner kind="info" title="納付の結果は、収納機関から通知されます。">
        <p>
          納付が完了すると、金融機関から収納機関（Pay-easy）を通じて軽自動車OSSに納付の結果が通知され、申請状況が更新されます。金融機関からの通知の後に反映されるため、納付してから申請状況が変わるまで時間がかかる場合があります。この画面から納付の完了を報告する必要はありません。
        </p>
      </Banner>
      <p>
        <a href="/inquiry/status">申請状況確認へ戻る</a>
      </p>
    </Layout>
  );
}

/** 納付を行う without a payment due now: what the application's payments are, and where to look. */
export function PaymentOverviewPage({ ctx, application, now }: { ctx: PageContext; application: Application; now: Date }) {
  const groups = statusView(application, now).payments;
  return (
    <Layout ctx={ctx} title="納付情報">
      <h1 class="page-title">
        <span class="page-title__crumb">状況照会</span> 納付情報 <span class="procedure-tag">{procedures[application.procedure].label}</span>
      </h1>
      <p>
        受付番号：{formatReceiptNumber(displayNumber(application))}　現在の申請状況：{statuses[application.status].label}
      </p>
      <p class="lead">現在、納付が必要な税・手数料はありません。</p>
      {groups.length > 0 ? (
        <ul class="link-list">
          {groups.map((g) => (
            <li>
              <a href={`/inquiry/payments/${g.stage}`}>{stageLabel(g.stage)}</a>（{paymentStateLabels[g.state]}）
            </li>
          ))}
        </ul>
      ) : (
        <p>税・手数料の納付情報は、申請が受け付けられ、軽自動車検査協会の事務所等で納付情報が発行されると表示されます。</p>
      )}
      <p>
        <a href="/inquiry/status">申請状況確認へ</a>
      </p>
    </Layout>
  );
}

const BulkNumberForm = Type.Object({ _csrf: CSRF_FIELD, version: VERSION_FIELD, target: Type.Optional(Type.String({ maxLength: 20 })) });

const NOT_FOUND: Refusal = { code: 'notFound', message: 'この税・手数料の納付情報はありません。' };

async function bulkAction(
  services: Services,
  req: FastifyRequest,
  reply: FastifyReply,
  stage: PaymentStage,
  version: string,
  action: 'chooseBulkPayment' | 'takeBulkPaymentNumber',
  check?: (app: Application, now: Date) => FastifyReply | null,
) {
  const title = action === 'chooseBulkPayment' ? 'まとめ納付を選択できません' : '納付番号を取得できません';
  const own = ownApplicationOf(req);
  const app = own.application;
  const refusal =
    actionRefusal(app, action, own.now, { heldByAccount: own.heldByAccount }) ?? stageRefusal(app, stage, action === 'chooseBulkPayment' ? 'まとめ納付の選択' : '納付番号の取得') ?? versionRefusal(app, version);
  if (refusal) return sendRefused(req, reply, title, refusal);
  const stop = check?.(app, own.now);
  if (stop) return stop;
  const result = await services.actOnApplication(app.id, { type: action }, { kind: 'applicant' }, { expectedVersion: Number(version) });
  if (!result.ok) return sendRefused(req, reply, title, result.refusal);
  req.log.info({ event: `applicant-${action}`, applicationId: app.id, stage }, 'bulk payment action');
  setFlash(req, reply, action === 'chooseBulkPayment' ? 'bulkChosen' : 'bulkNumberTaken');
  return reply.redirect(`/inquiry/payments/${stage}`, 303);
}

/** 【画面申請】税・手数料納付の操作手順: the 納付 buttons of the status page and the menu's 納付を行う. */
export function paymentRoutes(services: Services): FastifyPluginAsyncTypebox {
  const withOwn = loadOwnApplication(services);
  return async (app) => {
    // 画面申請 → 納付を行う: the same two-step login, then the payment information.
    app.get('/payment', async (req, reply) => reply.redirect(req.applicantSession?.applicationId ? '/inquiry/payments' : loginUrlFor('payment'), 303));

    app.get('/inquiry/payments', { preHandler: withOwn }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const stage = statusView(own.application, own.now).paymentStage;
      if (stage && linesOfStage(own.application, stage).length > 0) return reply.redirect(`/inquiry/payments/${stage}`, 303);
      return sendHtml(reply, 200, renderDocument(<PaymentOverviewPage ctx={pageContext(req, reply)} application={own.application} now={own.now} />));
    });

    app.get('/inquiry/payments/:stage', { schema: { params: StageParam }, preHandler: withOwn }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const stage = req.params.stage;
      if (linesOfStage(own.application, stage).length === 0) return sendRefused(req, reply, '納付情報が見つかりません', NOT_FOUND);
      const flash = takeFlash(req, reply);
      return sendHtml(reply, 200, renderDocument(<PaymentPage ctx={pageContext(req, reply)} application={own.application} stage={stage} now={own.now} heldByAccount={own.heldByAccount} paymentGroup={own.paymentGroup} flash={flash} />));
    });

    app.post('/inquiry/payments/:stage/bulk', { schema: { params: StageParam, body: ActionForm }, preHandler: [app.csrfProtection, withOwn] }, async (req, reply) =>
      bulkAction(services, req, reply, req.params.stage, req.body.version, 'chooseBulkPayment'),
    );

    app.post('/inquiry/payments/:stage/bulk-number', { schema: { params: StageParam, body: BulkNumberForm }, preHandler: [app.csrfProtection, withOwn] }, async (req, reply) =>
      bulkAction(services, req, reply, req.params.stage, req.body.version, 'takeBulkPaymentNumber', (application, now) =>
        req.body.target === 'this'
          ? null
          : sendHtml(
              reply,
              400,
              renderDocument(<PaymentPage ctx={pageContext(req, reply)} application={application} stage={req.params.stage} now={now} heldByAccount={ownApplicationOf(req).heldByAccount} targetError={TARGET_REQUIRED_MESSAGE} />),
            ),
      ),
    );
  };
}
