import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Layout } from '../components/Layout.js';
import { pageContext, pageContextWith } from '../page-context.js';
import { renderDocument, sendHtml } from '../render.js';
import { isTransientFailure } from '../../services/health.js';

/** The database is away (restart, failover, overload): a temporary state, said so, with 503 (see docs/deployment.md). */
export const DATABASE_UNAVAILABLE_MESSAGE =
  'ただいまシステムを一時的に利用できないため、処理を完了できませんでした。しばらく時間をおいてから、もう一度操作してください。操作の途中だった場合は、申請状況を確認してから操作をやり直してください。解決しない場合は、軽自動車OSS専用ダイヤル（050-3364-0800）にお問い合わせください。';

/** A request body that is not valid UTF-8 (the API's JSON parser). */
export const INVALID_UTF8_CODE = 'KEI_INVALID_UTF8';

/** Japanese messages for the errors a client can cause; anything else is 500 and says nothing of why. */
function describe(error: FastifyError): { status: number; code: string; title: string; message: string } {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (status >= 500 && isTransientFailure(error)) return { status: 503, code: 'databaseUnavailable', title: '現在、システムを利用できません', message: DATABASE_UNAVAILABLE_MESSAGE };
  switch (error.code) {
    case 'FST_CSRF_MISSING_SECRET':
    case 'FST_CSRF_INVALID_TOKEN':
      return {
        status: 403,
        code: 'csrfInvalid',
        title: '画面の有効期限が切れました',
        message: '画面を表示してから時間が経過したか、正しくない画面から送信されたため、処理を行いませんでした。お手数ですが、もう一度最初から操作してください。',
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'bodyTooLarge', title: '送信内容が大きすぎます', message: '送信された内容が大きすぎるため、受け付けられませんでした。入力内容を確認してください。' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupportedMediaType', title: '送信形式に誤りがあります', message: '対応していない形式で送信されたため、受け付けられませんでした。' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'malformedBody', title: '送信内容に誤りがあります', message: '送信された内容を読み取れませんでした。形式を確認してください。' };
    case INVALID_UTF8_CODE:
      return { status: 400, code: 'invalidUtf8', title: '送信内容に誤りがあります', message: '送信された内容に UTF-8 として正しくない文字が含まれています。文字コードを UTF-8 にして送信してください。' };
    case 'FST_ERR_VALIDATION':
      return { status: 400, code: 'invalidInput', title: '入力内容に誤りがあります', message: '入力内容の形式が正しくないか、長すぎます。入力内容を確認して、もう一度操作してください。' };
    case 'FST_ERR_BAD_URL':
      return { status: 400, code: 'badUrl', title: 'URLに誤りがあります', message: '指定されたURLを読み取れませんでした。' };
    default:
      if (status === 429) return { status, code: 'tooManyRequests', title: 'アクセスが集中しています', message: '短時間に多くの操作が行われたため、一時的に受付を制限しています。しばらく待ってから、もう一度操作してください。' };
      if (status >= 400 && status < 500) return { status, code: 'badRequest', title: 'リクエストに誤りがあります', message: '操作を受け付けられませんでした。入力内容を確認して、もう一度操作してください。' };
      return {
        status: status >= 500 ? status : 500,
        code: 'internalError',
        title: 'システムエラーが発生しました',
        message: '申し訳ありません。処理中にエラーが発生しました。時間をおいて、もう一度操作してください。解決しない場合は、軽自動車OSS専用ダイヤル（050-3364-0800）にお問い合わせください。',
      };
  }
}

export function wantsJson(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/') || req.url === '/healthz' || req.url === '/readyz';
}

/** An error page in Japanese: no stack trace, no internal message, a way back. */
export function ErrorPage({ ctx, title, message, status }: { ctx: ReturnType<typeof pageContext>; title: string; message: string; status: number }) {
  return (
    <Layout ctx={ctx} title={title}>
      <div class="error-page">
        <h1>{title}</h1>
        <p>{message}</p>
        <p class="error-page__status">（エラーコード：{status}）</p>
        <ul class="link-list">
          {ctx.area === 'staff' ? (
            <li>
              <a href="/staff">事務所等用画面のトップへ戻る</a>
            </li>
          ) : (
            <>
              <li>
                <a href="/online">画面申請のメニューへ戻る</a>
              </li>
              <li>
                <a href="/">ポータルサイトのトップへ戻る</a>
              </li>
            </>
          )}
        </ul>
      </div>
    </Layout>
  );
}

export function sendErrorPage(req: FastifyRequest, reply: FastifyReply, status: number, title: string, message: string, code = 'error') {
  if (wantsJson(req)) return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message } });
  // Errors raised before the cookie plugin ran (a malformed URL) have no cookies: the page's defaults.
  const ctx = req.cookies ? pageContext(req, reply, req.url.startsWith('/staff') ? 'staff' : 'portal') : { path: '/', fontSize: 'medium' as const, csrfToken: '', area: 'portal' as const, staffName: undefined };
  return sendHtml(reply, status, renderDocument(<ErrorPage ctx={pageContextWith(ctx, { csrfToken: '' })} title={title} message={message} status={status} />));
}

/**
 * Errors Fastify raises before routing (a malformed URL such as `/%ZZ`): the same Japanese page
 * (JSON only under /api), passed to Fastify as its `frameworkErrors` option.
 */
export function frameworkErrors(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const d = describe(error);
  req.log.info({ code: error.code, status: d.status }, 'request refused');
  void sendErrorPage(req, reply, d.status, d.title, d.message, d.code);
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const d = describe(error);
    if (d.code === 'databaseUnavailable') reply.header('retry-after', '30');
    if (d.status >= 500) req.log.error({ err: error }, 'request failed');
    else req.log.info({ code: error.code, status: d.status }, 'request refused');
    return sendErrorPage(req, reply, d.status, d.title, d.message, d.code);
  });
  app.setNotFoundHandler((req, reply) =>
    sendErrorPage(req, reply, 404, 'ページが見つかりません', 'お探しのページは見つかりませんでした。URLに誤りがないか確認してください。', 'notFound'),
  );
}
