import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { validateFiling } from '../../../src/domain/filing.js';
import { formatReceiptNumber } from '../../../src/domain/receipt-number.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';
import { filing } from '../../services/support.js';

const PASSWORD = 'kei dealer passphrase 2026';
const APP_PASSWORD = 'demo1234pass';
const BANNER = '申請を2件以上お持ちの利用者IDは、二要素認証の設定が必要です。';
const REMOVAL_REFUSED = '申請を2件以上お持ちの利用者IDは、運営者の設定により二要素認証が必要なため、解除できません。';

/** A confirmed 利用者ID (its 12-digit ID and internal id). */
async function confirmedAccount(t: TestApp): Promise<{ userId: string; accountId: string }> {
  const r = await t.services.accounts.register({ kind: 'business', name: '大崎モータース', mailAddress: `dealer-${Math.random().toString(36).slice(2)}@example.jp`, password: PASSWORD }, { clientAddress: null });
  if (!r.ok) throw new Error(r.refusal.message);
  const mail = await t.db.handle.db.selectFrom('mail_outbox').select(['text_body']).where('account_id', '=', r.value.accountId).where('kind', '=', 'accountConfirmation').executeTakeFirstOrThrow();
  await t.services.accounts.confirm(/\/account\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!, { clientAddress: null });
  return r.value;
}

/** An application filed by 申請を行う, in the account's list when an account is given. */
async function fileFor(t: TestApp, accountId: string | null) {
  const valid = validateFiling(filing());
  if (!valid.ok) throw new Error('filing');
  const r = await t.services.registerApplication(valid.value, APP_PASSWORD, { kind: 'applicant' }, { accountId });
  if (!r.ok) throw new Error(r.refusal.message);
  return r.value;
}

async function login(t: TestApp, userId: string, totpCode = ''): Promise<{ b: TestBrowser; location: string | undefined }> {
  const b = new TestBrowser(t.app);
  await b.get('/account/login');
  const res = await b.post('/account/login', { userId, password: PASSWORD, totpCode });
  expect(res.statusCode).toBe(303);
  return { b, location: res.headers.location as string | undefined };
}

/** The code an authenticator app shows at the test's instant for the key on the setup page. */
function codeFor(secret: string, t: TestApp): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: t.clock.now().getTime() });
}

