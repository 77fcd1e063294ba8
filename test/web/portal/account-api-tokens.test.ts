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
