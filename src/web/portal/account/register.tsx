import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { accountKinds, formatUserId } from '../../../domain/accounts.js';
import { ACCOUNT_PASSWORD_MAX, ACCOUNT_PASSWORD_MIN } from '../../../services/account-passwords.js';
import type { Services } from '../../../services/index.js';
import { Layout } from '../../components/Layout.js';
import { Banner, CsrfField, ErrorSummary, TextField, errorItems, type FieldErrors } from '../../components/forms.js';
import { clearCookie, cookieOptions } from '../../cookies.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { renderDocument, sendHtml } from '../../render.js';
import { RadioGroup } from '../actions/fields.js';

const ISSUED_COOKIE = 'kei_account_issued';
const FIELDS = ['kind', 'name', 'mailAddress', 'password'] as const;
export const PASSWORD_HINT = `${ACCOUNT_PASSWORD_MIN}文字以上（${ACCOUNT_PASSWORD_MAX}文字以内）。英字・数字・記号の組み合わせの決まりはありません。覚えやすい複数の単語をつなげた文（パスフレーズ）をおすすめします。よく使われているパスワードや、過去に漏えいしたパスワードは使用できません。`;

interface RegisterValues {
  readonly kind?: string;
  readonly name?: string;
  readonly mailAddress?: string;
}

/** 利用者IDの発行 (issue 16): 利用者の種別, 氏名又は名称, 連絡先メールアドレス, パスワード. */
export function RegisterPage({ ctx, values, errors }: { ctx: PageContext; values?: RegisterValues; errors?: FieldErrors }) {
  const items = errorItems(errors ?? {}, [...FIELDS]);
  return (
    <Layout ctx={ctx} title="利用者IDの発行" hasErrors={items.length > 0}>
      <h1 class="page-title">利用者IDの発行</h1>
      <ErrorSummary items={items} />
      <p class="lead">多数の申請を行う販売店・整備事業者・行政書士事務所などのための利用者IDを発行します。</p>
      <p>利用者IDでログインすると、申請一覧でお持ちの申請の状況をまとめて確認できます。まとめ納付には利用者IDが必要です。</p>
      <p>入力した連絡先メールアドレスに確認のメールをお送りします。メールのリンクを開いて確認が完了するまで、利用者IDではログインできません。</p>
      <form method="post" action="/account/register" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <RadioGroup name="kind" legend="利用者の種別" required options={Object.entries(accountKinds).map(([value, label]) => ({ value, label }))} value={values?.kind} error={errors?.kind} />
        <TextField name="name" label="氏名又は名称" required value={values?.name} error={errors?.name} hint="法人の場合は法人名、行政書士の場合は事務所名を入力してください。" autocomplete="organization" maxLength={100} width="long" />
        <TextField name="mailAddress" label="連絡先メールアドレス" required value={values?.mailAddress} error={errors?.mailAddress} autocomplete="email" maxLength={254} width="long" spellcheck={false} />
        <TextField name="password" label="パスワード" type="password" required error={errors?.password} hint={PASSWORD_HINT} autocomplete="new-password" maxLength={ACCOUNT_PASSWORD_MAX} width="long" spellcheck={false} />
        <div class="checkbox" data-password-toggle hidden>
          <input type="checkbox" id="show-password" aria-controls="password" />
          <label for="show-password">パスワード表示</label>
        </div>
        <div class="button-row">
          <button type="submit" class="button button--primary">
            利用者IDを発行する
          </button>
        </div>
      </form>
      <p>
        すでに利用者IDをお持ちの方は<a href="/account/login">利用者ID ログイン</a>へ。
      </p>
    </Layout>
  );
}

/** The 利用者ID, shown once (and mailed). */
export function IssuedPage({ ctx, userId }: { ctx: PageContext; userId: string }) {
  return (
    <Layout ctx={ctx} title="利用者IDを発行しました">
      <h1 class="page-title">利用者IDを発行しました</h1>
      <Banner kind="success" title="利用者IDを発行しました。">
        <p>この画面は一度だけ表示されます。利用者IDを控えてください（連絡先メールアドレスにもお送りしました）。</p>
      </Banner>
      <dl class="definition">
        <dt>利用者ID</dt>
        <dd>
          <span class="user-id">{formatUserId(userId)}</span>
        </dd>
      </dl>
      <h2>次に行うこと</h2>
      <ol>
        <li>連絡先メールアドレスに届いた「メールアドレスの確認のお願い」のメールを開き、リンクから確認を完了してください（リンクの有効期限は24時間です）。</li>
        <li>確認が完了したら、利用者IDとパスワードでログインしてください。</li>
      </ol>
      <p>
        <a class="button button--primary" href="/account/login">
          利用者ID ログインへ
        </a>
      </p>
    </Layout>
  );
}

