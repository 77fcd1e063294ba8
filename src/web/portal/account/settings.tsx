import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TWO_FACTOR_REQUIRED_DETAIL, TWO_FACTOR_REQUIRED_MESSAGE, accountKinds, accountLogActions, formatUserId, type TwoFactorStanding } from '../../../domain/accounts.js';
import { formatJapanDateTime } from '../../../domain/format.js';
import { formatReceiptNumber } from '../../../domain/receipt-number.js';
import type { AccountProfile } from '../../../services/accounts.js';
import type { Services } from '../../../services/index.js';
import { Banner, CsrfField, ErrorSummary, TextField } from '../../components/forms.js';
import { qrMatrix, qrSvgPath } from '../../formats/qr.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { refusalStatus } from '../../refusals.js';
import { renderDocument, sendHtml } from '../../render.js';
import { AccountLayout, accountIdOf, requireAccount } from './shared.js';

/** Why the account's other pages send it here: the operator's two-factor rule (decision 0013). */
function TwoFactorRequiredBanner({ added }: { added?: boolean | undefined }) {
  return (
    <Banner kind="warning" title={TWO_FACTOR_REQUIRED_MESSAGE}>
      {added ? <p>申請を申請一覧に追加しました。</p> : null}
      <p>{TWO_FACTOR_REQUIRED_DETAIL}</p>
    </Banner>
  );
}

/** 利用者情報: who the account is, two-factor on or off, and its log (ログイン, 申請の追加・削除, …). */
/** A refused form of 利用者情報: the field it names shows the message (二要素認証の解除, or リカバリーコードの再発行). */
type AccountPageError = { readonly field: 'totpCode' | 'password'; readonly message: string };

