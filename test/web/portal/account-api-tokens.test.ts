import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../../../src/demo/account.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';

describe('利用者ID: APIトークン on the account page (issue 17)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('issues a named, scoped token shown once, lists its last use, and revokes it', async () => {
    const b = new TestBrowser(t.app);
    await b.get('/account/login');
    expect((await b.post('/account/login', { userId: DEMO_ACCOUNT.userId, password: DEMO_ACCOUNT.password, totpCode: '' })).statusCode).toBe(303);
    expect(textOf((await b.get('/account')).body)).toContain('APIトークンの発行・無効化');
    const empty = await b.get('/account/api');
    expect(textOf(empty.body)).toContain('発行済みのトークンはありません。');

    const refused = await b.post('/account/api/tokens', { name: '', scopes: 'read', days: '90' });
    expect(refused.statusCode).toBe(400);
    expect(textOf(refused.body)).toContain('トークンの名前は1〜60文字で入力してください。');

    await b.get('/account/api');
    const issued = await b.post('/account/api/tokens', { name: '販売管理システム', scopes: ['read', 'file'], days: '30' });
    expect(issued.statusCode).toBe(200);
    expect(issued.headers['cache-control']).toBe('no-store');
    expect(textOf(issued.body)).toContain('このトークンは今だけ表示します。');
    const token = /data-testid="issued-token">\s*(keioss_acct_[A-Za-z0-9_-]+)/.exec(issued.body)?.[1];
    expect(token).toBeDefined();

    const me = await t.app.inject({ method: 'GET', url: '/api/v1/account/me', headers: { authorization: `Bearer ${token!}` } });
    expect(me.json()).toMatchObject({ name: '販売管理システム', scopes: ['read', 'file'] });
    const listed = textOf((await b.get('/account/api')).body);
    expect(listed).toContain('販売管理システム');
    expect(listed).toContain('参照（申請状況・変更履歴）、申請（一括申請）');
    expect(listed).not.toContain('未使用');
    expect(listed).not.toContain(token!);

    const id = (await t.services.accountApi.tokens.list((await t.db.handle.db.selectFrom('accounts').select('id').where('user_id', '=', DEMO_ACCOUNT.userId.replace(/\D/g, '')).executeTakeFirstOrThrow()).id))[0]!.id;
    const revoke = await b.post(`/account/api/tokens/${id}/revoke`, {});
    expect(revoke.headers.location).toBe('/account/api?revoked=1');
    expect(textOf((await b.follow(revoke)).body)).toContain('APIトークンを無効にしました。');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/account/me', headers: { authorization: `Bearer ${token!}` } })).statusCode).toBe(401);
  });

  it('shows another account nothing and revokes nothing of this account’s tokens', async () => {
    const b = new TestBrowser(t.app);
    expect((await b.get('/account/api')).statusCode).toBe(401);
  });
});

describe('利用者ID: Webhook on the account page (issue 17)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('registers an endpoint (secret shown once), lists its deliveries with their attempts, rotates and deletes it', async () => {
    const b = new TestBrowser(t.app);
    await b.get('/account/login');
    await b.post('/account/login', { userId: DEMO_ACCOUNT.userId, password: DEMO_ACCOUNT.password, totpCode: '' });
    await b.get('/account/api');
    const refused = await b.post('/account/api/webhooks', { url: 'http://dealer.example.jp/hook' });
    expect(refused.statusCode).toBe(400);
    expect(textOf(refused.body)).toContain('URL は https:// で始まる URL で指定してください（http:// は開発時のローカルホストのみ）。');
    const created = await b.post('/account/api/webhooks', { url: 'https://dealer.example.jp/kei-oss/webhooks' });
    expect(created.statusCode).toBe(200);
    const secret = /data-testid="webhook-secret">\s*(whsec_[A-Za-z0-9+/=]+)/.exec(created.body)?.[1];
    expect(secret).toBeDefined();
    // A change of one of the account's applications is queued for it, in the change's transaction.
    const accountId = (await t.db.handle.db.selectFrom('accounts').select('id').where('user_id', '=', DEMO_ACCOUNT.userId.replace(/\D/g, '')).executeTakeFirstOrThrow()).id;
    const held = await t.db.handle.db.selectFrom('account_applications as aa').innerJoin('applications as a', 'a.id', 'aa.application_id').select(['a.id']).where('aa.account_id', '=', accountId).where('a.status', '=', 'awaitingAcceptance').executeTakeFirstOrThrow();
    const moved = await t.services.actOnApplication(held.id, { type: 'accept' }, { kind: 'inspectionOffice', officeCode: 'tokyo', id: 't', label: '東京' });
    const page = await b.get('/account/api');
    const text = textOf(page.body);
    expect(text).toContain('https://dealer.example.jp/kei-oss/webhooks');
    expect(moved.ok).toBe(true);
    expect(text).toContain('送信待ち（再送予定を含む）');
    expect(text).not.toContain(secret!);
    const id = /action="\/account\/api\/webhooks\/([^/]+)\/rotate"/.exec(page.body)![1]!;
    const rotated = await b.post(`/account/api/webhooks/${id}/rotate`, {});
    const next = /data-testid="webhook-secret">\s*(whsec_[A-Za-z0-9+/=]+)/.exec(rotated.body)?.[1];
    expect(next).toBeDefined();
    expect(next).not.toBe(secret);
    const deleted = await b.post(`/account/api/webhooks/${id}/delete`, {});
    expect(deleted.headers.location).toBe('/account/api?webhook=deleted#webhooks');
    expect(textOf((await b.follow(deleted)).body)).toContain('Webhook の送信先を削除しました。');
  });
});
