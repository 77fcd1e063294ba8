import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Application } from '../../../domain/application.js';
import { formatJapanDateTime } from '../../../domain/format.js';
import { COUNTER_HOURS, inspectionOffices } from '../../../domain/offices.js';
import { procedures } from '../../../domain/procedures.js';
import { formatReceiptNumber } from '../../../domain/receipt-number.js';
import { lastCollectionCodeIssuedAt } from '../../../domain/history.js';
import { collectionCodeImageRefusal } from '../../../domain/status-view.js';
import { formatVehicleNumber } from '../../../domain/vehicle.js';
import type { Services } from '../../../services/index.js';
import { Layout } from '../../components/Layout.js';
import { Banner } from '../../components/forms.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { renderDocument, sendHtml } from '../../render.js';
import { collectionCodePng, qrMatrix, qrSvgPath } from '../../formats/qr.js';
import { ActionPostForm, ActionForm, actionRefusal, versionRefusal } from './form.js';
import { FlashBanner, setFlash, takeFlash, type FlashKind } from '../flash.js';
import { sendRefused } from './refused.js';
import { loadOwnApplication, ownApplicationOf } from '../own-application.js';

export const CODE_NAME = '受取者認証兼受取車両個別申告用二次元コード';
const REFUSED_TITLE = '二次元コードを発行できません';

const HOW_TO_USE =
  '軽自動車検査協会事務所等の窓口で、自動車検査証等の交付物を受け取る際は、「受取者認証兼受取車両個別申告用二次元コード」を印刷し、交付物の受け取り時に、申請先の軽自動車検査協会の事務所等に提出してください。';

/** Before the first issue: what the code is for, and the button that issues it. */
export function CollectionCodeIssuePage({ ctx, application }: { ctx: PageContext; application: Application }) {
  const receipt = application.receiptNumber ? formatReceiptNumber(application.receiptNumber) : '';
  return (
    <Layout ctx={ctx} title={`${CODE_NAME}の発行`}>
      <h1>{CODE_NAME}の発行</h1>
      <p>受付番号：{receipt}</p>
      <p>{HOW_TO_USE}</p>
      <p>「二次元コードを発行する」ボタンを押すと、二次元コードが表示されます。A4用紙に印刷するか、画像（PNG）をダウンロードして印刷してください。</p>
      <ActionPostForm action="/inquiry/collection-code" class="button-row" csrfToken={ctx.csrfToken} application={application}>
        <button type="submit" class="button button--primary">
          二次元コードを発行する
        </button>
      </ActionPostForm>
      <p>
        <a href="/inquiry/status">申請状況確認へ戻る</a>
      </p>
    </Layout>
  );
}

function QrFigure({ content, label }: { content: string; label: string }) {
  const m = qrMatrix(content);
  const q = 4;
  return (
    <svg xmlns="http://www.w3.org/2000/svg" class="collection-code__qr" viewBox={`${-q} ${-q} ${m.size + 2 * q} ${m.size + 2 * q}`} role="img" aria-label={label} shape-rendering="crispEdges">
      <rect x={-q} y={-q} width={m.size + 2 * q} height={m.size + 2 * q} fill="#fff" />
      <path d={qrSvgPath(m)} fill="#000" />
    </svg>
  );
}

