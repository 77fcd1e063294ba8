import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { accountTokenLifetimes, accountTokenScopes, tokenLive, type AccountTokenRecord } from '../../../domain/account-api.js';
import { formatJapanDateTime } from '../../../domain/format.js';
import type { Services } from '../../../services/index.js';
import { Banner, CsrfField, ErrorSummary, FieldError, TextField } from '../../components/forms.js';
import { WEBHOOK_DISABLE_AFTER_DAYS, webhookDeliveryStateLabels } from '../../../domain/webhooks.js';
import type { EndpointWithDeliveries } from '../../../services/webhooks.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { renderDocument, sendHtml } from '../../render.js';
import { RadioGroup } from '../actions/fields.js';
import { AccountLayout, CSRF_ONLY, accountIdOf, requireAccount } from './shared.js';

interface Issued {
  readonly token: string;
  readonly name: string;
}

interface FormState {
  readonly values: { name?: string | undefined; scopes: readonly string[]; days?: string | undefined };
  readonly errors: { name?: string; scopes?: string; days?: string };
}

const emptyForm: FormState = { values: { scopes: ['read'], days: '90' }, errors: {} };

function stateOf(t: AccountTokenRecord, now: Date): string {
  if (t.revokedAt) return `無効（${formatJapanDateTime(t.revokedAt)}）`;
  if (!tokenLive(t, now)) return '有効期限切れ';
  return '有効';
}

