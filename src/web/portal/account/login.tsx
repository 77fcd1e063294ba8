import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ACCOUNT_PASSWORD_MAX } from '../../../services/account-passwords.js';
import type { Services } from '../../../services/index.js';
import { Layout } from '../../components/Layout.js';
import { Banner, CsrfField, ErrorSummary, TextField, errorItems, type FieldErrors } from '../../components/forms.js';
import { APPLICANT_SESSION_COOKIE, clearCookie, cookieOptions } from '../../cookies.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { loginRateLimit } from '../../plugins/login-rate-limit.js';
import { renderDocument, sendHtml } from '../../render.js';
import { PASSWORD_HINT } from './register.js';
import { CSRF_ONLY, TWO_FACTOR_SETUP_PATH } from './shared.js';

/** 利用者ID ログイン: 利用者ID, パスワード and, when two-factor is on, the 確認コード. */
export function AccountLoginPage({ ctx, userId, failure, notice }: { ctx: PageContext; userId?: string; failure?: string | undefined; notice?: 'confirmed' | 'reset' | 'ended' | undefined }) {
  const items = failure ? [{ field: 'userId', message: failure }] : [];
  return (
    <Layout ctx={ctx} title="利用者ID ログイン" hasErrors={items.length > 0}>
      <h1 class="page-title">
        <span class="page-title__crumb">利用者ID</span> ログイン
      </h1>
      {notice === 'confirmed' ? <Banner kind="success" title="メールアドレスの確認が完了しました。">{<p>利用者IDとパスワードでログインしてください。</p>}</Banner> : null}
      {notice === 'reset' ? <Banner kind="success" title="パスワードを再設定しました。">{<p>新しいパスワードでログインしてください。</p>}</Banner> : null}
      {notice === 'ended' ? <Banner kind="success" title="終了しました。">{<p>続けて操作する場合は、もう一度ログインしてください。</p>}</Banner> : null}
      <ErrorSummary items={items} />
      <p>
        利用者IDとパスワードを入力し「ログイン」ボタンを押してください。ログインすると、申請一覧でお持ちの申請の状況を確認できます。
      </p>
      <form method="post" action="/account/login" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <TextField name="userId" label="利用者ID" value={userId} error={failure} hint="数字12桁（例：1234 5678 9012）。空白やハイフンで区切って入力することもできます。" inputMode="numeric" autocomplete="username" width="medium" spellcheck={false} />
        <TextField name="password" label="パスワード" type="password" autocomplete="current-password" maxLength={ACCOUNT_PASSWORD_MAX} width="long" spellcheck={false} />
        <TextField name="totpCode" label="確認コード（二要素認証を設定している方のみ）" hint="認証アプリに表示されている6桁の数字。認証アプリを利用できない場合は、リカバリーコード（例：abcd-efgh-jkmn）" autocomplete="one-time-code" maxLength={20} width="short" spellcheck={false} />
        <div class="button-row">
          <button type="submit" class="button button--primary">
            ログイン
          </button>
        </div>
      </form>
      <ul class="link-list">
        <li>
          <a href="/account/password-reset">パスワードを忘れた方</a>
        </li>
        <li>
          <a href="/account/register">利用者IDの発行</a>
        </li>
      </ul>
    </Layout>
  );
}

function ResetRequestPage({ ctx, sent, errors }: { ctx: PageContext; sent?: boolean; errors?: FieldErrors }) {
  const items = errorItems(errors ?? {}, ['userId', 'mailAddress']);
  return (
    <Layout ctx={ctx} title="パスワードの再設定" hasErrors={items.length > 0}>
      <h1 class="page-title">パスワードの再設定</h1>
      <ErrorSummary items={items} />
      {sent ? (
        <Banner kind="info" title="受け付けました。">
          <p>入力された利用者IDと連絡先メールアドレスが登録内容と一致する場合は、パスワードの再設定用のリンクをメールでお送りしました。リンクの有効期限は1時間です。</p>
        </Banner>
      ) : null}
      <p>利用者IDと、登録した連絡先メールアドレスを入力してください。パスワードの再設定用のリンクをメールでお送りします。</p>
      <form method="post" action="/account/password-reset" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <TextField name="userId" label="利用者ID" error={errors?.userId} inputMode="numeric" autocomplete="username" width="medium" spellcheck={false} />
        <TextField name="mailAddress" label="連絡先メールアドレス" error={errors?.mailAddress} autocomplete="email" maxLength={254} width="long" spellcheck={false} />
        <div class="button-row">
          <button type="submit" class="button button--primary">
            再設定用のメールを送る
          </button>
        </div>
      </form>
    </Layout>
  );
}

