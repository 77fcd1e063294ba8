import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFiling } from '../../../src/domain/filing.js';
import { formatReceiptNumber } from '../../../src/domain/receipt-number.js';
import { ACCOUNT_UNAUTHORIZED_MESSAGE } from '../../../src/web/api/account/auth.js';
import { QUERY_NOT_FOUND_MESSAGE } from '../../../src/services/account-api.js';
import { ACCOUNT_RATE_LIMITS } from '../../../src/web/api/account/routes.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { filing, office } from '../../services/support.js';

const origin = { clientAddress: '192.0.2.10' };

async function account(t: TestApp, name: string): Promise<string> {
  const r = await t.services.accounts.register({ kind: 'business', name, mailAddress: `office-${Math.random().toString(36).slice(2)}@example.jp`, password: 'kei dealer passphrase 2026' }, origin);
  if (!r.ok) throw new Error(r.refusal.message);
  return r.value.accountId;
}

async function fileFor(t: TestApp, accountId: string | null) {
  const valid = validateFiling(filing());
  if (!valid.ok) throw new Error('filing');
  const r = await t.services.registerApplication(valid.value, 'demo1234pass', { kind: 'applicant' }, { accountId });
  if (!r.ok) throw new Error(r.refusal.message);
  return r.value;
}

async function tokenFor(t: TestApp, accountId: string, scopes: string[] = ['read', 'file', 'act']) {
  const r = await t.services.accountApi.tokens.create(accountId, { name: '販売管理システム', scopes, days: 90 });
  if (!r.ok) throw new Error(r.refusal.message);
  return r.value.token;
}

