import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { csrfTokenOf, TestBrowser, textOf } from '../../support/browser.js';

const PASSWORD = 'kei dealer passphrase 2026';
const FAILED = '利用者ID、パスワードまたは確認コードが正しくありません。入力内容をご確認ください。';
const CODE = /<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})<\/code>/g;
const codesOf = (html: string) => [...html.matchAll(CODE)].map((m) => m[1]!);

async function confirmedAccount(t: TestApp, mailAddress: string): Promise<{ userId: string; accountId: string }> {
  const r = await t.services.accounts.register({ kind: 'business', name: '大崎モータース', mailAddress, password: PASSWORD }, { clientAddress: null });
  if (!r.ok) throw new Error(r.refusal.message);
  const mail = await t.db.handle.db.selectFrom('mail_outbox').select(['text_body']).where('account_id', '=', r.value.accountId).where('kind', '=', 'accountConfirmation').executeTakeFirstOrThrow();
  await t.services.accounts.confirm(/\/account\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!, { clientAddress: null });
  return r.value;
}

const codeFor = (secret: string, t: TestApp) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: t.clock.now().getTime() });

async function loginWith(t: TestApp, userId: string, totpCode: string) {
  const b = new TestBrowser(t.app);
  await b.get('/account/login');
  return { b, res: await b.post('/account/login', { userId, password: PASSWORD, totpCode }) };
}