function AccountPage({ ctx, profile, error, done }: { ctx: PageContext; profile: AccountProfile; error?: AccountPageError | undefined; done?: 'on' | 'off' | undefined }) {
  return (
    <AccountLayout ctx={ctx} title="利用者情報" current="account" hasErrors={Boolean(error)}>
      <h1 class="page-title">利用者情報</h1>
      <ErrorSummary items={error ? [error] : []} />
      {done === 'on' ? <Banner kind="success" title="二要素認証を設定しました。">{<p>次回のログインから、認証アプリの確認コードが必要です。</p>}</Banner> : null}
      {done === 'off' ? <Banner kind="success" title="二要素認証を解除しました。" /> : null}
      {profile.twoFactor === 'missing' ? <TwoFactorRequiredBanner /> : null}
      <table class="summary-table">
        <tbody>
          <tr>
            <th scope="row">利用者ID</th>
            <td>{formatUserId(profile.userId)}</td>
          </tr>
          <tr>
            <th scope="row">利用者の種別</th>
            <td>{accountKinds[profile.kind]}</td>
          </tr>
          <tr>
            <th scope="row">氏名又は名称</th>
            <td>{profile.name}</td>
          </tr>
          <tr>
            <th scope="row">連絡先メールアドレス</th>
            <td>{profile.mailAddress}</td>
          </tr>
        </tbody>
      </table>
      <h2 class="staff-section-title">二要素認証</h2>
      {profile.totpEnabled ? (
        <>
          <p>二要素認証を設定しています。ログインの際に、認証アプリに表示される確認コードが必要です。</p>
          {profile.twoFactor === 'required' ? <p>申請を2件以上お持ちの利用者IDは、運営者の設定により二要素認証が必要なため、解除できません。</p> : null}
          <form method="post" action="/account/totp/off" class="form" novalidate>
            <CsrfField token={ctx.csrfToken} />
            <TextField name="totpCode" label="確認コード" hint="解除するには、認証アプリに表示されている6桁の数字を入力してください。" error={error?.field === 'totpCode' ? error.message : undefined} inputMode="numeric" autocomplete="one-time-code" maxLength={10} width="short" />
            <div class="button-row">
              <button type="submit" class="button button--secondary">
                二要素認証を解除する
              </button>
            </div>
          </form>
        </>
      ) : (
        <>
          <p>二要素認証を設定すると、ログインの際にパスワードに加えて、スマートフォン等の認証アプリ（TOTP）に表示される確認コードが必要になります。パスワードが漏れても、第三者はログインできません。</p>
          <p>
            <a class="button button--primary" href="/account/totp">
              二要素認証を設定する
            </a>
          </p>
        </>
      )}
      {profile.totpEnabled ? (
        <>
          <h2 class="staff-section-title">リカバリーコード</h2>
          <p>認証アプリを利用できなくなった場合に、確認コードの代わりに入力してログインするためのコードです。1つのコードは1回だけ使用できます。</p>
          <p id="recovery-codes-left">
            使用できるリカバリーコード：<strong>残り{profile.recoveryCodesLeft}個</strong>
          </p>
          {profile.recoveryCodesLeft <= 3 ? <p>残りが少なくなっています。リカバリーコードを再発行してください。</p> : null}
          <form method="post" action="/account/recovery-codes" class="form">
            <CsrfField token={ctx.csrfToken} />
            <p>再発行すると、これまでのリカバリーコードはすべて使用できなくなります。再発行には、パスワードの入力が必要です。</p>
            <TextField name="password" type="password" label="パスワード" hint="利用者IDのパスワード" error={error?.field === 'password' ? error.message : undefined} autocomplete="current-password" maxLength={200} />
            <div class="button-row">
              <button type="submit" class="button button--secondary">
                リカバリーコードを再発行する
              </button>
            </div>
          </form>
        </>
      ) : null}
      <h2 class="staff-section-title">APIトークン（一括申請 API）</h2>
      <p>
        販売管理システム等から申請・照会するための <a href="/account/api">APIトークンの発行・無効化</a>
      </p>
      <h2 class="staff-section-title">操作の記録</h2>
      <p>この利用者IDでのログイン、申請の追加・削除、APIトークンの発行・無効化、Webhook 送信先の登録・変更などの記録です（新しい順に100件）。</p>
      <div class="table-scroll" role="region" aria-labelledby="account-log-caption" tabIndex={0}>
        <table class="data-table">
          <caption id="account-log-caption" class="visually-hidden">
            操作の記録
          </caption>
          <thead>
            <tr>
              <th scope="col">日時</th>
              <th scope="col">操作</th>
              <th scope="col">受付番号（到達番号）</th>
              <th scope="col">接続元</th>
            </tr>
          </thead>
          <tbody>
            {profile.log.map((l) => (
              <tr>
                <td class="nowrap">{formatJapanDateTime(l.occurredAt)}</td>
                <td>{l.detail ? `${accountLogActions[l.action]}（${l.detail}）` : accountLogActions[l.action]}</td>
                <td class="nowrap">{l.receiptNumber ? formatReceiptNumber(l.receiptNumber) : '-'}</td>
                <td>{l.clientAddress ?? '-'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AccountLayout>
  );
}

/** リカバリーコード, shown once: when two-factor is set (again) and when they are issued again. */
function RecoveryCodesPage({ ctx, codes, totpSet }: { ctx: PageContext; codes: readonly string[]; totpSet: boolean }) {
  return (
    <AccountLayout ctx={ctx} title="リカバリーコード" current="account">
      <h1 class="page-title">リカバリーコード</h1>
      {totpSet ? (
        <Banner kind="success" title="二要素認証を設定しました。">
          <p>次回のログインから、認証アプリの確認コードが必要です。</p>
        </Banner>
      ) : (
        <Banner kind="success" title="リカバリーコードを再発行しました。">
          <p>これまでのリカバリーコードは使用できなくなりました。</p>
        </Banner>
      )}
      <p>
        スマートフォンの紛失や機種変更などで認証アプリを利用できなくなった場合は、ログインの際に確認コードの代わりに、次のリカバリーコードのいずれか1つを入力してください。
        <strong>1つのコードは1回だけ使用できます。</strong>
      </p>
      <p>
        <strong>この画面は一度だけ表示されます。</strong>
        リカバリーコードを印刷するか書き写して、パスワードとは別の安全な場所に保管してください。リカバリーコードを使用すると、連絡先メールアドレスにお知らせします。
      </p>
      <ul class="account-recovery-codes" aria-label="リカバリーコード">
        {codes.map((c) => (
          <li>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <p>
        <a class="button button--primary" href="/account">
          利用者情報へ
        </a>
      </p>
    </AccountLayout>
  );
}

/** 二要素認証の設定: the QR code of the otpauth:// URI, the key to type by hand, and a code to confirm. */
function TotpPage({ ctx, secret, uri, replacing, error, standing, added }: { ctx: PageContext; secret: string; uri: string; replacing: boolean; error?: AccountPageError | undefined; standing: TwoFactorStanding | null; added?: boolean | undefined }) {
  const m = qrMatrix(uri);
  const q = 4;
  return (
    <AccountLayout ctx={ctx} title="二要素認証の設定" current="account" hasErrors={Boolean(error)}>
      <h1 class="page-title">二要素認証の設定</h1>
      <ErrorSummary items={error ? [error] : []} />
      {standing === 'missing' ? <TwoFactorRequiredBanner added={added} /> : null}
      <ol>
        <li>スマートフォン等の認証アプリ（TOTPに対応したもの）で、次の二次元コードを読み取ってください。</li>
        <li>読み取れない場合は、認証アプリに次のキーを入力してください。</li>
        <li>認証アプリに表示された6桁の確認コードを入力し、「設定する」ボタンを押してください。</li>
      </ol>
      <svg xmlns="http://www.w3.org/2000/svg" class="account-totp__qr" viewBox={`${-q} ${-q} ${m.size + 2 * q} ${m.size + 2 * q}`} role="img" aria-label="二要素認証の設定用の二次元コード" shape-rendering="crispEdges">
        <rect x={-q} y={-q} width={m.size + 2 * q} height={m.size + 2 * q} fill="#fff" />
        <path d={qrSvgPath(m)} fill="#000" />
      </svg>
      <p>
        キー：<code>{secret.replace(/(.{4})/g, '$1 ').trim()}</code>
      </p>
      <form method="post" action="/account/totp" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <input type="hidden" name="secret" value={secret} />
        {replacing ? (
          <TextField name="password" type="password" label="パスワード" hint="二要素認証はすでに設定されています。新しい認証アプリで設定し直すには、利用者IDのパスワードを入力してください。" error={error?.field === 'password' ? error.message : undefined} autocomplete="current-password" maxLength={200} />
        ) : null}
        <TextField name="totpCode" label="確認コード" error={error?.field === 'totpCode' ? error.message : undefined} hint="認証アプリに表示されている6桁の数字" inputMode="numeric" autocomplete="one-time-code" maxLength={10} width="short" />
        <div class="button-row">
          <button type="submit" class="button button--primary">
            設定する
          </button>
          <a class="button button--secondary" href="/account">
            設定しないで戻る
          </a>
        </div>
      </form>
    </AccountLayout>
  );
}

const RecoveryCodesForm = Type.Object({ password: Type.Optional(Type.String({ maxLength: 200 })), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
const TotpForm = Type.Object({ secret: Type.Optional(Type.String({ maxLength: 100 })), totpCode: Type.Optional(Type.String({ maxLength: 100 })), password: Type.Optional(Type.String({ maxLength: 200 })), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
const DoneQuery = Type.Object({ totp: Type.Optional(Type.String({ maxLength: 5 })) });
const SetupQuery = Type.Object({ added: Type.Optional(Type.String({ maxLength: 5 })) });

export function accountSettingsRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/account', { schema: { querystring: DoneQuery }, preHandler: requireAccount }, async (req, reply) => {
      const profile = await services.accounts.profile(accountIdOf(req));
      if (!profile) return reply.redirect('/account/login', 303);
      const done = req.query.totp === 'on' ? 'on' : req.query.totp === 'off' ? 'off' : undefined;
      return sendHtml(reply, 200, renderDocument(<AccountPage ctx={pageContext(req, reply)} profile={profile} done={done} />));
    });

    app.get('/account/totp', { schema: { querystring: SetupQuery }, preHandler: requireAccount }, async (req, reply) => {
      const [proposal, standing] = await Promise.all([services.accounts.totpProposal(accountIdOf(req)), services.accounts.twoFactorStanding(accountIdOf(req))]);
      if (!proposal) return reply.redirect('/account/login', 303);
      return sendHtml(reply, 200, renderDocument(<TotpPage ctx={pageContext(req, reply)} secret={proposal.secret} uri={proposal.uri} replacing={proposal.replacing} standing={standing} added={req.query.added === '1'} />));
    });

    app.post('/account/totp', { schema: { body: TotpForm }, attachValidation: true, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      const body = req.validationError ? {} : req.body;
      const secret = body.secret ?? '';
      const result = await services.accounts.enableTotp(accountIdOf(req), secret, body.totpCode ?? '', body.password ?? '', req.log, { clientAddress: req.ip });
      if (result.ok) return sendHtml(reply, 200, renderDocument(<RecoveryCodesPage ctx={pageContext(req, reply)} codes={result.value.recoveryCodes} totpSet />));
      // A proposal whose code was mistyped is shown again (its secret kept: the app has already scanned it).
      const proposal = await services.accounts.totpProposal(accountIdOf(req), secret);
      if (!proposal) return reply.redirect('/account/login', 303);
      const standing = await services.accounts.twoFactorStanding(accountIdOf(req));
      const field = result.refusal.code === 'invalidCredentials' ? 'password' : 'totpCode';
      return sendHtml(reply, field === 'password' ? refusalStatus(result.refusal.code) : 400, renderDocument(<TotpPage ctx={pageContext(req, reply)} secret={proposal.secret} uri={proposal.uri} replacing={proposal.replacing} error={{ field, message: result.refusal.message }} standing={standing} />));
    });

    app.post('/account/recovery-codes', { schema: { body: RecoveryCodesForm }, attachValidation: true, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      const password = req.validationError ? '' : (req.body.password ?? '');
      const result = await services.accounts.regenerateRecoveryCodes(accountIdOf(req), password, req.log, { clientAddress: req.ip });
      if (result.ok) return sendHtml(reply, 200, renderDocument(<RecoveryCodesPage ctx={pageContext(req, reply)} codes={result.value.recoveryCodes} totpSet={false} />));
      const profile = await services.accounts.profile(accountIdOf(req));
      if (!profile) return reply.redirect('/account/login', 303);
      return sendHtml(reply, refusalStatus(result.refusal.code), renderDocument(<AccountPage ctx={pageContext(req, reply)} profile={profile} error={{ field: 'password', message: result.refusal.message }} />));
    });

    app.post('/account/totp/off', { schema: { body: TotpForm }, attachValidation: true, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      const body = req.validationError ? {} : req.body;
      const result = await services.accounts.disableTotp(accountIdOf(req), body.totpCode ?? '', { clientAddress: req.ip });
      if (result.ok) return reply.redirect('/account?totp=off', 303);
      const profile = await services.accounts.profile(accountIdOf(req));
      if (!profile) return reply.redirect('/account/login', 303);
      return sendHtml(reply, refusalStatus(result.refusal.code), renderDocument(<AccountPage ctx={pageContext(req, reply)} profile={profile} error={{ field: 'totpCode', message: result.refusal.message }} />));
    });
  };
}