describe('一括申請 API: tokens, the changes feed and bulk status (issue 17)', () => {
  let t: TestApp;
  let dealer: string;
  let other: string;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    dealer = await account(t, '大崎モータース株式会社');
    other = await account(t, '品川オート');
    token = await tokenFor(t, dealer);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string, bearer = token) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } });
  const post = (url: string, body: unknown, bearer = token) => t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  it('refuses a missing, an agency or a revoked token with 401 and a Japanese message', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/account/changes' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: { code: 'unauthorized', message: ACCOUNT_UNAUTHORIZED_MESSAGE } });
    const agency = await t.services.apiTokens.create({ name: '東京', role: 'inspectionOffice', officeCode: 'tokyo' });
    expect((await get('/api/v1/account/changes', agency.ok ? agency.value.token : '')).statusCode).toBe(401);
    const issued = await t.services.accountApi.tokens.create(dealer, { name: '旧システム', scopes: ['read'], days: 30 });
    if (!issued.ok) throw new Error(issued.refusal.message);
    const { token: revoked, record } = issued.value;
    const id = record.id;
    expect((await get('/api/v1/account/me', revoked)).statusCode).toBe(200);
    expect(await t.services.accountApi.tokens.revoke(dealer, id)).toBe(true);
    expect((await get('/api/v1/account/me', revoked)).statusCode).toBe(401);
  });

  it('lists a token with its scopes and last use, and answers 403 to a scope it lacks', async () => {
    const readOnly = await tokenFor(t, dealer, ['read']);
    const me = await get('/api/v1/account/me', readOnly);
    expect(me.json()).toMatchObject({ name: '販売管理システム', scopes: ['read'] });
    const listed = await t.services.accountApi.tokens.list(dealer);
    expect(listed.map((x) => x.name)).toContain('旧システム');
    expect(listed.some((x) => x.scopes.join() === 'read' && x.lastUsedAt?.getTime() === t.clock.now().getTime())).toBe(true);
    expect(await t.services.accountApi.tokens.create(dealer, { name: '', scopes: ['read'], days: 90 })).toEqual({ ok: false, refusal: { code: 'invalidInput', message: 'トークンの名前は1〜60文字で入力してください。' } });
    expect(await t.services.accountApi.tokens.create(dealer, { name: 'x', scopes: ['admin'], days: 90 })).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '不明な権限です（admin）。read, file, act から選択してください。' } });
  });

  it('feeds the account’s status changes in commit order with a cursor, never another account’s', async () => {
    const a = await fileFor(t, dealer);
    const b = await fileFor(t, dealer);
    await fileFor(t, other);
    await fileFor(t, null);
    // On PostgreSQL the feed shows a change once no older transaction is open anywhere on the server
    // (decision 0011: late, never lost); another test's open transaction can hold it back a while.
    const settled = async (url: string, count: number) => {
      for (let i = 0; ; i++) {
        const r = await get(url);
        if (r.statusCode !== 200 || r.json<{ changes: unknown[] }>().changes.length >= count || i >= 100) return r;
        await new Promise((done) => setTimeout(done, 200));
      }
    };
    const first = await settled('/api/v1/account/changes?limit=1', 1);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ changes: [{ arrivalNumber: a.arrivalNumber, seq: 1, event: 'arrive', toStatus: 'awaitingAcceptance' }], hasMore: true });
    const accepted = await t.services.actOnApplication(b.id, { type: 'accept' }, office());
    expect(accepted.ok).toBe(true);
    await t.services.actOnApplication(a.id, { type: 'accept' }, office());
    const rest = await settled(`/api/v1/account/changes?after=${first.json<{ nextCursor: string }>().nextCursor}`, 3);
    const body = rest.json<{ changes: { arrivalNumber: string; seq: number; event: string; toStatusLabel: string }[]; nextCursor: string; hasMore: boolean }>();
    expect(body.changes.map((c) => [c.arrivalNumber, c.seq, c.event])).toEqual([
      [b.arrivalNumber, 1, 'arrive'],
      [b.arrivalNumber, 2, 'accept'],
      [a.arrivalNumber, 2, 'accept'],
    ]);
    expect(body.hasMore).toBe(false);
    // Nothing new: the same cursor again, no changes.
    const idle = await get(`/api/v1/account/changes?after=${body.nextCursor}`);
    expect(idle.json()).toEqual({ changes: [], nextCursor: body.nextCursor, hasMore: false });
  });

  it('refuses a forged cursor and a limit over 1,000 with 400', async () => {
    expect((await get('/api/v1/account/changes?after=bm90LWEtY3Vyc29y')).json()).toEqual({ error: { code: 'invalidInput', message: 'after には、前回の応答の nextCursor をそのまま指定してください。' } });
    expect((await get('/api/v1/account/changes?limit=1001')).json()).toEqual({ error: { code: 'invalidInput', message: 'limit は1〜1000の整数で指定してください。' } });
  });

  it('answers a bulk status of numbers in any spacing; unknown and other accounts’ numbers alike as not found', async () => {
    const mine = await fileFor(t, dealer);
    await t.services.actOnApplication(mine.id, { type: 'accept' }, office());
    const theirs = await fileFor(t, other);
    const spaced = formatReceiptNumber(mine.arrivalNumber).replace(/ /g, '-');
    const res = await post('/api/v1/account/applications/query', { numbers: [spaced, theirs.arrivalNumber, '2112 2310 5000 30459', 'abc'] });
    expect(res.statusCode).toBe(200);
    const results = res.json<{ results: { number: string; found: boolean; application?: Record<string, unknown>; error?: { message: string } }[] }>().results;
    expect(results[0]).toMatchObject({ number: spaced, found: true, application: { arrivalNumber: mine.arrivalNumber, status: 'acceptedAwaitingAttachments', statusLabel: '申請受付済（添付書類取得待ち）' } });
    expect((results[0]!.application as { steps: { label: string; markLabel: string }[] }).steps.map((s) => s.markLabel)).toHaveLength(3);
    expect(results[1]).toEqual({ number: theirs.arrivalNumber, found: false, error: { code: 'notFound', message: QUERY_NOT_FOUND_MESSAGE } });
    expect(results[2]).toEqual({ number: '2112 2310 5000 30459', found: false, error: { code: 'notFound', message: QUERY_NOT_FOUND_MESSAGE } });
    expect(results[3]).toMatchObject({ number: 'abc', found: false });
  });

  it('refuses 1,001 numbers, malformed JSON and a form body with 4xx, never 5xx', async () => {
    const many = await post('/api/v1/account/applications/query', { numbers: Array.from({ length: 1001 }, () => '2112 2310 5000 30459') });
    expect(many.statusCode).toBe(400);
    expect(many.json()).toEqual({ error: { code: 'invalidInput', message: 'numbers は1000件までです（1001件）。分けて照会してください。' } });
    const broken = await t.app.inject({ method: 'POST', url: '/api/v1/account/applications/query', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{"numbers": [' });
    expect(broken.statusCode).toBe(400);
    const form = await t.app.inject({ method: 'POST', url: '/api/v1/account/applications/query', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'numbers=1' });
    expect(form.statusCode).toBeGreaterThanOrEqual(400);
    expect(form.statusCode).toBeLessThan(500);
  });

  it('limits each token to 120 reads a minute: 429 with Retry-After, other tokens unaffected', async () => {
    const busy = await tokenFor(t, dealer, ['read']);
    for (let i = 0; i < ACCOUNT_RATE_LIMITS.read; i++) expect((await get('/api/v1/account/me', busy)).statusCode).toBe(200);
    const limited = await get('/api/v1/account/me', busy);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json<{ error: { code: string; message: string } }>().error.code).toBe('tooManyRequests');
    expect((await get('/api/v1/account/me')).statusCode).toBe(200);
  });
});