function ResetPage({ ctx, token, error, linkError }: { ctx: PageContext; token: string; error?: string | undefined; linkError?: string | undefined }) {
  return (
    <Layout ctx={ctx} title="新しいパスワードの設定" hasErrors={Boolean(error ?? linkError)}>
      <h1 class="page-title">新しいパスワードの設定</h1>
      {linkError ? (
        <Banner kind="error" title={linkError}>
          <p>
            <a href="/account/password-reset">パスワードの再設定</a>からやり直してください。
          </p>
        </Banner>
      ) : (
        <>
          <ErrorSummary items={error ? [{ field: 'password', message: error }] : []} />
          <form method="post" action={`/account/reset/${token}`} class="form" novalidate>
            <CsrfField token={ctx.csrfToken} />
            <TextField name="password" label="新しいパスワード" type="password" required error={error} hint={PASSWORD_HINT} autocomplete="new-password" maxLength={ACCOUNT_PASSWORD_MAX} width="long" spellcheck={false} />
            <div class="button-row">
              <button type="submit" class="button button--primary">
                パスワードを設定する
              </button>
            </div>
          </form>
        </>
      )}
    </Layout>
  );
}

const LoginForm = Type.Object({
  userId: Type.Optional(Type.String({ maxLength: 1000 })),
  password: Type.Optional(Type.String({ maxLength: 20_000 })),
  totpCode: Type.Optional(Type.String({ maxLength: 100 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});
const ResetRequestForm = Type.Object({ userId: Type.Optional(Type.String({ maxLength: 1000 })), mailAddress: Type.Optional(Type.String({ maxLength: 1000 })), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
const ResetForm = Type.Object({ password: Type.Optional(Type.String({ maxLength: 20_000 })), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
/** A link's token: URL-safe characters only (a stray byte such as %00 is refused at the door, never sent to the database). */
const TokenParams = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$' }) });
const LoginQuery = Type.Object({ confirmed: Type.Optional(Type.String({ maxLength: 5 })), reset: Type.Optional(Type.String({ maxLength: 5 })), ended: Type.Optional(Type.String({ maxLength: 5 })) });

export function accountLoginRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/account/login', { schema: { querystring: LoginQuery } }, async (req, reply) => {
      if (req.accountSession) return reply.redirect('/account/applications', 303);
      const notice = req.query.confirmed === '1' ? 'confirmed' : req.query.reset === '1' ? 'reset' : req.query.ended === '1' ? 'ended' : undefined;
      return sendHtml(reply, 200, renderDocument(<AccountLoginPage ctx={pageContext(req, reply)} notice={notice} />));
    });

    app.post('/account/login', { schema: { body: LoginForm }, attachValidation: true, onRequest: loginRateLimit(services, 'account-login'), preHandler: app.csrfProtection }, async (req, reply) => {
      const ctx = pageContext(req, reply);
      const body = req.validationError ? {} : req.body;
      const userId = (body.userId ?? '').slice(0, 60);
      const password = body.password ?? '';
      if (userId.trim() === '' || password === '' || password.length > ACCOUNT_PASSWORD_MAX) {
        return sendHtml(reply, 400, renderDocument(<AccountLoginPage ctx={ctx} userId={userId} failure="利用者IDとパスワードを入力してください。" />));
      }
      const result = await services.accounts.login(userId, password, body.totpCode ?? '', req.log, { clientAddress: req.ip });
      if (!result.ok && 'lockedUntil' in result) {
        reply.header('retry-after', String(result.retryAfterSeconds));
        return sendHtml(reply, 429, renderDocument(<AccountLoginPage ctx={ctx} userId={userId} failure={result.refusal.message} />));
      }
      if (!result.ok) return sendHtml(reply, result.refusal.code === 'actorNotAllowed' ? 403 : 401, renderDocument(<AccountLoginPage ctx={ctx} userId={userId} failure={result.refusal.message} />));
      // A new session id at every login; whatever session the browser had ends here.
      const previous = req.accountSession ?? req.applicantSession;
      if (previous) await services.sessions.end(previous);
      reply.setCookie(APPLICANT_SESSION_COOKIE, result.value.token, cookieOptions(req));
      req.log.info({ event: 'account-login', accountId: result.value.accountId }, 'account logged in');
      // The operator's two-factor rule (decision 0013): an account that must set it goes to its setup first.
      return reply.redirect(result.value.twoFactor === 'missing' ? TWO_FACTOR_SETUP_PATH : '/account/applications', 303);
    });

    /** 終了 */
    app.post('/account/logout', { schema: { body: CSRF_ONLY }, preHandler: app.csrfProtection }, async (req, reply) => {
      const session = req.accountSession ?? req.applicantSession;
      if (session) await services.sessions.end(session);
      clearCookie(req, reply, APPLICANT_SESSION_COOKIE);
      return reply.redirect('/account/login?ended=1', 303);
    });

    app.get('/account/password-reset', async (req, reply) => sendHtml(reply, 200, renderDocument(<ResetRequestPage ctx={pageContext(req, reply)} />)));

    app.post('/account/password-reset', { schema: { body: ResetRequestForm }, attachValidation: true, onRequest: loginRateLimit(services, 'account-login'), preHandler: app.csrfProtection }, async (req, reply) => {
      const ctx = pageContext(req, reply);
      const body = req.validationError ? {} : req.body;
      const errors: Record<string, string> = {};
      if (!body.userId?.trim()) errors.userId = '利用者IDを入力してください。';
      if (!body.mailAddress?.trim()) errors.mailAddress = '連絡先メールアドレスを入力してください。';
      if (Object.keys(errors).length > 0) return sendHtml(reply, 400, renderDocument(<ResetRequestPage ctx={ctx} errors={errors} />));
      await services.accounts.requestPasswordReset(body.userId ?? '', body.mailAddress ?? '');
      return sendHtml(reply, 200, renderDocument(<ResetRequestPage ctx={ctx} sent />));
    });

    app.get('/account/reset/:token', { schema: { params: TokenParams } }, async (req, reply) => {
      const ctx = pageContext(req, reply);
      if (!(await services.accounts.resetLinkLive(req.params.token))) return sendHtml(reply, 400, renderDocument(<ResetPage ctx={ctx} token="" linkError="このリンクは無効です。有効期限が過ぎたか、すでに使用されています。" />));
      return sendHtml(reply, 200, renderDocument(<ResetPage ctx={ctx} token={encodeURIComponent(req.params.token)} />));
    });

    app.post('/account/reset/:token', { schema: { params: TokenParams, body: ResetForm }, attachValidation: true, preHandler: app.csrfProtection }, async (req, reply) => {
      const ctx = pageContext(req, reply);
      const password = req.validationError ? '' : (req.body.password ?? '');
      const result = await services.accounts.resetPassword(req.params.token, password, { clientAddress: req.ip });
      if (!result.ok) {
        const page = result.refusal.field === 'password' ? <ResetPage ctx={ctx} token={encodeURIComponent(req.params.token)} error={result.refusal.message} /> : <ResetPage ctx={ctx} token="" linkError={result.refusal.message} />;
        return sendHtml(reply, 400, renderDocument(page));
      }
      return reply.redirect('/account/login?reset=1', 303);
    });
  };
}
