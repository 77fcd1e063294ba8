import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { displayNumber, type Application } from '../../domain/application.js';
import { formatJapanDateTime } from '../../domain/format.js';
import { procedures } from '../../domain/procedures.js';
import { formatReceiptNumber } from '../../domain/receipt-number.js';
import { completionStatuses, statuses } from '../../domain/statuses.js';
import { formatVehicleNumber } from '../../domain/vehicle.js';
import { COLLECTION_CODE_MAX as CODE_MAX, INVALID_CODE_MESSAGE } from '../../services/collection-codes.js';
import type { Services } from '../../services/index.js';
import { staffActor, staffAuditActor } from '../../services/staff-auth.js';
import { Banner, CsrfField, ErrorSummary } from '../components/forms.js';
import type { PageContext } from '../page-context.js';
import { renderDocument } from '../render.js';
import { refusalStatus } from '../refusals.js';
import { StaffField, StaffLayout } from './components.js';
import { officeApplication, sendHtml, staffContext, staffUserOf } from './guard.js';

export { OTHER_OFFICE_CODE_MESSAGE } from '../../services/collection-codes.js';

const TITLE = '窓口での受け取り確認';

/** The 2D code's content, as typed or as a USB scanner types it (it ends with Enter, which submits). */
function CodeForm({ ctx, value, error }: { ctx: PageContext; value?: string; error?: string }) {
  return (
    <form method="post" action="/staff/counter" class="form" novalidate>
      <CsrfField token={ctx.csrfToken} />
      <StaffField
        id="code"
        name="code"
        label="二次元コードの内容"
        value={value}
        error={error}
        autofocus
        maxLength={CODE_MAX}
        width="long"
        hint="申請者が提示した「受取者認証兼受取車両個別申告用二次元コード」をスキャナーで読み取るか、コードの下に印字された内容を入力してください。"
      />
      <div class="button-row">
        <button type="submit" class="button button--primary">
          確認する
        </button>
      </div>
    </form>
  );
}

function CounterPage({ ctx, value, error, done }: { ctx: PageContext; value?: string; error?: string; done?: Application | null }) {
  return (
    <StaffLayout ctx={ctx} title={TITLE} hasErrors={Boolean(error)} current="counter">
      <h1 class="page-title">{TITLE}</h1>
      <ErrorSummary items={error ? [{ field: 'code', message: error }] : []} />
      {done ? (
        <Banner kind="success" title={`受け取りを記録しました（${formatReceiptNumber(displayNumber(done))}：${statuses[done.status].label}）。`}>
          <p>続けて次の二次元コードを確認できます。</p>
        </Banner>
      ) : null}
      <p>交付物（自動車検査証等）を渡す前に、申請者の二次元コードがこの事務所等の、準備が完了した申請のものであることを確認します。</p>
      <CodeForm ctx={ctx} value={value} error={error} />
    </StaffLayout>
  );
}