describe('二要素認証 required by the operator for a 利用者ID with more than one application (ACCOUNT_TOTP_REQUIRED, decision 0013)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ twoFactorPolicy: { requiredForSeveralApplications: true } });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('lets an account of one application work; adding a second one is allowed and then sends every account page to the setup (303) with the reason, until TOTP is set; then removal is refused', async () => {
    const account = await confirmedAccount(t);
    const first = await fileFor(t, account.accountId);
    const second = await fileFor(t, null);
    // An API token issued while the rule did not apply yet.
    const token = await t.services.accountApi.tokens.create(account.accountId, { name: '販売管理システム', scopes: ['read'], days: 90 });
    if (!token.ok) throw new Error(token.refusal.message);

    const { b, location } = await login(t, account.userId);
    expect(location).toBe('/account/applications');
    expect((await b.get('/account/applications')).statusCode).toBe(200);

    // 申請の追加 of the second application: allowed, then the rule applies.
    await b.get('/account/applications/add');
    const added = await b.post('/account/applications/add', { receiptNumber: second.arrivalNumber, password: APP_PASSWORD });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/account/totp?added=1');
    const setup = await b.follow(added);
    expect(setup.statusCode).toBe(200);
    expect(textOf(setup.body)).toContain(BANNER);
    expect(textOf(setup.body)).toContain('申請を申請一覧に追加しました。');
    expect(textOf(setup.body)).toContain('設定が完了するまで、申請一覧・CSVの出力・納付を行う・申請の追加・APIトークン等の画面は利用できません。');
    expect(await t.db.handle.db.selectFrom('account_applications').select('application_id').where('account_id', '=', account.accountId).execute()).toHaveLength(2);

    // Every other account page, and an application opened from the list, answers 303 to the setup.
    for (const url of ['/account/applications', '/account/applications.csv', '/account/payments', '/account/applications/add', '/account/api', `/account/open/${first.id}`, `/account/applications/${first.id}/remove`, '/inquiry/status', '/apply']) {
      const res = await b.get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toBe('/account/totp');
    }
    const profile = await b.get('/account');
    expect(profile.statusCode).toBe(200);
    expect(textOf(profile.body)).toContain(BANNER);
    for (const url of ['/account/api/tokens', '/account/payments', `/account/applications/${first.id}/remove`]) {
      const res = await b.post(url, { name: '新しいトークン', scopes: 'read', days: '90' });
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toBe('/account/totp');
    }
    // Nothing was changed by those posts: still two applications, one token.
    expect(await t.db.handle.db.selectFrom('account_applications').select('application_id').where('account_id', '=', account.accountId).execute()).toHaveLength(2);
    expect(await t.services.accountApi.tokens.list(account.accountId)).toHaveLength(1);
    // The service refuses a new token on its own too; the token issued before keeps working.
    const refused = await t.services.accountApi.tokens.create(account.accountId, { name: 'もう一つ', scopes: ['read'], days: 90 });
    expect(refused).toEqual({ ok: false, refusal: { code: 'twoFactorRequired', message: 'APIトークンを発行するには、先に二要素認証を設定してください（申請を2件以上お持ちの利用者IDは、運営者の設定により二要素認証が必要です）。' } });
    const feed = await t.app.inject({ method: 'GET', url: '/api/v1/account/changes', headers: { authorization: `Bearer ${token.value.token}` } });
    expect(feed.statusCode).toBe(200);

    // A new login is sent to the setup first.
    const again = await login(t, account.userId);
    expect(again.location).toBe('/account/totp');

    // Setting TOTP with a real code from the key on the page opens the account again.
    const page = await again.b.get('/account/totp');
    const secret = /name="secret" value="([A-Z2-7]{32})"/.exec(page.body)![1]!;
    const wrong = await again.b.post('/account/totp', { secret, totpCode: '000000' === codeFor(secret, t) ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(textOf(wrong.body)).toContain(BANNER);
    const set = await again.b.post('/account/totp', { secret, totpCode: codeFor(secret, t) });
    expect(set.statusCode).toBe(200);
    expect(textOf(set.body)).toContain('二要素認証を設定しました。');
    expect(set.body.match(/<code>[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}<\/code>/g)).toHaveLength(10);
    const list = await again.b.get('/account/applications');
    expect(list.statusCode).toBe(200);
    expect(textOf(list.body)).toContain('全2件');
    expect(textOf(list.body)).toContain(formatReceiptNumber(second.arrivalNumber));
    expect((await again.b.get(`/account/open/${first.id}`)).headers.location).toBe('/inquiry/status');
    expect((await again.b.get('/inquiry/status')).statusCode).toBe(200);

    // Removing it is refused while the rule applies, even with a right code (403, nothing changed).
    const settings = await again.b.get('/account');
    expect(textOf(settings.body)).toContain(REMOVAL_REFUSED);
    const off = await again.b.post('/account/totp/off', { totpCode: codeFor(secret, t) });
    expect(off.statusCode).toBe(403);
    expect(textOf(off.body)).toContain(REMOVAL_REFUSED);
    expect((await t.db.handle.db.selectFrom('accounts').select('totp_secret').where('id', '=', account.accountId).executeTakeFirstOrThrow()).totp_secret).toBe(secret);

    // Login now needs the code; with it, straight to the list.
    const b2 = new TestBrowser(t.app);
    await b2.get('/account/login');
    expect((await b2.post('/account/login', { userId: account.userId, password: PASSWORD, totpCode: '' })).statusCode).toBe(401);
    const withCode = await b2.post('/account/login', { userId: account.userId, password: PASSWORD, totpCode: codeFor(secret, t) });
    expect(withCode.headers.location).toBe('/account/applications');
  });

  it('lets an account of one application remove its two-factor (the rule does not apply)', async () => {
    const account = await confirmedAccount(t);
    await fileFor(t, account.accountId);
    const { b } = await login(t, account.userId);
    const page = await b.get('/account/totp');
    expect(textOf(page.body)).not.toContain(BANNER);
    const secret = /name="secret" value="([A-Z2-7]{32})"/.exec(page.body)![1]!;
    expect((await b.post('/account/totp', { secret, totpCode: codeFor(secret, t) })).statusCode).toBe(200);
    await b.get('/account');
    const off = await b.post('/account/totp/off', { totpCode: codeFor(secret, t) });
    expect(off.statusCode).toBe(303);
    expect(off.headers.location).toBe('/account?totp=off');
  });
});

describe('without ACCOUNT_TOTP_REQUIRED (the default), two-factor stays optional', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('serves the 申請一覧 of an account of two applications without two-factor', async () => {
    const account = await confirmedAccount(t);
    await fileFor(t, account.accountId);
    await fileFor(t, account.accountId);
    const { b, location } = await login(t, account.userId);
    expect(location).toBe('/account/applications');
    const list = await b.get('/account/applications');
    expect(list.statusCode).toBe(200);
    expect(textOf(list.body)).toContain('全2件');
    expect(textOf(list.body)).not.toContain(BANNER);
  });
});

describe('ACCOUNT_TOTP_REQUIRED', () => {
  it('is off by default, on with on/true/1, and a wrong value stops the start with a message naming it', () => {
    expect(loadConfig({}).twoFactorPolicy).toEqual({ requiredForSeveralApplications: false });
    for (const v of ['on', 'true', '1']) expect(loadConfig({ ACCOUNT_TOTP_REQUIRED: v }).twoFactorPolicy).toEqual({ requiredForSeveralApplications: true });
    expect(loadConfig({ ACCOUNT_TOTP_REQUIRED: 'off' }).twoFactorPolicy).toEqual({ requiredForSeveralApplications: false });
    expect(() => loadConfig({ ACCOUNT_TOTP_REQUIRED: 'required' })).toThrow(ConfigError);
    expect(() => loadConfig({ ACCOUNT_TOTP_REQUIRED: 'required' })).toThrow('ACCOUNT_TOTP_REQUIRED は on または off で指定してください（指定値: required）。');
  });
});