describe('リカバリーコード for a lost authenticator (issue 16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('shows 10 codes once when two-factor is set; each logs in once in place of the 確認コード, is logged and mailed; a new set invalidates the old', async () => {
    const account = await confirmedAccount(t, 'recovery@osaki-motors.example.jp');
    const { b } = await loginWith(t, account.userId, '');
    const setup = await b.get('/account/totp');
    const secret = /name="secret" value="([A-Z2-7]{32})"/.exec(setup.body)![1]!;
    const set = await b.post('/account/totp', { secret, totpCode: codeFor(secret, t) });
    expect(set.statusCode).toBe(200);
    expect(textOf(set.body)).toContain('二要素認証を設定しました。');
    expect(textOf(set.body)).toContain('この画面は一度だけ表示されます。');
    const codes = codesOf(set.body);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    // Only hashes are stored.
    const stored = await t.db.handle.db.selectFrom('account_recovery_codes').select(['code_hash', 'used_at']).where('account_id', '=', account.accountId).execute();
    expect(stored).toHaveLength(10);
    expect(stored.some((r) => codes.includes(r.code_hash) || codes.map((c) => c.replace(/-/g, '')).includes(r.code_hash))).toBe(false);
    expect(textOf((await b.get('/account')).body)).toMatch(/使用できるリカバリーコード：\s*残り10個/);

    // Without a code, or with a wrong one: refused as a wrong 確認コード.
    expect((await loginWith(t, account.userId, '')).res.statusCode).toBe(401);
    const wrong = await loginWith(t, account.userId, 'aaaa-aaaa-aaaa');
    expect(wrong.res.statusCode).toBe(401);
    expect(textOf(wrong.res.body)).toContain(FAILED);

    // A code, typed in capitals with spaces: logged in; the account is told by mail.
    const used = await loginWith(t, account.userId, codes[0]!.toUpperCase().replace(/-/g, ' '));
    expect(used.res.statusCode).toBe(303);
    expect(used.res.headers.location).toBe('/account/applications');
    const mails = await t.db.handle.db.selectFrom('mail_outbox').select(['subject', 'text_body', 'to_address']).where('account_id', '=', account.accountId).where('kind', '=', 'accountRecoveryCodeUsed').execute();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('【軽自動車OSS】リカバリーコードでログインしました');
    expect(mails[0]!.to_address).toBe('recovery@osaki-motors.example.jp');
    expect(mails[0]!.text_body).toContain('使用できるリカバリーコードは残り9個です。');
    const page = await used.b.get('/account');
    expect(textOf(page.body)).toMatch(/使用できるリカバリーコード：\s*残り9個/);
    expect(textOf(page.body)).toContain('リカバリーコードによるログイン');

    // The same code the second time: refused.
    const again = await loginWith(t, account.userId, codes[0]!);
    expect(again.res.statusCode).toBe(401);
    expect(textOf(again.res.body)).toContain(FAILED);

    // Issuing again needs the password typed again: without it, or with a wrong one, nothing changes.
    const noPassword = await used.b.post('/account/recovery-codes', { _csrf: csrfTokenOf(page.body) });
    expect(noPassword.statusCode).toBe(401);
    expect(textOf(noPassword.body)).toContain('パスワードが正しくありません。あと3回続けて誤ると、この利用者IDでは15分間ログインできなくなります。');
    expect(noPassword.body).toMatch(/<input[^>]*id="password"[^>]*aria-invalid="true"/);
    expect(noPassword.body).not.toMatch(/<input[^>]*id="totpCode"[^>]*aria-invalid="true"/);
    const wrongPassword = await used.b.post('/account/recovery-codes', { _csrf: csrfTokenOf(noPassword.body), password: 'not-the-password-2026' });
    expect(wrongPassword.statusCode).toBe(401);
    expect(textOf(wrongPassword.body)).toContain('パスワードが正しくありません。あと2回続けて誤ると');
    expect(textOf(wrongPassword.body)).toMatch(/使用できるリカバリーコード：\s*残り9個/);
    expect((await loginWith(t, account.userId, codes[1]!)).res.statusCode).toBe(303);

    // Issued again from the account page: a new set; the old ones no longer work, the new ones do.
    const renewed = await used.b.post('/account/recovery-codes', { _csrf: csrfTokenOf(wrongPassword.body), password: PASSWORD });
    expect(renewed.statusCode).toBe(200);
    expect(textOf(renewed.body)).toContain('リカバリーコードを再発行しました。');
    const fresh = codesOf(renewed.body);
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => codes.includes(c))).toBe(false);
    expect((await loginWith(t, account.userId, codes[2]!)).res.statusCode).toBe(401);
    const withFresh = await loginWith(t, account.userId, fresh[0]!);
    expect(withFresh.res.statusCode).toBe(303);
    const log = textOf((await withFresh.b.get('/account')).body);
    expect(log).toMatch(/使用できるリカバリーコード：\s*残り9個/);
    expect(log.split('リカバリーコードの発行').length - 1).toBe(2);
    expect(log).toContain('ログイン失敗');
  });

  it('setting two-factor again with a new app asks for the password too; the old app keeps working until then', async () => {
    const account = await confirmedAccount(t, 'new-phone@osaki-motors.example.jp');
    const { b } = await loginWith(t, account.userId, '');
    const first = await b.get('/account/totp');
    expect(first.body).not.toContain('name="password"');
    const oldSecret = /name="secret" value="([A-Z2-7]{32})"/.exec(first.body)![1]!;
    expect((await b.post('/account/totp', { _csrf: csrfTokenOf(first.body), secret: oldSecret, totpCode: codeFor(oldSecret, t) })).statusCode).toBe(200);

    const again = await b.get('/account/totp');
    expect(textOf(again.body)).toContain('二要素認証はすでに設定されています。新しい認証アプリで設定し直すには、利用者IDのパスワードを入力してください。');
    expect(again.body).toMatch(/<input[^>]*id="password"[^>]*type="password"|<input[^>]*type="password"[^>]*id="password"/);
    const newSecret = /name="secret" value="([A-Z2-7]{32})"/.exec(again.body)![1]!;
    const refused = await b.post('/account/totp', { _csrf: csrfTokenOf(again.body), secret: newSecret, totpCode: codeFor(newSecret, t), password: 'not-the-password-2026' });
    expect(refused.statusCode).toBe(401);
    expect(textOf(refused.body)).toContain('パスワードが正しくありません。あと4回続けて誤ると、この利用者IDでは15分間ログインできなくなります。');
    expect(refused.body).toMatch(/<input[^>]*id="password"[^>]*aria-invalid="true"/);
    // The same proposal is shown again (the new app has scanned it), and the old app still logs in.
    expect(refused.body).toContain(`value="${newSecret}"`);
    expect((await loginWith(t, account.userId, codeFor(oldSecret, t))).res.statusCode).toBe(303);

    const replaced = await b.post('/account/totp', { _csrf: csrfTokenOf(refused.body), secret: newSecret, totpCode: codeFor(newSecret, t), password: PASSWORD });
    expect(replaced.statusCode).toBe(200);
    expect(codesOf(replaced.body)).toHaveLength(10);
    expect((await loginWith(t, account.userId, codeFor(newSecret, t))).res.statusCode).toBe(303);
  });

  it('refuses issuing codes without two-factor, and the form needs the CSRF token', async () => {
    const account = await confirmedAccount(t, 'no-totp@osaki-motors.example.jp');
    const { b } = await loginWith(t, account.userId, '');
    const page = await b.get('/account');
    expect(textOf(page.body)).not.toContain('リカバリーコード');
    expect((await b.post('/account/recovery-codes', {}, { csrf: null })).statusCode).toBe(403);
    const refused = await b.post('/account/recovery-codes', { _csrf: csrfTokenOf(page.body) });
    expect(refused.statusCode).toBe(409);
    expect(textOf(refused.body)).toContain('リカバリーコードは、二要素認証を設定している場合に発行できます。');
  });
});
