import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import { STAFF_PASSWORD_MAX } from '../../services/staff-auth.js';
import { Layout } from '../components/Layout.js';
import { Banner, CsrfField, ErrorSummary, type ErrorItem } from '../components/forms.js';
import { STAFF_SESSION_COOKIE, clearCookie, cookieOptions } from '../cookies.js';
import { pageContext, safeReturnPath, type PageContext } from '../page-context.js';
import { renderDocument } from '../render.js';
import { loginRateLimit } from '../plugins/login-rate-limit.js';
import { StaffField } from './components.js';
import { sendHtml } from './guard.js';

export const STAFF_COOKIE_PATH = '/staff';

/** 事務所等用画面 ログイン: ログインID and パスワード of a clerk (created with `kei-oss create-staff-user`). */
export function StaffLoginPage({ ctx, loginId, errors, failure, ended, returnTo }: { ctx: PageContext; loginId?: string; errors?: { loginId?: string; password?: string }; failure?: string; ended?: boolean; returnTo?: string }) {
  const items: ErrorItem[] = [
    ...(failure ? [{ field: 'password', message: failure }] : []),
    ...(errors?.loginId ? [{ field: 'loginId', message: errors.loginId }] : []),
    ...(errors?.password ? [{ field: 'password', message: errors.password }] : []),
  ];
  return (
    <Layout ctx={ctx} title="事務所等用画面 ログイン" hasErrors={items.length > 0}>
      <h1 class="page-title">事務所等用画面 ログイン</h1>
      <ErrorSummary items={items} />
      {ended ? <Banner kind="success" title="ログアウトしました。" /> : null}
      <p>軽自動車検査協会の事務所等の職員の方の画面です。ログインIDとパスワードを入力し「ログイン」ボタンを押してください。</p>
      <form method="post" action="/staff/login" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        {returnTo ? <input type="hidden" name="return" value={returnTo} /> : null}
        <StaffField id="loginId" name="loginId" label="ログインID" value={loginId} error={errors?.loginId} autocomplete="username" maxLength={64} />
        <StaffField id="password" name="password" label="パスワード" type="password" error={errors?.password ?? failure} autocomplete="current-password" maxLength={STAFF_PASSWORD_MAX} />
        <div class="button-row">
          <button type="submit" class="button button--primary">
            ログイン
          </button>
        </div>
      </form>
    </Layout>
  );
}

const LoginForm = Type.Object({
  loginId: Type.String({ maxLength: 1000 }),
  password: Type.String({ maxLength: 20_000 }),
  return: Type.Optional(Type.String({ maxLength: 1000 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});

/** Only pages of the staff UI are followed back after login. */
function staffReturnPath(value: unknown): string {
  const path = safeReturnPath(value, '/staff/applications');
  return path.startsWith('/staff/') && !path.startsWith('/staff/login') ? path : '/staff/applications';
}

/**
 * The staff login: checks the form, then one service call checks the credentials (throttled) and
 * starts a new session (a new id at every login), set here on a cookie for /staff.
 */
async function handleStaffLogin(services: Services, req: FastifyRequest, reply: FastifyReply) {
  const ctx = pageContext(req, reply, 'staff');
  const body = req.validationError ? null : (req.body as Static<typeof LoginForm>);
  const loginId = (body?.loginId ?? '').normalize('NFKC').trim().toLowerCase();
  const password = body?.password ?? '';
  const returnTo = staffReturnPath(body?.return);
  const errors: { loginId?: string; password?: string } = {};
  if (loginId === '') errors.loginId = 'ログインIDを入力してください。';
  else if (loginId.length > 64) errors.loginId = 'ログインIDは64文字以内で入力してください。';
  if (password === '') errors.password = 'パスワードを入力してください。';
  else if (password.length > STAFF_PASSWORD_MAX) errors.password = `パスワードは${STAFF_PASSWORD_MAX}文字以内で入力してください。`;
  if (errors.loginId || errors.password) {
    return sendHtml(reply, 400, renderDocument(<StaffLoginPage ctx={ctx} loginId={loginId.slice(0, 64)} errors={errors} returnTo={returnTo} />));
  }
  // Login throttling (issue 5): 5 wrong passwords lock the login id for 15 minutes, checked before verifying.
  const result = await services.staffAuth.login(loginId, password, { clientAddress: req.ip }, req.log);
  if (!result.ok && 'lockedUntil' in result) {
    reply.header('retry-after', String(result.retryAfterSeconds));
    return sendHtml(reply, 429, renderDocument(<StaffLoginPage ctx={ctx} loginId={loginId} failure={result.refusal.message} returnTo={returnTo} />));
  }
  if (!result.ok) {
    req.log.info({ event: 'staff-login-failed' }, 'staff login failed');
    return sendHtml(reply, 401, renderDocument(<StaffLoginPage ctx={ctx} loginId={loginId} failure={result.refusal.message} returnTo={returnTo} />));
  }
  if (req.staffSession) await services.sessions.end(req.staffSession);
  reply.setCookie(STAFF_SESSION_COOKIE, result.value.token, cookieOptions(req, undefined, STAFF_COOKIE_PATH));
  req.log.info({ event: 'staff-login', staffUserId: result.value.user.id, officeCode: result.value.user.officeCode }, 'staff logged in');
  return reply.redirect(returnTo, 303);
}

export function staffLoginRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/staff', async (_req, reply) => reply.redirect('/staff/applications', 303));

    app.get('/staff/login', { schema: { querystring: Type.Object({ ended: Type.Optional(Type.String({ maxLength: 1 })), return: Type.Optional(Type.String({ maxLength: 1000 })) }) } }, async (req, reply) => {
      const returnTo = req.query.return ? staffReturnPath(req.query.return) : undefined;
      return sendHtml(reply, 200, renderDocument(<StaffLoginPage ctx={pageContext(req, reply, 'staff')} ended={req.query.ended === '1'} returnTo={returnTo} />));
    });

    app.post('/staff/login', { schema: { body: LoginForm }, attachValidation: true, onRequest: loginRateLimit(services, 'staff-login'), preHandler: app.csrfProtection }, (req, reply) =>
      handleStaffLogin(services, req, reply),
    );

    app.post('/staff/logout', { schema: { body: Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) }) }, preHandler: app.csrfProtection }, async (req, reply) => {
      // Recorded in the audit trail (issue 19) when the session was a staff user's.
      if (req.staffSession) await services.staffAuth.logout(req.staffSession, { clientAddress: req.ip });
      clearCookie(req, reply, STAFF_SESSION_COOKIE, STAFF_COOKIE_PATH);
      return reply.redirect('/staff/login?ended=1', 303);
    });
  };
}