/** The code to print (A4) or download: the QR, 受付番号, 車両番号, and where and when to collect. */
export function CollectionCodePage({ ctx, application, content, typed, issuedAt, flash }: { ctx: PageContext; application: Application; content: string; typed: string; issuedAt: Date | null; flash?: FlashKind | null }) {
  const receipt = formatReceiptNumber(application.receiptNumber ?? '');
  const office = inspectionOffices[application.officeCode];
  const vehicleNumber = application.vehicle.vehicleNumber;
  return (
    <Layout ctx={ctx} title={CODE_NAME} mainClass="collection-code-page">
      <div data-no-print="">
        <FlashBanner kind={flash ?? null} />
      </div>
      <h1 class="collection-code__title">{CODE_NAME}</h1>
      <div class="collection-code">
        <figure class="collection-code__figure">
          <QrFigure content={content} label={`${CODE_NAME}（受付番号 ${receipt}）`} />
          <figcaption>
            受付番号 {receipt}
            <span class="collection-code__typed">
              <span class="collection-code__typed-label">手入力用の番号（二次元コードを読み取れない場合に窓口で入力します）</span>
              {/* Breaks only between groups, never inside one. */}
              <span class="collection-code__typed-digits">
                {typed.split(' ').map((group, i) => (
                  <>
                    {i > 0 ? ' ' : null}
                    <span class="nowrap">{group}</span>
                  </>
                ))}
              </span>
            </span>
          </figcaption>
        </figure>
        <table class="summary-table collection-code__details">
          <caption class="visually-hidden">受け取る交付物と受取場所</caption>
          <tbody>
            <tr>
              <th scope="row">受付番号</th>
              <td class="collection-code__number">{receipt}</td>
            </tr>
            <tr>
              <th scope="row">手続</th>
              <td>{procedures[application.procedure].fullLabel}</td>
            </tr>
            <tr>
              <th scope="row">車両番号</th>
              <td>{vehicleNumber ? formatVehicleNumber(vehicleNumber) : ''}</td>
            </tr>
            <tr>
              <th scope="row">車台番号</th>
              <td>{application.vehicle.chassisNumber}</td>
            </tr>
            <tr>
              <th scope="row">使用者名</th>
              <td>{application.user.name}</td>
            </tr>
            <tr>
              <th scope="row">受取場所</th>
              <td>
                {office.name}
                <br />
                {office.address}
                <br />
                電話：{office.phone}
              </td>
            </tr>
            <tr>
              <th scope="row">窓口受付時間</th>
              <td>{COUNTER_HOURS}</td>
            </tr>
            <tr>
              <th scope="row">発行日時</th>
              <td>{issuedAt ? formatJapanDateTime(issuedAt) : ''}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <p class="collection-code__instruction">{HOW_TO_USE}</p>
      <p class="collection-code__instruction">二次元コードを再発行した場合は、最後に発行した二次元コードだけが使用できます。</p>
      <div class="button-row" data-no-print="">
        <button type="button" class="button button--primary" data-print="" hidden>
          印刷する
        </button>
        <a class="button button--secondary" href="/inquiry/collection-code.png" download>
          二次元コードの画像をダウンロードする（PNG）
        </a>
      </div>
      <section class="panel" aria-labelledby="reissue-heading" data-no-print="">
        <h2 id="reissue-heading" class="panel__title">
          二次元コードの再発行
        </h2>
        <Banner kind="warning" title="再発行すると、これまでに発行した二次元コードは使用できなくなります。">
          <p>印刷した二次元コードを紛失した場合などに再発行してください。再発行した後は、新しい二次元コードを印刷して提出してください。</p>
        </Banner>
        <ActionPostForm action="/inquiry/collection-code" class="button-row" csrfToken={ctx.csrfToken} application={application}>
          <button type="submit" class="button button--secondary">
            二次元コードを再発行する
          </button>
        </ActionPostForm>
      </section>
      <p data-no-print="">
        <a href="/inquiry/status">申請状況確認へ戻る</a>
      </p>
    </Layout>
  );
}

/** 【画面申請】二次元コード発行の操作手順: only in 返付準備完了 / 交付準備完了, and not where a 記録等事務代行者 collects. */
export function collectionCodeRoutes(services: Services): FastifyPluginAsyncTypebox {
  const withOwn = loadOwnApplication(services);
  return async (app) => {
    app.get('/inquiry/collection-code', { preHandler: withOwn }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const application = own.application;
      const refusal = actionRefusal(application, 'issueCollectionCode', own.now);
      if (refusal) return sendRefused(req, reply, REFUSED_TITLE, refusal);
      const ctx = pageContext(req, reply);
      if (application.collectionCodeSerial < 1) return sendHtml(reply, 200, renderDocument(<CollectionCodeIssuePage ctx={ctx} application={application} />));
      const flash = takeFlash(req, reply);
      const content = services.collectionCodes.contentFor(application);
      const typed = services.collectionCodes.typedFor(application);
      const issuedAt = lastCollectionCodeIssuedAt(await services.statusInquiry.history(application.id));
      return sendHtml(reply, 200, renderDocument(<CollectionCodePage ctx={ctx} application={application} content={content} typed={typed} issuedAt={issuedAt} flash={flash} />));
    });

    app.post('/inquiry/collection-code', { schema: { body: ActionForm }, preHandler: [app.csrfProtection, withOwn] }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const application = own.application;
      const refusal = actionRefusal(application, 'issueCollectionCode', own.now) ?? versionRefusal(application, req.body.version);
      if (refusal) return sendRefused(req, reply, REFUSED_TITLE, refusal);
      const result = await services.actOnApplication(application.id, { type: 'issueCollectionCode' }, { kind: 'applicant' }, { expectedVersion: Number(req.body.version) });
      if (!result.ok) return sendRefused(req, reply, REFUSED_TITLE, result.refusal);
      const serial = result.value.application.collectionCodeSerial;
      req.log.info({ event: 'applicant-collection-code', applicationId: application.id, serial }, 'collection code issued');
      setFlash(req, reply, serial > 1 ? 'codeReissued' : 'codeIssued');
      return reply.redirect('/inquiry/collection-code', 303);
    });

    app.get('/inquiry/collection-code.png', { preHandler: withOwn }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const application = own.application;
      const refusal = collectionCodeImageRefusal(application, own.now);
      if (refusal) return sendRefused(req, reply, REFUSED_TITLE, refusal);
      const receiptNumber = application.receiptNumber as string;
      const png = await collectionCodePng(services.collectionCodes.contentFor(application), formatReceiptNumber(receiptNumber), services.collectionCodes.typedFor(application));
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="collection-code-${receiptNumber}.png"`)
        .type('image/png')
        .send(png);
    });
  };
}
