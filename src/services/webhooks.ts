import { createHmac, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import escapeHtml from 'escape-html';
import ipaddr from 'ipaddr.js';
import type { Application } from '../domain/application.js';
import type { HistoryDraft } from '../domain/events.js';
import type { AccountLogAction } from '../domain/accounts.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { INTERNAL_ADDRESS_MESSAGE, WEBHOOK_DISABLE_AFTER_DAYS, WEBHOOK_ENDPOINTS_MAX, parseEndpointUrl, webhookPayload, type WebhookDelivery, type WebhookEndpoint } from '../domain/webhooks.js';
import { accountRepository } from '../store/accounts.repository.js';
import { webhookRepository, type ClaimedDelivery } from '../store/account-api-webhooks.repository.js';
import type { Tx } from '../store/database.js';
import type { Origin } from './account-api.js';
import { transaction, type ServiceDeps } from './context.js';
import { CONTACT_LINE } from './login-throttle.js';
import { enqueueMail } from './mail-outbox.js';

/** whsec_ and 24 random bytes in base64, as Standard Webhooks' libraries expect. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** `webhook-signature` of Standard Webhooks: v1, and the HMAC-SHA256 of `id.timestamp.body` with the secret's bytes, in base64. */
export function webhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * Enqueues the webhooks of a change, in the change's transaction (the outbox): one message per live
 * endpoint of every account holding the application; sent if and only if the change commits.
 */
export async function enqueueWebhooks(deps: ServiceDeps, tx: Tx, app: Application, seq: number, history: HistoryDraft): Promise<void> {
  const repo = webhookRepository(tx, deps.database.dialect);
  const endpoints = await repo.endpointsFor(app.id);
  if (endpoints.length === 0) return;
  await repo.enqueue(webhookMessagesOf(deps, endpoints.map((e) => e.id), app, seq, history), deps.clock.now());
}

/** The messages of a change to those endpoints (what `enqueueWebhooks` writes; a batch reads the endpoints of all its applications at once). */
function webhookMessagesOf(deps: ServiceDeps, endpointIds: readonly string[], app: Application, seq: number, history: HistoryDraft): WebhookMessage[] {
  if (endpointIds.length === 0) return [];
  const body = webhookPayload(app, seq, history);
  return endpointIds.map((endpointId) => ({ id: `msg_${deps.ids.id().replace(/-/g, '')}`, endpointId, applicationId: app.id, seq, body }));
}

interface WebhookMessage {
  readonly id: string;
  readonly endpointId: string;
  readonly applicationId: string;
  readonly seq: number;
  readonly body: string;
}

/** `enqueueWebhooks` for many changes of different applications (the deadline sweep's batch): one read of the endpoints, multi-row INSERTs. */
export async function enqueueWebhooksMany(deps: ServiceDeps, tx: Tx, changes: readonly { readonly app: Application; readonly seq: number; readonly history: HistoryDraft }[]): Promise<void> {
  if (changes.length === 0) return;
  const repo = webhookRepository(tx, deps.database.dialect);
  const endpoints = await repo.endpointsForMany(changes.map((c) => c.app.id));
  if (endpoints.size === 0) return;
  const rows = changes.flatMap(({ app, seq, history }) => webhookMessagesOf(deps, endpoints.get(app.id) ?? [], app, seq, history));
  for (let i = 0; i < rows.length; i += 500) await repo.enqueue(rows.slice(i, i + 500), deps.clock.now());
}

export interface EndpointWithDeliveries extends WebhookEndpoint {
  readonly deliveries: readonly WebhookDelivery[];
}

/** Resolves a host name to its addresses (a test may stand in for DNS). */
export type Resolve = (host: string) => Promise<string[]>;
const resolveByDns: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Whether an address is one a production server must never call: private, loopback, link-local, and the like (anything not unicast). */
export function isInternalAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()) parsed = parsed.toIPv4Address();
  return parsed.range() !== 'unicast';
}

/** In production, a host that resolves to an internal address is refused (SSRF). Outside production, anything passes. */
async function internalTarget(url: URL, production: boolean, resolve: Resolve): Promise<string | null> {
  if (!production) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) return isInternalAddress(host) ? INTERNAL_ADDRESS_MESSAGE : null;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return `ホスト名「${host.slice(0, 100)}」のアドレスを解決できません。`;
  }
  return addresses.length === 0 || addresses.some(isInternalAddress) ? INTERNAL_ADDRESS_MESSAGE : null;
}

