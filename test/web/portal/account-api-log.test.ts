import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../../../src/demo/account.js';
import { validateFiling } from '../../../src/domain/filing.js';
import { makeWebhookDelivery } from '../../../src/services/webhooks.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';
import { filing } from '../../services/support.js';

/** A webhook receiver that always fails (503). */
async function failingReceiver() {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 503;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kei-oss/hook`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('利用者ID: APIトークン and Webhook changes in the account log (issue 17)', () => {
  let t: TestApp;
  let accountId: string;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    accountId = (await t.db.handle.db.selectFrom('accounts').select('id').where('user_id', '=', DEMO_ACCOUNT.userId.replace(/\D/g, '')).executeTakeFirstOrThrow()).id;
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const apiLines = async () =>
    (
      await t.db.handle.db
        .selectFrom('account_log')
        .select(['action', 'detail', 'client_address', 'receipt_number'])
        .where('account_id', '=', accountId)
        .where((eb) => eb.or([eb('action', 'like', 'apiToken%'), eb('action', 'like', 'webhook%')]))
        .orderBy('seq')
        .execute()
    ).map((r) => [r.action, r.detail, r.client_address, r.receipt_number]);

  it('records a token issued and revoked, and an endpoint registered, rotated, disabled by failures, enabled and deleted, with its name or address and where from', async () => {
    const b = new TestBrowser(t.app);
    await b.get('/account/login');
    expect((await b.post('/account/login', { userId: DEMO_ACCOUNT.userId, password: DEMO_ACCOUNT.password, totpCode: '' })).statusCode).toBe(303);
    await b.get('/account/api');
    const issued = await b.post('/account/api/tokens', { name: '販売管理システム', scopes: ['read', 'act'], days: '30' });
    expect(issued.statusCode).toBe(200);
    const token = /data-testid="issued-token">\s*(keioss_acct_[A-Za-z0-9_-]+)/.exec(issued.body)![1]!;
    const tokenId = (await t.services.accountApi.tokens.list(accountId)).find((k) => k.name === '販売管理システム')!.id;

    // Through the page: an endpoint registered and its secret rotated.
    await b.get('/account/api');
    expect((await b.post('/account/api/webhooks', { url: 'https://dealer.example.jp/kei-oss/webhooks' })).statusCode).toBe(200);
    const pageEndpoint = (await t.services.webhooks.list(accountId))[0]!;
    await b.get('/account/api');
    expect((await b.post(`/account/api/webhooks/${pageEndpoint.id}/rotate`, {})).statusCode).toBe(200);

    // Through the API with the token: an endpoint that keeps failing, disabled after 3 days, enabled again, deleted.
    const receiver = await failingReceiver();
    const api = (method: 'POST' | 'DELETE', url: string, body?: unknown) =>
      t.app.inject({ method, url, remoteAddress: '203.0.113.7', headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
    const created = await api('POST', '/api/v1/account/webhooks', { url: receiver.url });
    expect(created.statusCode).toBe(201);
    const failingId = created.json<{ id: string }>().id;
    const valid = validateFiling(filing());
    if (!valid.ok) throw new Error('filing');
    expect((await t.services.registerApplication(valid.value, 'demo1234pass', { kind: 'applicant' }, { accountId })).ok).toBe(true);
    const delivery = makeWebhookDelivery(t.deps, { baseDelayMs: 1000, maxDelayMs: 60_000, leaseMs: 60_000, batchSize: 100, timeoutMs: 5000, random: () => 0 });
    expect((await delivery.deliverDue()).retrying).toBeGreaterThan(0);
    t.clock.advance(3 * 86_400_000 + 1000);
    expect((await delivery.deliverDue()).failed).toBeGreaterThan(0);
    await receiver.close();
    // Both endpoints failed for 3 days (dealer.example.jp does not resolve here): both disabled. Enabled
    // again; enabling an endpoint that is already on changes nothing and is not logged.
    expect((await api('POST', `/api/v1/account/webhooks/${failingId}/enable`)).statusCode).toBe(204);
    expect((await api('POST', `/api/v1/account/webhooks/${failingId}/enable`)).statusCode).toBe(204);
    expect((await api('DELETE', `/api/v1/account/webhooks/${failingId}`)).statusCode).toBe(204);
    // Nothing to delete: not found, and no line.
    expect((await api('DELETE', `/api/v1/account/webhooks/${failingId}`)).statusCode).toBe(404);

    // Back on the page, logged in again (3 days later): the endpoint deleted and the token revoked.
    const b2 = new TestBrowser(t.app);
    await b2.get('/account/login');
    expect((await b2.post('/account/login', { userId: DEMO_ACCOUNT.userId, password: DEMO_ACCOUNT.password, totpCode: '' })).statusCode).toBe(303);
    await b2.get('/account/api');
    expect((await b2.post(`/account/api/webhooks/${pageEndpoint.id}/delete`, {})).statusCode).toBe(303);
    await b2.get('/account/api');
    expect((await b2.post(`/account/api/tokens/${tokenId}/revoke`, {})).statusCode).toBe(303);
    // Revoked already: nothing more is logged.
    expect(await t.services.accountApi.tokens.revoke(accountId, tokenId, { clientAddress: '198.51.100.1' })).toBe(false);

    const person = b.remoteAddress;
    const lines = await apiLines();
    expect(lines.filter((l) => l[0] === 'webhookDisabled').sort()).toEqual([
      ['webhookDisabled', receiver.url, null, null],
      ['webhookDisabled', 'https://dealer.example.jp/kei-oss/webhooks', null, null],
    ]);
    expect(lines.filter((l) => l[0] !== 'webhookDisabled')).toEqual([
      ['apiTokenIssued', '販売管理システム', person, null],
      ['webhookRegistered', 'https://dealer.example.jp/kei-oss/webhooks', person, null],
      ['webhookSecretRotated', 'https://dealer.example.jp/kei-oss/webhooks', person, null],
      ['webhookRegistered', receiver.url, '203.0.113.7', null],
      ['webhookEnabled', receiver.url, '203.0.113.7', null],
      ['webhookDeleted', receiver.url, '203.0.113.7', null],
      ['webhookDeleted', 'https://dealer.example.jp/kei-oss/webhooks', b2.remoteAddress, null],
      ['apiTokenRevoked', '販売管理システム', b2.remoteAddress, null],
    ]);

    // The user reads them on 利用者情報 (newest first), never the token or the secret.
    const page = await b2.get('/account');
    const text = textOf(page.body);
    expect(text).toContain(`APIトークンの無効化（販売管理システム） - ${b2.remoteAddress}`);
    expect(text).toContain(`Webhook 送信先の削除（${receiver.url}） - 203.0.113.7`);
    expect(text).toContain(`Webhook 送信先の無効化（送信の失敗が続いたため）（${receiver.url}） - -`);
    expect(text).toContain(`Webhook 送信先の再有効化（${receiver.url}） - 203.0.113.7`);
    expect(text).toContain('Webhook 署名用シークレットの再発行（https://dealer.example.jp/kei-oss/webhooks）');
    expect(text).toContain(`APIトークンの発行（販売管理システム） - ${person}`);
    expect(text.indexOf('APIトークンの無効化（販売管理システム）')).toBeLessThan(text.indexOf('APIトークンの発行（販売管理システム）'));
    expect(page.body).not.toContain(token);
    expect(page.body).not.toContain('whsec_');
  });
});