function ConfirmPage({ ctx, token, error }: { ctx: PageContext; token: string; error?: string | undefined }) {
  return (
    <Layout ctx={ctx} title="メールアドレスの確認" hasErrors={Boolean(error)}>
      <h1 class="page-title">メールアドレスの確認</h1>
      {error ? (
        <Banner kind="error" title={error}>
          <p>
            利用者IDをまだお持ちでない場合は、<a href="/account/register">利用者IDの発行</a>からやり直してください。
          </p>
        </Banner>
      ) : (
        <form method="post" action={`/account/confirm/${token}`} class="form">
          <CsrfField token={ctx.csrfToken} />
          <p>「確認する」ボタンを押すと、連絡先メールアドレスの確認が完了します。</p>
          <div class="button-row">
            <button type="submit" class="button button--primary">
              確認する
            </button>
          </div>
        </form>
      )}
    </Layout>
  );
}

const RegisterForm = Type.Object({
  kind: Type.Optional(Type.String({ maxLength: 40 })),
  name: Type.Optional(Type.String({ maxLength: 1000 })),
  mailAddress: Type.Optional(Type.String({ maxLength: 1000 })),
  password: Type.Optional(Type.String({ maxLength: 2000 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});
/** A link's token: URL-safe characters only (a stray byte such as %00 is refused at the door, never sent to the database). */
const TokenParams = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$' }) });

export function accountRegisterRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/account/register', async (req, reply) => sendHtml(reply, 200, renderDocument(<RegisterPage ctx={pageContext(req, reply)} />)));

    app.post('/account/register', { schema: { body: RegisterForm }, attachValidation: true, preHandler: app.csrfProtection, config: { rateLimit: { max: 20, timeWindow: 60_000 } } }, async (req, reply) => {
      const ctx = pageContext(req, reply);
      const body = req.validationError ? {} : req.body;
      const values = { kind: body.kind ?? '', name: (body.name ?? '').slice(0, 100), mailAddress: (body.mailAddress ?? '').slice(0, 254) };
      if (req.validationError) return sendHtml(reply, 400, renderDocument(<RegisterPage ctx={ctx} values={values} errors={{ name: '入力内容が長すぎます。入力内容をご確認ください。' }} />));
      const result = await services.accounts.register({ ...values, password: body.password ?? '' }, { clientAddress: req.ip });
      if (!result.ok) return sendHtml(reply, 400, renderDocument(<RegisterPage ctx={ctx} values={values} errors={{ [result.refusal.field]: result.refusal.message }} />));
      req.log.info({ event: 'account-registered', accountId: result.value.accountId }, 'account registered');
      // Shown once: the next page reads it from a short-lived signed cookie and clears it.
      reply.setCookie(ISSUED_COOKIE, result.value.userId, { ...cookieOptions(req, 10 * 60), signed: true });
      return reply.redirect('/account/registered', 303);
    });

    app.get('/account/registered', async (req, reply) => {
      const raw = req.cookies[ISSUED_COOKIE];
      const unsigned = raw ? req.unsignCookie(raw) : null;
      clearCookie(req, reply, ISSUED_COOKIE);
      if (!unsigned?.valid || !unsigned.value || !/^[0-9]{12}$/.test(unsigned.value)) return reply.redirect('/account/login', 303);
      return sendHtml(reply, 200, renderDocument(<IssuedPage ctx={pageContext(req, reply)} userId={unsigned.value} />));
    });

    // A GET only shows the button: mail scanners that open links must not confirm an address.
    app.get('/account/confirm/:token', { schema: { params: TokenParams } }, async (req, reply) => sendHtml(reply, 200, renderDocument(<ConfirmPage ctx={pageContext(req, reply)} token={encodeURIComponent(req.params.token)} />)));

    app.post('/account/confirm/:token', { schema: { params: TokenParams, body: Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) }) }, preHandler: app.csrfProtection }, async (req, reply) => {
      const result = await services.accounts.confirm(req.params.token, { clientAddress: req.ip });
      const ctx = pageContext(req, reply);
      if (!result.ok) return sendHtml(reply, 400, renderDocument(<ConfirmPage ctx={ctx} token="" error={result.refusal.message} />));
      return reply.redirect('/account/login?confirmed=1', 303);
    });
  };
}