/** Endpoints of a 利用者ID: register (the secret shown once), list with their deliveries, rotate, enable again, remove. */
export function makeWebhooks(deps: ServiceDeps, resolve: Resolve = resolveByDns) {
  const production = deps.production ?? false;
  const repo = (db = deps.database.db) => webhookRepository(db, deps.database.dialect);
  const log = (tx: Tx, accountId: string, action: AccountLogAction, origin: Origin, url: string) =>
    accountRepository(tx).appendLog(deps.ids.id(), accountId, action, deps.clock.now(), null, origin.clientAddress, url);
  /** The account's endpoint `id`, read in the transaction that changes it (for its log line). */
  const endpointOf = async (tx: Tx, accountId: string, id: string) => (await repo(tx).endpoints(accountId)).find((e) => e.id === id) ?? null;
  return {
    async register(accountId: string, urlText: string, origin: Origin = { clientAddress: null }): Promise<Result<{ endpoint: WebhookEndpoint; secret: string }>> {
      const url = parseEndpointUrl(urlText, production);
      if (!url.ok) return url;
      const internal = await internalTarget(url.value, production, resolve);
      if (internal) return refuse('invalidInput', internal);
      const existing = await repo().endpoints(accountId);
      if (existing.length >= WEBHOOK_ENDPOINTS_MAX) return refuse('invalidInput', `Webhook の送信先は${WEBHOOK_ENDPOINTS_MAX}件まで登録できます。不要な送信先を削除してください。`);
      const endpoint: WebhookEndpoint = { id: deps.ids.id(), accountId, url: url.value.toString(), createdAt: deps.clock.now(), failingSince: null, disabledAt: null, disabledReason: null };
      const secret = newSecret();
      await transaction(deps, async (tx) => {
        await repo(tx).insertEndpoint(endpoint, secret);
        await log(tx, accountId, 'webhookRegistered', origin, endpoint.url);
      });
      return ok({ endpoint, secret });
    },

    async list(accountId: string, deliveries = 20): Promise<EndpointWithDeliveries[]> {
      const endpoints = await repo().endpoints(accountId);
      return Promise.all(endpoints.map(async (e) => ({ ...e, deliveries: await repo().recentDeliveries(e.id, deliveries) })));
    },

    /** A new secret, in force from the next attempt (shown once). */
    async rotate(accountId: string, id: string, origin: Origin = { clientAddress: null }): Promise<Result<{ secret: string }>> {
      const secret = newSecret();
      const done = await transaction(deps, async (tx) => {
        const endpoint = await endpointOf(tx, accountId, id);
        if (!endpoint || !(await repo(tx).setSecret(accountId, id, secret))) return false;
        await log(tx, accountId, 'webhookSecretRotated', origin, endpoint.url);
        return true;
      });
      return done ? ok({ secret }) : refuse('notFound', '指定された Webhook の送信先は見つかりません。');
    },

    /** A disabled endpoint receives the changes from now on again (an endpoint already on: nothing changes, nothing logged). */
    enable: (accountId: string, id: string, origin: Origin = { clientAddress: null }) =>
      transaction(deps, async (tx) => {
        const endpoint = await endpointOf(tx, accountId, id);
        if (!endpoint || !(await repo(tx).enable(accountId, id))) return false;
        if (endpoint.disabledAt !== null) await log(tx, accountId, 'webhookEnabled', origin, endpoint.url);
        return true;
      }),

    remove: (accountId: string, id: string, origin: Origin = { clientAddress: null }) =>
      transaction(deps, async (tx) => {
        const endpoint = await endpointOf(tx, accountId, id);
        if (!endpoint || !(await repo(tx).deleteEndpoint(accountId, id))) return false;
        await log(tx, accountId, 'webhookDeleted', origin, endpoint.url);
        return true;
      }),
  };
}

/** How the webhook worker retries (decision 0011). */
export interface WebhookPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly timeoutMs: number;
  readonly random: () => number;
}

export const defaultWebhookPolicy: WebhookPolicy = { baseDelayMs: 30_000, maxDelayMs: 3_600_000, leaseMs: 60_000, batchSize: 100, timeoutMs: 10_000, random: Math.random };

/**
 * The webhook worker's one step (run by the mail worker's loop, src/jobs/mail-worker.ts): claim due
 * messages, POST each signed, record the outcome. A failure is retried with exponential backoff and
 * jitter, hourly at most; an endpoint failing for WEBHOOK_DISABLE_AFTER_DAYS days is disabled and
 * its account mailed.
 */