/** The application the code belongs to, with the hand-over button (the clerk checks the person and the car first). */
function ConfirmPage({ ctx, app, code, error }: { ctx: PageContext; app: Application; code: string; error?: string }) {
  const number = formatReceiptNumber(displayNumber(app));
  const rows: [string, string][] = [
    ['受付番号', number],
    ['手続', procedures[app.procedure].fullLabel],
    ['申請状況', statuses[app.status].label],
    ['車両番号', app.vehicle.vehicleNumber ? formatVehicleNumber(app.vehicle.vehicleNumber) : ''],
    ['車台番号', app.vehicle.chassisNumber],
    ['申請者名', app.applicant.name],
    ['使用者名', app.user.name],
    ['状況更新日時', formatJapanDateTime(app.statusChangedAt)],
  ];
  return (
    <StaffLayout ctx={ctx} title={`${TITLE}（${number}）`} hasErrors={Boolean(error)} current="counter">
      <h1 class="page-title">{TITLE}</h1>
      <ErrorSummary items={error ? [{ field: 'hand-over', message: error }] : []} />
      <Banner kind="info" title="この事務所等の、受け取りができる申請の二次元コードです。">
        <p>申請の内容と、受け取りに来た方・車両を確認してから「受け取りを記録する」を押してください。</p>
        <p>
          受け取りを記録すると元に戻せません。申請状況は「{statuses[completionStatuses[app.procedure].done].label}」になり、手続は完了します。二次元コードを窓口で確認したことが履歴に記録されます。
        </p>
      </Banner>
      <table class="summary-table counter-summary">
        <caption class="visually-hidden">二次元コードの申請</caption>
        <tbody>
          {rows.map(([k, v]) => (
            <tr>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="post" action="/staff/counter/hand-over" class="button-row" id="hand-over">
        <CsrfField token={ctx.csrfToken} />
        <input type="hidden" name="code" value={code} />
        <input type="hidden" name="version" value={String(app.version)} />
        <button type="submit" class="button button--primary">
          受け取りを記録する
        </button>
      </form>
      <p>
        <a href="/staff/counter">記録せずに戻る</a>
        {' ・ '}
        <a href={`/staff/applications/${displayNumber(app)}`}>申請の詳細を見る</a>
      </p>
    </StaffLayout>
  );
}

const CounterForm = Type.Object({ code: Type.String({ maxLength: 10_000 }), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
const HandOverForm = Type.Object({ code: Type.String({ maxLength: 10_000 }), version: Type.String({ maxLength: 20 }), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });

export function counterRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/staff/counter', { schema: { querystring: Type.Object({ done: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (req, reply) => {
      const user = staffUserOf(req);
      const done = req.query.done ? ((await officeApplication(services, user, req.query.done))?.application ?? null) : null;
      return sendHtml(reply, 200, renderDocument(<CounterPage ctx={staffContext(req, reply)} done={done} />));
    });

    app.post('/staff/counter', { schema: { body: CounterForm }, attachValidation: true, preHandler: app.csrfProtection }, async (req, reply) => {
      const ctx = staffContext(req, reply);
      if (req.validationError) return sendHtml(reply, 400, renderDocument(<CounterPage ctx={ctx} error={INVALID_CODE_MESSAGE} />));
      const user = staffUserOf(req);
      // The counter check itself is recorded in the audit trail (issue 19); the re-check at hand-over is not (the hand-over is).
      const result = await services.collectionCodes.checkAtCounter(req.body.code, user.officeCode, { actor: staffAuditActor(user), clientAddress: req.ip });
      if (!result.ok) {
        req.log.info({ event: 'counter-check-refused', code: result.refusal.code }, 'counter check refused');
        return sendHtml(reply, 400, renderDocument(<CounterPage ctx={ctx} value={req.body.code.slice(0, CODE_MAX)} error={result.refusal.message} />));
      }
      return sendHtml(reply, 200, renderDocument(<ConfirmPage ctx={ctx} app={result.value} code={req.body.code.normalize('NFKC').trim()} />));
    });

    app.post('/staff/counter/hand-over', { schema: { body: HandOverForm }, attachValidation: true, preHandler: app.csrfProtection }, async (req, reply) => {
      const ctx = staffContext(req, reply);
      const user = staffUserOf(req);
      if (req.validationError || !/^[1-9][0-9]{0,9}$/.test(req.body.version)) return sendHtml(reply, 400, renderDocument(<CounterPage ctx={ctx} error={INVALID_CODE_MESSAGE} />));
      // One service call: the code checked on the locked application, the version, the event, the history and the audit entry, in one transaction.
      const result = await services.collectionCodes.handOver(staffActor(user), req.body.code, Number(req.body.version), {
        action: 'counterHandOver',
        actor: staffAuditActor(user),
        clientAddress: req.ip,
      });
      if (!result.ok) {
        // A code that is no longer good goes back to the scan; a refusal of the hand-over stays on the confirmation.
        const checked = await services.collectionCodes.verify(req.body.code, user.officeCode);
        if (!checked.ok) return sendHtml(reply, 400, renderDocument(<CounterPage ctx={ctx} error={checked.refusal.message} />));
        const status = refusalStatus(result.refusal.code);
        return sendHtml(reply, status, renderDocument(<ConfirmPage ctx={ctx} app={checked.value} code={req.body.code} error={result.refusal.message} />));
      }
      req.log.info({ event: 'handOver', applicationId: result.value.application.id, staffUserId: user.id }, 'documents handed over at the counter');
      return reply.redirect(`/staff/counter?done=${displayNumber(result.value.application)}`, 303);
    });
  };
}
