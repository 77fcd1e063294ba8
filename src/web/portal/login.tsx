import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Layout } from '../components/Layout.js';
import { ButtonLink, CsrfField, ErrorSummary, HelpToggle, TextField, errorItems, type FieldErrors } from '../components/forms.js';
import { procedures, type ProcedureCode } from '../../domain/procedures.js';
import { formatReceiptNumber, parseReceiptNumber } from '../../domain/receipt-number.js';
import type { Services } from '../../services/index.js';
import { APPLICANT_SESSION_COOKIE, LOGIN_NUMBER_COOKIE, clearCookie, cookieOptions } from '../cookies.js';
import { pageContext, type PageContext } from '../page-context.js';
import { loginRateLimit } from '../plugins/login-rate-limit.js';
import { renderDocument, sendHtml } from '../render.js';
import { rememberLoginDestination, takeLoginDestination } from './actions/login-destination.js';

const NUMBER_LABEL = '受付番号（到達番号）';
const PASSWORD_MAX = 64;

/** 状況照会 ログイン, first step (manual 2 ④). */
export function LoginNumberPage({ ctx, value, errors }: { ctx: PageContext; value?: string; errors?: FieldErrors }) {
  const items = errorItems(errors ?? {}, ['receiptNumber']);
  return (
    <Layout ctx={ctx} title="状況照会 ログイン" hasErrors={items.length > 0}>
      <h1 class="page-title">
        <span class="page-title__crumb">状況照会</span> ログイン
      </h1>
      <ErrorSummary items={items} />
      <p class="lead">
        <span aria-hidden="true">✔</span>申請状況の確認です。
      </p>
      <div class="terms-box">
        <p>
          軽自動車OSSをご利用になる方は、「<a href="/terms">軽自動車保有関係手続のワンストップサービス利用規約</a>」(以下、「利用規約」)の全ての事項に同意いただくことが必要となります。ご利用前に必ずお読みください。
        </p>
        <p>「次へ」ボタンを押すと、「利用規約」に同意したとみなされます。</p>
      </div>
      <p>
        軽自動車検査申請の現在の状況を確認することができます。
        <br />
        受付番号を入力し「次へ」ボタンを押してください。
      </p>
      <form method="post" action="/inquiry/login" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <TextField
          name="receiptNumber"
          label={NUMBER_LABEL}
          value={value}
          error={errors?.receiptNumber}
          hint="数字17桁（例：2112 2310 5000 30459）。空白やハイフンで区切って入力することもできます。"
          inputMode="numeric"
          autocomplete="off"
          width="medium"
          spellcheck={false}
        />
        <div class="button-row">
          <button type="submit" class="button button--primary">
            次へ
          </button>
        </div>
      </form>
      <div class="button-row button-row--end">
        <ButtonLink action="/online" label="終了" />
      </div>
    </Layout>
  );
}

/** 状況照会 ログイン 継続検査 / 新車, second step (manual 2 ⑤, 4 ⑤). */
export function LoginPasswordPage({ ctx, procedure, number, errors, failure }: { ctx: PageContext; procedure: ProcedureCode; number: string; errors?: FieldErrors; failure?: string }) {
  const items = [...(failure ? [{ field: 'password', message: failure }] : []), ...errorItems(errors ?? {}, ['receiptNumber', 'password'])];
  const label = procedures[procedure].label;
  return (
    <Layout ctx={ctx} title={`状況照会 ログイン ${label}`} hasErrors={items.length > 0}>
      <h1 class="page-title">
        <span class="page-title__crumb">状況照会</span> ログイン <span class="procedure-tag">{label}</span>
      </h1>
      <ErrorSummary items={items} />
      <p class="lead">
        <span aria-hidden="true">✔</span>
        {procedure === 'newVehicle' ? '申請の進捗状況を確認できます。' : '申請状況の確認です。'}
      </p>
      <p>
        軽自動車検査申請の現在の状況を確認することができます。
        <br />
        受付番号と申請用パスワードを入力し「ログイン」ボタンを押してください。
      </p>
      <form method="post" action="/inquiry/login/password" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <TextField
          name="receiptNumber"
          label={NUMBER_LABEL}
          value={number}
          error={errors?.receiptNumber}
          inputMode="numeric"
          autocomplete="username"
          spellcheck={false}
          help={
            <HelpToggle label={NUMBER_LABEL}>
              <p>初回申請後に払い出された受付番号または到達番号（数字17桁）を入力してください。</p>
            </HelpToggle>
          }
        />
        <TextField
          name="password"
          label="申請用パスワード"
          type="password"
          error={errors?.password ?? (failure ? failure : undefined)}
          autocomplete="current-password"
          maxLength={PASSWORD_MAX}
          spellcheck={false}
          help={
            <HelpToggle label="申請用パスワード">
              <p>初回申請時に入力（設定）した申請用パスワードを入力してください。大文字と小文字は区別されます。</p>
            </HelpToggle>
          }
        />
        <div class="checkbox" data-password-toggle hidden>
          <input type="checkbox" id="show-password" aria-controls="password" />
          <label for="show-password">パスワード表示</label>
        </div>
        <div class="button-row">
          <button type="submit" class="button button--primary">
            ログイン
          </button>
        </div>
      </form>
      <div class="button-row button-row--end">
        <ButtonLink action="/online" label="終了" />
      </div>
    </Layout>
  );
}

