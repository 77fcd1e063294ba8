import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { displayNumber, type Application } from '../../../domain/application.js';
import { inspectionOffices } from '../../../domain/offices.js';
import { procedures } from '../../../domain/procedures.js';
import { formatReceiptNumber } from '../../../domain/receipt-number.js';
import { statuses } from '../../../domain/statuses.js';
import { formatVehicleNumber } from '../../../domain/vehicle.js';
import type { Services } from '../../../services/index.js';
import { Layout } from '../../components/Layout.js';
import { Banner } from '../../components/forms.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { renderDocument, sendHtml } from '../../render.js';
import { ActionPostForm, ActionForm, actionRefusal, versionRefusal } from './form.js';
import { sendRefused } from './refused.js';
import { setFlash } from '../flash.js';
import { loadOwnApplication, ownApplicationOf } from '../own-application.js';

const REFUSED_TITLE = '申請を取り下げることができません';

/** 申請の取り下げ: what will be withdrawn, the manual's warning, and the button that does it. */
export function WithdrawalConfirmPage({ ctx, application }: { ctx: PageContext; application: Application }) {
  const vehicleNumber = application.vehicle.vehicleNumber;
  return (
    <Layout ctx={ctx} title="申請の取り下げ">
      <h1 class="page-title">
        <span class="page-title__crumb">状況照会</span> 申請の取り下げ
      </h1>
      <p>次の申請を取り下げます。内容を確認して、「申請を取り下げる」ボタンを押してください。</p>
      <table class="summary-table">
        <caption class="visually-hidden">取り下げる申請</caption>
        <tbody>
          <tr>
            <th scope="row">受付番号</th>
            <td>{formatReceiptNumber(displayNumber(application))}</td>
          </tr>
          <tr>
            <th scope="row">手続</th>
            <td>{procedures[application.procedure].fullLabel}</td>
          </tr>
          <tr>
            <th scope="row">現在の申請状況</th>
            <td>{statuses[application.status].label}</td>
          </tr>
          {vehicleNumber ? (
            <tr>
              <th scope="row">車両番号</th>
              <td>{formatVehicleNumber(vehicleNumber)}</td>
            </tr>
          ) : null}
          <tr>
            <th scope="row">車台番号</th>
            <td>{application.vehicle.chassisNumber}</td>
          </tr>
          <tr>
            <th scope="row">使用者名</th>
            <td>{application.user.name}</td>
          </tr>
          <tr>
            <th scope="row">申請先軽自動車検査協会事務所等</th>
            <td>{inspectionOffices[application.officeCode].name}</td>
          </tr>
        </tbody>
      </table>
      <Banner kind="warning" title="申請を取り下げると、当該受付番号の申請は継続することができなくなります。">
        <p>取り下げた申請を元に戻すことはできません。同じ車両の手続を行う場合は、あらためて初回申請を行ってください。</p>
      </Banner>
      <ActionPostForm action="/inquiry/withdraw" class="button-row" csrfToken={ctx.csrfToken} application={application}>
        <button type="submit" class="button button--danger">
          申請を取り下げる
        </button>
      </ActionPostForm>
      <p>
        <a href="/inquiry/status">取り下げずに申請状況確認へ戻る</a>
      </p>
    </Layout>
  );
}

/** 【申請共通】申請取り下げの操作手順: 検査手数料等まとめ払い中 (before a payment number) and 検査申請補正待ち only. */
export function withdrawalRoutes(services: Services): FastifyPluginAsyncTypebox {
  const withOwn = loadOwnApplication(services);
  return async (app) => {
    app.get('/inquiry/withdraw', { preHandler: withOwn }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const refusal = actionRefusal(own.application, 'withdraw', own.now);
      if (refusal) return sendRefused(req, reply, REFUSED_TITLE, refusal);
      return sendHtml(reply, 200, renderDocument(<WithdrawalConfirmPage ctx={pageContext(req, reply)} application={own.application} />));
    });

    app.post('/inquiry/withdraw', { schema: { body: ActionForm }, preHandler: [app.csrfProtection, withOwn] }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const refusal = actionRefusal(own.application, 'withdraw', own.now) ?? versionRefusal(own.application, req.body.version);
      if (refusal) return sendRefused(req, reply, REFUSED_TITLE, refusal);
      const result = await services.actOnApplication(own.application.id, { type: 'withdraw' }, { kind: 'applicant' }, {
        expectedVersion: Number(req.body.version),
        audit: { action: 'applicantWithdrawal', actor: { kind: 'applicant', applicationId: own.application.id }, clientAddress: req.ip },
      });
      if (!result.ok) return sendRefused(req, reply, REFUSED_TITLE, result.refusal);
      req.log.info({ event: 'applicant-withdraw', applicationId: own.application.id }, 'application withdrawn');
      setFlash(req, reply, 'withdrawalDone');
      return reply.redirect('/inquiry/status#notices', 303);
    });
  };
}