/** APIトークン: the 利用者ID's personal tokens for the 一括申請 API (issue 17): issue (shown once), list, revoke. */
function ApiTokensPage({ ctx, tokens, endpoints, now, form, issued, revoked, secret, webhookError, done }: { ctx: PageContext; tokens: readonly AccountTokenRecord[]; endpoints: readonly EndpointWithDeliveries[]; now: Date; form: FormState; issued?: Issued | undefined; revoked?: boolean; secret?: { url: string; secret: string } | undefined; webhookError?: { url: string; message: string } | undefined; done?: string | undefined }) {
  const errors = [...Object.entries(form.errors).map(([field, message]) => ({ field, message })), ...(webhookError ? [{ field: 'url', message: webhookError.message }] : [])];
  return (
    <AccountLayout ctx={ctx} title="APIトークン・Webhook" current="account" hasErrors={errors.length > 0}>
      <h1 class="page-title">APIトークン・Webhook（一括申請 API）</h1>
      <ErrorSummary items={errors} />
      {issued ? (
        <Banner kind="success" title={`APIトークン「${issued.name}」を発行しました。`}>
          <p>このトークンは今だけ表示します。この画面を離れると二度と表示できません。販売管理システム等の設定に、今すぐ保存してください。</p>
          <p>
            <code class="api-token" data-testid="issued-token">
              {issued.token}
            </code>
          </p>
        </Banner>
      ) : null}
      {revoked ? <Banner kind="success" title="APIトークンを無効にしました。" /> : null}
      {secret ? (
        <Banner kind="success" title={`Webhook の送信先 ${secret.url} の署名の鍵です。`}>
          <p>この鍵は今だけ表示します。受信するシステムに今すぐ保存し、届いた要求の署名（webhook-signature）の確認に使ってください。</p>
          <p>
            <code class="api-token" data-testid="webhook-secret">
              {secret.secret}
            </code>
          </p>
        </Banner>
      ) : null}
      {done ? <Banner kind="success" title={done} /> : null}
      <p>
        APIトークンを使うと、販売管理システム等から、この利用者IDの申請をまとめて申請し（一括申請）、申請状況をまとめて照会し、変更をまとめて受け取れます。使い方は
        <a href="/bulk">一括申請のご案内</a>と<a href="/api/docs">API の説明</a>をご覧ください。トークンはパスワードと同じように扱い、他人に知らせないでください。
      </p>
      <h2 class="staff-section-title">発行済みのトークン</h2>
      {tokens.length === 0 ? (
        <p>発行済みのトークンはありません。</p>
      ) : (
        <div class="table-scroll" role="region" aria-labelledby="api-tokens-caption" tabIndex={0}>
          <table class="data-table">
            <caption id="api-tokens-caption" class="visually-hidden">
              発行済みのトークン
            </caption>
            <thead>
              <tr>
                <th scope="col">名前</th>
                <th scope="col">権限</th>
                <th scope="col">発行日時</th>
                <th scope="col">有効期限</th>
                <th scope="col">最後の利用</th>
                <th scope="col">状態</th>
                <th scope="col">操作</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>{t.scopes.map((s) => accountTokenScopes[s]).join('、')}</td>
                  <td class="nowrap">{formatJapanDateTime(t.createdAt)}</td>
                  <td class="nowrap">{formatJapanDateTime(t.expiresAt)}</td>
                  <td class="nowrap">{t.lastUsedAt ? formatJapanDateTime(t.lastUsedAt) : '未使用'}</td>
                  <td>{stateOf(t, now)}</td>
                  <td>
                    {tokenLive(t, now) ? (
                      <form method="post" action={`/account/api/tokens/${t.id}/revoke`}>
                        <CsrfField token={ctx.csrfToken} />
                        <button type="submit" class="button button--secondary" aria-label={`トークン「${t.name}」を無効にする`}>
                          無効にする
                        </button>
                      </form>
                    ) : (
                      '-'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2 class="staff-section-title">トークンを発行する</h2>
      <form method="post" action="/account/api/tokens" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <TextField name="name" label="名前" required hint="どのシステムで使うトークンかが分かる名前（例：販売管理システム）。60文字以内" value={form.values.name} error={form.errors.name} maxLength={60} />
        <div class={`form-field${form.errors.scopes ? ' form-field--error' : ''}`}>
          <fieldset class="fieldset">
            <legend>権限</legend>
            <FieldError name="scopes" error={form.errors.scopes} />
            <div class="radios">
              {(Object.keys(accountTokenScopes) as (keyof typeof accountTokenScopes)[]).map((s, i) => (
                <div class="radio">
                  <input type="checkbox" id={i === 0 ? 'scopes' : `scopes-${s}`} name="scopes" value={s} checked={form.values.scopes.includes(s)} />
                  <label for={i === 0 ? 'scopes' : `scopes-${s}`}>
                    {accountTokenScopes[s]}（{s}）
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        </div>
        <RadioGroup name="days" legend="有効期間" options={accountTokenLifetimes.map((d) => ({ value: String(d), label: `${d}日` }))} value={form.values.days} error={form.errors.days} />
        <div class="button-row">
          <button type="submit" class="button button--primary">
            発行する
          </button>
        </div>
      </form>
      <WebhookSection ctx={ctx} endpoints={endpoints} error={webhookError} />
    </AccountLayout>
  );
}

function PostButton({ ctx, action, label, variant = 'secondary' }: { ctx: PageContext; action: string; label: string; variant?: 'primary' | 'secondary' | 'danger' }) {
  return (
    <form method="post" action={action} class="inline-form">
      <CsrfField token={ctx.csrfToken} />
      <button type="submit" class={`button button--${variant}`}>
        {label}
      </button>
    </form>
  );
}

/** Webhook: the endpoints, each with its last deliveries and their attempts; register, rotate, enable, delete. */
function WebhookSection({ ctx, endpoints, error }: { ctx: PageContext; endpoints: readonly EndpointWithDeliveries[]; error?: { url: string; message: string } | undefined }) {
  return (
    <>
      <h2 class="staff-section-title" id="webhooks">
        Webhook（申請状況の変更の通知）
      </h2>
      <p>
        登録した URL に、この利用者IDの申請の申請状況が変わるたびに、変更の内容を JSON で送信（POST）します。送信は Standard Webhooks の形式で署名します。送信に失敗した場合は間隔を空けて再送し、{WEBHOOK_DISABLE_AFTER_DAYS}
        日以上失敗し続けた送信先は無効にして、連絡先メールアドレスにお知らせします。
      </p>
      {endpoints.map((e) => (
        <section class="webhook-endpoint" aria-labelledby={`endpoint-${e.id}`}>
          <h3 id={`endpoint-${e.id}`}>{e.url}</h3>
          <p>
            登録日時：{formatJapanDateTime(e.createdAt)}　状態：
            {e.disabledAt ? `無効（${formatJapanDateTime(e.disabledAt)}、${e.disabledReason ?? ''}）` : e.failingSince ? `送信に失敗しています（${formatJapanDateTime(e.failingSince)} から）` : '有効'}
          </p>
          {e.deliveries.length === 0 ? (
            <p>まだ送信していません。</p>
          ) : (
            <div class="table-scroll" role="region" aria-label={`${e.url} への送信の記録`} tabIndex={0}>
              <table class="data-table">
                <thead>
                  <tr>
                    <th scope="col">作成日時</th>
                    <th scope="col">ID（webhook-id）</th>
                    <th scope="col">状態</th>
                    <th scope="col">試行回数</th>
                    <th scope="col">最後の試行</th>
                    <th scope="col">結果</th>
                  </tr>
                </thead>
                <tbody>
                  {e.deliveries.map((d) => (
                    <tr>
                      <td class="nowrap">{formatJapanDateTime(d.createdAt)}</td>
                      <td>
                        <code>{d.id}</code>
                      </td>
                      <td>{webhookDeliveryStateLabels[d.state]}</td>
                      <td>{d.attempts}</td>
                      <td class="nowrap">{d.lastAttemptAt ? formatJapanDateTime(d.lastAttemptAt) : '-'}</td>
                      <td>{d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : '-')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div class="button-row">
            {e.disabledAt ? <PostButton ctx={ctx} action={`/account/api/webhooks/${e.id}/enable`} label="再び有効にする" variant="primary" /> : null}
            <PostButton ctx={ctx} action={`/account/api/webhooks/${e.id}/rotate`} label="署名の鍵を更新する" />
            <PostButton ctx={ctx} action={`/account/api/webhooks/${e.id}/delete`} label="この送信先を削除する" variant="danger" />
          </div>
        </section>
      ))}
      <form method="post" action="/account/api/webhooks" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <TextField name="url" label="送信先の URL" required hint="https:// で始まる URL（例：https://dealer.example.jp/kei-oss/webhooks）" value={error?.url} error={error?.message} maxLength={500} />
        <div class="button-row">
          <button type="submit" class="button button--primary">
            送信先を登録する
          </button>
        </div>
      </form>
    </>
  );
}

const TokenForm = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  scopes: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Array(Type.String({ maxLength: 20 }), { maxItems: 10 })])),
  days: Type.Optional(Type.String({ maxLength: 10 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});
const TokenParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const DoneQuery = Type.Object({ revoked: Type.Optional(Type.String({ maxLength: 2 })), webhook: Type.Optional(Type.String({ maxLength: 10 })) });
const WebhookForm = Type.Object({ url: Type.Optional(Type.String({ maxLength: 1000 })), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
const webhookDone: Record<string, string> = { enabled: 'Webhook の送信先を再び有効にしました。', deleted: 'Webhook の送信先を削除しました。' };

export function accountApiTokenRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const page = async (accountId: string) => ({ tokens: await services.accountApi.tokens.list(accountId), endpoints: await services.webhooks.list(accountId), now: services.accountApi.now() });

    app.get('/account/api', { schema: { querystring: DoneQuery }, preHandler: requireAccount }, async (req, reply) => {
      const p = await page(accountIdOf(req));
      return sendHtml(reply, 200, renderDocument(<ApiTokensPage ctx={pageContext(req, reply)} {...p} form={emptyForm} revoked={req.query.revoked === '1'} done={webhookDone[req.query.webhook ?? '']} />));
    });

    app.post('/account/api/tokens', { schema: { body: TokenForm }, attachValidation: true, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      const body = req.validationError ? {} : req.body;
      const scopes = body.scopes === undefined ? [] : Array.isArray(body.scopes) ? body.scopes : [body.scopes];
      const values = { name: body.name, scopes, days: body.days };
      const result = await services.accountApi.tokens.create(accountIdOf(req), { name: body.name ?? '', scopes, days: Number(body.days) }, { clientAddress: req.ip });
      const p = await page(accountIdOf(req));
      // Shown once: the token is in this answer only (never in a URL, a redirect or the database).
      reply.header('cache-control', 'no-store');
      if (result.ok) return sendHtml(reply, 200, renderDocument(<ApiTokensPage ctx={pageContext(req, reply)} {...p} form={emptyForm} issued={{ token: result.value.token, name: result.value.record.name }} />));
      const message = result.refusal.message;
      const field = message.includes('名前') ? 'name' : message.includes('有効期間') ? 'days' : 'scopes';
      return sendHtml(reply, 400, renderDocument(<ApiTokensPage ctx={pageContext(req, reply)} {...p} form={{ values, errors: { [field]: message } }} />));
    });

    app.post('/account/api/tokens/:id/revoke', { schema: { params: TokenParams, body: CSRF_ONLY }, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      await services.accountApi.tokens.revoke(accountIdOf(req), req.params.id, { clientAddress: req.ip });
      return reply.redirect('/account/api?revoked=1', 303);
    });

    app.post('/account/api/webhooks', { schema: { body: WebhookForm }, attachValidation: true, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      const url = req.validationError ? '' : (req.body.url ?? '');
      const r = await services.webhooks.register(accountIdOf(req), url, { clientAddress: req.ip });
      const p = await page(accountIdOf(req));
      reply.header('cache-control', 'no-store');
      if (r.ok) return sendHtml(reply, 200, renderDocument(<ApiTokensPage ctx={pageContext(req, reply)} {...p} form={emptyForm} secret={{ url: r.value.endpoint.url, secret: r.value.secret }} />));
      return sendHtml(reply, 400, renderDocument(<ApiTokensPage ctx={pageContext(req, reply)} {...p} form={emptyForm} webhookError={{ url: url.slice(0, 500), message: r.refusal.message }} />));
    });

    app.post('/account/api/webhooks/:id/rotate', { schema: { params: TokenParams, body: CSRF_ONLY }, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      const r = await services.webhooks.rotate(accountIdOf(req), req.params.id, { clientAddress: req.ip });
      if (!r.ok) return reply.redirect('/account/api#webhooks', 303);
      const p = await page(accountIdOf(req));
      reply.header('cache-control', 'no-store');
      const url = p.endpoints.find((e) => e.id === req.params.id)?.url ?? '';
      return sendHtml(reply, 200, renderDocument(<ApiTokensPage ctx={pageContext(req, reply)} {...p} form={emptyForm} secret={{ url, secret: r.value.secret }} />));
    });

    app.post('/account/api/webhooks/:id/enable', { schema: { params: TokenParams, body: CSRF_ONLY }, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      await services.webhooks.enable(accountIdOf(req), req.params.id, { clientAddress: req.ip });
      return reply.redirect('/account/api?webhook=enabled#webhooks', 303);
    });

    app.post('/account/api/webhooks/:id/delete', { schema: { params: TokenParams, body: CSRF_ONLY }, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      await services.webhooks.remove(accountIdOf(req), req.params.id, { clientAddress: req.ip });
      return reply.redirect('/account/api?webhook=deleted#webhooks', 303);
    });
  };
}