export function makeWebhookDelivery(deps: ServiceDeps, policy: WebhookPolicy = defaultWebhookPolicy, resolve: Resolve = resolveByDns) {
  const production = deps.production ?? false;
  const repo = () => webhookRepository(deps.database.db, deps.database.dialect);
  const delay = (attempts: number) => {
    const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(full / 2 + (full / 2) * policy.random());
  };

  async function send(c: ClaimedDelivery): Promise<{ status: number | null; error: string | null }> {
    const url = new URL(c.url);
    const internal = await internalTarget(url, production, resolve);
    if (internal) return { status: null, error: internal };
    const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
    try {
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(policy.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'kei-oss-webhooks/1',
          'webhook-id': c.delivery.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': webhookSignature(c.secret, c.delivery.id, timestamp, c.delivery.body),
        },
        body: c.delivery.body,
      });
      await res.body?.cancel();
      return res.status >= 200 && res.status < 300 ? { status: res.status, error: null } : { status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      return { status: null, error: (err as Error).name === 'TimeoutError' ? `${policy.timeoutMs / 1000}秒以内に応答がありません` : String((err as Error).cause ?? (err as Error).message) };
    }
  }

  async function disable(c: ClaimedDelivery, now: Date): Promise<void> {
    const reason = `${WEBHOOK_DISABLE_AFTER_DAYS}日以上、送信に失敗し続けたため無効にしました。`;
    await transaction(deps, async (tx) => {
      if (!(await webhookRepository(tx, deps.database.dialect).disable(c.delivery.endpointId, reason, now))) return;
      const account = await accountRepository(tx).find(c.accountId);
      if (!account) return;
      // In the account's log too, by the server (no client address).
      await accountRepository(tx).appendLog(deps.ids.id(), account.id, 'webhookDisabled', now, null, null, c.url);
      const lines = [
        `Webhook の送信先 ${c.url} への送信が${WEBHOOK_DISABLE_AFTER_DAYS}日以上失敗し続けたため、この送信先を無効にしました。`,
        '送信先のサーバーを確認のうえ、利用者情報の「APIトークン・Webhook」の画面から、もう一度有効にしてください。無効の間の変更は、変更の一覧（changes feed）で受け取れます。',
      ];
      const footer = ['このメールは送信専用です。返信はできません。', `お問い合わせ先　${CONTACT_LINE}`, '軽自動車保有関係手続のワンストップサービス'];
      const text = [`${account.name} 様`, '', ...lines, '', ...footer].join('\n');
      await enqueueMail(deps, tx, {
        kind: 'webhookDisabled',
        to: account.mailAddress,
        subject: '【軽自動車OSS】Webhook の送信先を無効にしました',
        text,
        html: [`<p>${escapeHtml(account.name)} 様</p>`, ...[...lines, ...footer].map((l) => `<p>${escapeHtml(l)}</p>`)].join('\n'),
        dedupeKey: `webhookDisabled:${c.delivery.endpointId}:${now.toISOString()}`,
        accountId: account.id,
        applicationId: null,
      });
    });
    deps.logger.warn({ event: 'webhook-endpoint-disabled', endpointId: c.delivery.endpointId }, 'webhook endpoint disabled');
  }

  async function deliver(c: ClaimedDelivery): Promise<'sent' | 'retrying' | 'failed'> {
    const outcome = await send(c);
    const now = deps.clock.now();
    if (outcome.error === null) {
      await repo().markDelivered(c.delivery.id, c.delivery.endpointId, outcome.status ?? 200, now);
      return 'sent';
    }
    const failingSince = c.failingSince ?? now;
    if (now.getTime() - failingSince.getTime() >= WEBHOOK_DISABLE_AFTER_DAYS * 86_400_000) {
      await repo().markRetry(c.delivery.id, c.delivery.endpointId, now, outcome.status, outcome.error, now);
      await disable(c, now);
      return 'failed';
    }
    await repo().markRetry(c.delivery.id, c.delivery.endpointId, new Date(now.getTime() + delay(c.delivery.attempts)), outcome.status, outcome.error, now);
    return 'retrying';
  }

  return {
    /** One step; the same shape as the mail's (claimed, sent, retrying, failed), so the mail worker's loop runs it. */
    async deliverDue(): Promise<{ claimed: number; sent: number; retrying: number; failed: number }> {
      const now = deps.clock.now();
      const claimed = await transaction(deps, (tx) => webhookRepository(tx, deps.database.dialect).claimDue(now, new Date(now.getTime() + policy.leaseMs), policy.batchSize));
      const outcomes = await Promise.all(claimed.map(deliver));
      return {
        claimed: claimed.length,
        sent: outcomes.filter((o) => o === 'sent').length,
        retrying: outcomes.filter((o) => o === 'retrying').length,
        failed: outcomes.filter((o) => o === 'failed').length,
      };
    },
  };
}
