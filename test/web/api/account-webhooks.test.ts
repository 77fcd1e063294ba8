import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateFiling } from '../../../src/domain/filing.js';
import { makeWebhookDelivery, makeWebhooks } from '../../../src/services/webhooks.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { filing, office } from '../../services/support.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A real HTTP receiver: records every request and answers with the status the test sets. */
async function startReceiver() {
  const received: Received[] = [];
  let status = 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kei-oss/hook`,
    received,
    answer: (s: number) => (status = s),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Verifies with the standardwebhooks package, at the instant the message was signed (the test's clock). */
function verify(secret: string, r: Received) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Number(r.headers['webhook-timestamp']) * 1000);
  try {
    return new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
  } finally {
    vi.useRealTimers();
  }
}

describe('一括申請 API: webhooks, signed per Standard Webhooks, from the outbox (issue 17)', () => {
  let t: TestApp;
  let accountId: string;
  let token: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const policy = { baseDelayMs: 1000, maxDelayMs: 60_000, leaseMs: 60_000, batchSize: 100, timeoutMs: 5000, random: () => 0 };
  beforeAll(async () => {
    t = await createTestApp();
    receiver = await startReceiver();
    const r = await t.services.accounts.register({ kind: 'business', name: '大崎モータース株式会社', mailAddress: 'office@osaki.example.jp', password: 'kei dealer passphrase 2026' }, { clientAddress: null });
    if (!r.ok) throw new Error(r.refusal.message);
    accountId = r.value.accountId;
    const tk = await t.services.accountApi.tokens.create(accountId, { name: '販売管理システム', scopes: ['read', 'act'], days: 30 });
    if (!tk.ok) throw new Error(tk.refusal.message);
    token = tk.value.token;
  }, 120_000);
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });
  afterEach(() => {
    receiver.received.length = 0;
    receiver.answer(200);
  });

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  const file = async () => {
    const valid = validateFiling(filing());
    if (!valid.ok) throw new Error('filing');
    const r = await t.services.registerApplication(valid.value, 'demo1234pass', { kind: 'applicant' }, { accountId });
    if (!r.ok) throw new Error(r.refusal.message);
    return r.value;
  };

  it('POSTs every status change of the account’s applications, signed, verified by the standardwebhooks package', async () => {
    const created = await api('POST', '/api/v1/account/webhooks', { url: receiver.url });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json<{ id: string; secret: string }>();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const app = await file();
    await t.services.actOnApplication(app.id, { type: 'accept' }, office());
    const delivery = makeWebhookDelivery(t.deps, policy);
    expect(await delivery.deliverDue()).toEqual({ claimed: 2, sent: 2, retrying: 0, failed: 0 });
    const payloads = receiver.received.map((r) => verify(secret, r)).sort((a, b) => Number(a.data.seq) - Number(b.data.seq));
    expect(payloads.map((p) => [p.type, p.data.arrivalNumber, p.data.seq, p.data.event, p.data.toStatusLabel])).toEqual([
      ['application.status_changed', app.arrivalNumber, 1, 'arrive', '受付審査中'],
      ['application.status_changed', app.arrivalNumber, 2, 'accept', '申請受付済（添付書類取得待ち）'],
    ]);
    expect(receiver.received[0]!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    // A message signed with another secret does not verify.
    expect(() => verify('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', receiver.received[0]!)).toThrow();
    const listed = (await api('GET', '/api/v1/account/webhooks')).json<{ endpoints: { id: string; deliveries: { state: string; attempts: number; lastStatus: number }[] }[] }>();
    expect(listed.endpoints[0]).toMatchObject({ id, deliveries: [{ state: 'delivered', attempts: 1, lastStatus: 200 }, { state: 'delivered', attempts: 1, lastStatus: 200 }] });
    expect(await delivery.deliverDue()).toEqual({ claimed: 0, sent: 0, retrying: 0, failed: 0 });
    // A rotated secret signs the next message; the old one no longer verifies it.
    const rotated = (await api('POST', `/api/v1/account/webhooks/${id}/rotate`)).json<{ secret: string }>().secret;
    const other = await file();
    await delivery.deliverDue();
    const last = receiver.received.at(-1)!;
    expect(verify(rotated, last).data.arrivalNumber).toBe(other.arrivalNumber);
    expect(() => verify(secret, last)).toThrow();
    expect((await api('DELETE', `/api/v1/account/webhooks/${id}`)).statusCode).toBe(204);
  });

  it('retries a failing endpoint with backoff, shows the attempts, disables it after 3 days and mails the account', async () => {
    const { id } = (await api('POST', '/api/v1/account/webhooks', { url: receiver.url })).json<{ id: string }>();
    receiver.answer(503);
    const delivery = makeWebhookDelivery(t.deps, policy);
    await file();
    expect(await delivery.deliverDue()).toEqual({ claimed: 1, sent: 0, retrying: 1, failed: 0 });
    // Not due again before its backoff.
    expect((await delivery.deliverDue()).claimed).toBe(0);
    t.clock.advance(1000);
    expect(await delivery.deliverDue()).toEqual({ claimed: 1, sent: 0, retrying: 1, failed: 0 });
    const shown = (await api('GET', '/api/v1/account/webhooks')).json<{ endpoints: { id: string; failingSince: string | null; deliveries: { state: string; attempts: number; lastStatus: number; lastError: string }[] }[] }>();
    const endpoint = shown.endpoints.find((e) => e.id === id)!;
    expect(endpoint.failingSince).not.toBeNull();
    expect(endpoint.deliveries[0]).toMatchObject({ state: 'queued', attempts: 2, lastStatus: 503, lastError: 'HTTP 503' });
    t.clock.advance(3 * 86_400_000);
    expect(await delivery.deliverDue()).toEqual({ claimed: 1, sent: 0, retrying: 0, failed: 1 });
    const after = (await api('GET', '/api/v1/account/webhooks')).json<{ endpoints: { id: string; disabledReason: string | null; deliveries: { state: string }[] }[] }>().endpoints.find((e) => e.id === id)!;
    expect(after.disabledReason).toBe('3日以上、送信に失敗し続けたため無効にしました。');
    expect(after.deliveries[0]!.state).toBe('failed');
    const mail = await t.db.handle.db.selectFrom('mail_outbox').select(['to_address', 'subject']).where('account_id', '=', accountId).where('kind', '=', 'webhookDisabled').execute();
    expect(mail).toEqual([{ to_address: 'office@osaki.example.jp', subject: '【軽自動車OSS】Webhook の送信先を無効にしました' }]);
    // Disabled: new changes are not queued for it; enabled again, they are.
    await file();
    expect((await delivery.deliverDue()).claimed).toBe(0);
    expect((await api('POST', `/api/v1/account/webhooks/${id}/enable`)).statusCode).toBe(204);
    receiver.answer(200);
    await file();
    expect(await delivery.deliverDue()).toEqual({ claimed: 1, sent: 1, retrying: 0, failed: 0 });
    await api('DELETE', `/api/v1/account/webhooks/${id}`);
  });

  it('refuses http:// to other hosts, and in production internal addresses (SSRF)', async () => {
    const http = await api('POST', '/api/v1/account/webhooks', { url: 'http://dealer.example.jp/hook' });
    expect(http.json()).toEqual({ error: { code: 'invalidInput', message: 'URL は https:// で始まる URL で指定してください（http:// は開発時のローカルホストのみ）。' } });
    const production = (addresses: string[]) => makeWebhooks({ ...t.deps, production: true }, async () => addresses);
    const internal = '内部のネットワーク（プライベート・ループバック・リンクローカル）のアドレスには送信できません。';
    expect(await production(['10.0.0.5']).register(accountId, 'https://intranet.dealer.example.jp/hook')).toEqual({ ok: false, refusal: { code: 'invalidInput', message: internal } });
    expect(await production(['169.254.169.254']).register(accountId, 'https://metadata.example.jp/')).toMatchObject({ ok: false });
    expect(await production(['203.0.113.10', '::1']).register(accountId, 'https://mixed.example.jp/')).toMatchObject({ ok: false });
    expect(await production([]).register(accountId, 'https://[::ffff:127.0.0.1]/')).toMatchObject({ ok: false });
    expect(await production([]).register(accountId, receiver.url)).toMatchObject({ ok: false });
    const ok = await production(['93.184.216.34']).register(accountId, 'https://dealer.example.jp/hook');
    expect(ok.ok).toBe(true);
    if (ok.ok) await t.services.webhooks.remove(accountId, ok.value.endpoint.id);
  });

  it('answers 403 to a token without the act scope', async () => {
    const tk = await t.services.accountApi.tokens.create(accountId, { name: '照会専用', scopes: ['read'], days: 30 });
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/account/webhooks', headers: { authorization: `Bearer ${tk.ok ? tk.value.token : ''}` } });
    expect(res.statusCode).toBe(403);
  });
});