/** Form fields are bounded at the door; longer input gets a field message, not a crash. */
const LoginNumberForm = Type.Object({ receiptNumber: Type.String({ maxLength: 1000 }), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
const LoginPasswordForm = Type.Object({
  receiptNumber: Type.String({ maxLength: 1000 }),
  password: Type.String({ maxLength: 20_000 }),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});

export function loginRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/inquiry/login', async (req, reply) => {
      rememberLoginDestination(req, reply);
      return sendHtml(reply, 200, renderDocument(<LoginNumberPage ctx={pageContext(req, reply)} />));
    });

    app.post('/inquiry/login', { schema: { body: LoginNumberForm }, attachValidation: true, onRequest: loginRateLimit(services, 'applicant-number'), preHandler: app.csrfProtection }, async (req, reply) => {
      const ctx = pageContext(req, reply);
      if (req.validationError) {
        return sendHtml(reply, 400, renderDocument(<LoginNumberPage ctx={ctx} errors={{ receiptNumber: `${NUMBER_LABEL}は数字17桁で入力してください。` }} />));
      }
      const parsed = parseReceiptNumber(req.body.receiptNumber);
      if (!parsed.ok) {
        return sendHtml(reply, 400, renderDocument(<LoginNumberPage ctx={ctx} value={req.body.receiptNumber.slice(0, 100)} errors={{ receiptNumber: parsed.refusal.message }} />));
      }
      reply.setCookie(LOGIN_NUMBER_COOKIE, parsed.value, { ...cookieOptions(req, 30 * 60), signed: true });
      return reply.redirect('/inquiry/login/password', 303);
    });

    app.get('/inquiry/login/password', async (req, reply) => {
      const raw = req.cookies[LOGIN_NUMBER_COOKIE];
      const unsigned = raw ? req.unsignCookie(raw) : null;
      const parsed = unsigned?.valid && unsigned.value ? parseReceiptNumber(unsigned.value) : null;
      if (!parsed?.ok) return reply.redirect('/inquiry/login', 303);
      const procedure = await services.applicantAuth.procedureForLogin(parsed.value);
      return sendHtml(reply, 200, renderDocument(<LoginPasswordPage ctx={pageContext(req, reply)} procedure={procedure} number={formatReceiptNumber(parsed.value)} />));
    });

    app.post('/inquiry/login/password', { schema: { body: LoginPasswordForm }, attachValidation: true, onRequest: loginRateLimit(services, 'applicant-password'), preHandler: app.csrfProtection }, async (req, reply) => {
      const ctx = pageContext(req, reply);
      const body = req.validationError ? null : req.body;
      const numberInput = typeof body?.receiptNumber === 'string' ? body.receiptNumber : '';
      const parsed = parseReceiptNumber(numberInput);
      const password = typeof body?.password === 'string' ? body.password : '';
      const errors: Record<string, string> = {};
      if (!body) errors.receiptNumber = `${NUMBER_LABEL}と申請用パスワードを入力してください。`;
      else if (!parsed.ok) errors.receiptNumber = parsed.refusal.message;
      if (body && password === '') errors.password = '申請用パスワードを入力してください。';
      else if (password.length > PASSWORD_MAX) errors.password = `申請用パスワードは${PASSWORD_MAX}文字以内で入力してください。`;
      const shownNumber = parsed.ok ? formatReceiptNumber(parsed.value) : numberInput.slice(0, 100);
      const procedure = parsed.ok ? await services.applicantAuth.procedureForLogin(parsed.value) : 'continuousInspection';
      if (Object.keys(errors).length > 0 || !parsed.ok) {
        return sendHtml(reply, 400, renderDocument(<LoginPasswordPage ctx={ctx} procedure={procedure} number={shownNumber} errors={errors} />));
      }
      const result = await services.applicantAuth.login(parsed.value, password, req.log, { clientAddress: req.ip });
      if (!result.ok && 'lockedUntil' in result) {
        // Locked after repeated wrong passwords (issue 5): the same page, with when it unlocks.
        reply.header('retry-after', String(result.retryAfterSeconds));
        return sendHtml(reply, 429, renderDocument(<LoginPasswordPage ctx={ctx} procedure={procedure} number={shownNumber} failure={result.refusal.message} />));
      }
      if (!result.ok) {
        req.log.info({ event: 'applicant-login-failed' }, 'applicant login failed');
        return sendHtml(reply, 401, renderDocument(<LoginPasswordPage ctx={ctx} procedure={procedure} number={shownNumber} failure={result.refusal.message} />));
      }
      // A new session id at every login; the previous session (if any, a 利用者ID's too) ends here.
      const previous = req.applicantSession ?? req.accountSession;
      if (previous) await services.sessions.end(previous);
      reply.setCookie(APPLICANT_SESSION_COOKIE, result.value.token, cookieOptions(req));
      clearCookie(req, reply, LOGIN_NUMBER_COOKIE);
      req.log.info({ event: 'applicant-login', applicationId: result.value.applicationId }, 'applicant logged in');
      // 納付を行う leads to the payment information; only a fixed name travels, never a URL.
      return reply.redirect(takeLoginDestination(req, reply), 303);
    });

    /** 終了: ends the session; the cookie and every form of the old session stop working. */
    app.post('/inquiry/logout', { schema: { body: Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) }) }, preHandler: app.csrfProtection }, async (req, reply) => {
      const session = req.applicantSession ?? req.accountSession;
      if (session) await services.sessions.end(session);
      clearCookie(req, reply, APPLICANT_SESSION_COOKIE);
      return reply.redirect('/online?ended=1', 303);
    });
  };
}
