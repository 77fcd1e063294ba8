import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, csrfTokenOf, textOf, titleOf } from '../../support/browser.js';

const MANUAL_CI = '9999 9999 9999 99999';
const LOGIN_FAILED = '受付番号（到達番号）または申請用パスワードが正しくありません。入力内容をご確認ください。';

describe('状況照会 ログイン (manual 2 and 4)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the first step with the terms notice, 受付番号（到達番号）, 次へ and 終了', async () => {
    const b = new TestBrowser(t.app);
    const res = await b.get('/inquiry/login');
    expect(res.statusCode).toBe(200);
    expect(titleOf(res.body)).toBe('状況照会 ログイン｜軽自動車OSS');
    const text = textOf(res.body);
    expect(text).toContain('申請状況の確認です。');
    expect(text).toContain('「次へ」ボタンを押すと、「利用規約」に同意したとみなされます。');
    expect(res.body).toContain('<label for="receiptNumber" class="form-field__label">受付番号（到達番号）');
    expect(res.body).toMatch(/<button type="submit" class="button button--primary">次へ<\/button>/);
    expect(res.body).toMatch(/<button type="submit" class="button button--secondary">終了<\/button>/);
  });

  it('carries the number to the second step, titled by procedure: 継続検査', async () => {
    const b = new TestBrowser(t.app);
    await b.get('/inquiry/login');
    const step1 = await b.post('/inquiry/login', { receiptNumber: MANUAL_CI });
    expect(step1.statusCode).toBe(303);
    expect(step1.headers.location).toBe('/inquiry/login/password');
    const step2 = await b.get('/inquiry/login/password');
    expect(titleOf(step2.body)).toBe('状況照会 ログイン 継続検査｜軽自動車OSS');
    expect(step2.body).toContain('value="9999 9999 9999 99999"');
    expect(step2.body).toContain('申請用パスワード');
    expect(step2.body).toContain('パスワード表示');
    expect(textOf(step2.body)).toContain('受付番号と申請用パスワードを入力し「ログイン」ボタンを押してください。');
  });

  it('titles the second step 新車 for the manual example 2112 2310 5000 30459, typed with full-width digits and hyphens', async () => {
    const b = new TestBrowser(t.app);
    await b.get('/inquiry/login');
    await b.post('/inquiry/login', { receiptNumber: '２１１２－２３１０－５０００－３０４５９' });
    const step2 = await b.get('/inquiry/login/password');
    expect(titleOf(step2.body)).toBe('状況照会 ログイン 新車｜軽自動車OSS');
    expect(step2.body).toContain('value="2112 2310 5000 30459"');
  });

  it('logs in with the right password, and the status page shows that application', async () => {
    const b = new TestBrowser(t.app);
    const page = await b.login(MANUAL_CI, 'demo0101');
    expect(page.statusCode).toBe(200);
    expect(titleOf(page.body)).toBe('申請状況確認 継続検査｜軽自動車OSS');
    expect(textOf(page.body)).toContain('受付番号 9999 9999 9999 99999');
  });

  it('logs in with the 到達番号 of an application that has no 受付番号 yet', async () => {
    const b = new TestBrowser(t.app);
    const page = await b.login('1100 0000 0010 00002', 'demo0102');
    expect(textOf(page.body)).toContain('受付番号 未払出（到達番号：1100 0000 0010 00002）');
    expect(textOf(page.body)).toContain('受付審査中');
  });

  it('gives one message for a wrong password and for an unknown number, with 401', async () => {
    const wrong = new TestBrowser(t.app);
    await wrong.get('/inquiry/login');
    await wrong.post('/inquiry/login', { receiptNumber: MANUAL_CI });
    await wrong.get('/inquiry/login/password');
    const r1 = await wrong.post('/inquiry/login/password', { receiptNumber: MANUAL_CI, password: 'wrong-password1' });
    const unknown = new TestBrowser(t.app);
    await unknown.get('/inquiry/login');
    await unknown.post('/inquiry/login', { receiptNumber: '1234 5678 9012 34567' });
    await unknown.get('/inquiry/login/password');
    const r2 = await unknown.post('/inquiry/login/password', { receiptNumber: '1234 5678 9012 34567', password: 'wrong-password1' });
    expect(r1.statusCode).toBe(401);
    expect(r2.statusCode).toBe(401);
    expect(textOf(r1.body)).toContain(LOGIN_FAILED);
    expect(textOf(r2.body)).toContain(LOGIN_FAILED);
    expect(titleOf(r1.body).startsWith('エラー：')).toBe(true);
    expect(r1.cookies.find((c) => c.name === 'kei_session')).toBeUndefined();
  });

  it('refuses a malformed number with the reason and 400, keeping what was typed', async () => {
    const b = new TestBrowser(t.app);
    await b.get('/inquiry/login');
    const res = await b.post('/inquiry/login', { receiptNumber: '2112 2310 5000' });
    expect(res.statusCode).toBe(400);
    expect(titleOf(res.body)).toBe('エラー：状況照会 ログイン｜軽自動車OSS');
    expect(textOf(res.body)).toContain('受付番号（到達番号）は数字17桁で入力してください。入力された数字は12桁です。');
    expect(res.body).toContain('<a href="#receiptNumber">');
    const letters = await b.post('/inquiry/login', { receiptNumber: 'ABCD 2310 5000 30459' });
    expect(letters.statusCode).toBe(400);
    expect(textOf(letters.body)).toContain('数字以外の文字が含まれています。');
    const empty = await b.post('/inquiry/login', { receiptNumber: '' });
    expect(textOf(empty.body)).toContain('受付番号（到達番号）を入力してください。');
  });

  it('refuses an empty password and a password of 10,000 characters with a message, never a 500', async () => {
    const b = new TestBrowser(t.app);
    await b.get('/inquiry/login');
    await b.post('/inquiry/login', { receiptNumber: MANUAL_CI });
    await b.get('/inquiry/login/password');
    const empty = await b.post('/inquiry/login/password', { receiptNumber: MANUAL_CI, password: '' });
    expect(empty.statusCode).toBe(400);
    expect(textOf(empty.body)).toContain('申請用パスワードを入力してください。');
    const huge = await b.post('/inquiry/login/password', { receiptNumber: MANUAL_CI, password: 'x'.repeat(10_000) });
    expect(huge.statusCode).toBe(400);
    expect(textOf(huge.body)).toContain('申請用パスワードは64文字以内で入力してください。');
  });

  it('refuses a form posted without its CSRF token (403, in Japanese)', async () => {
    const b = new TestBrowser(t.app);
    await b.get('/inquiry/login');
    const res = await b.post('/inquiry/login', { receiptNumber: MANUAL_CI }, { csrf: null });
    expect(res.statusCode).toBe(403);
    expect(textOf(res.body)).toContain('画面の有効期限が切れました');
    const forged = await b.post('/inquiry/login', { receiptNumber: MANUAL_CI }, { csrf: 'forged-token' });
    expect(forged.statusCode).toBe(403);
  });

  it('goes back to step 1 when step 2 is opened without a number', async () => {
    const res = await new TestBrowser(t.app).get('/inquiry/login/password');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/inquiry/login');
  });

  it('refuses the status page without a session: 401 and a way back to the login', async () => {
    const res = await new TestBrowser(t.app).get('/inquiry/status');
    expect(res.statusCode).toBe(401);
    expect(textOf(res.body)).toContain('ログインしていないか、一定時間操作がなかったため、ログアウトしました。');
    expect(res.body).toContain('href="/inquiry/login"');
  });

  it('gives a new session id at every login', async () => {
    const b = new TestBrowser(t.app);
    await b.login(MANUAL_CI, 'demo0101');
    const first = b.cookies.get('kei_session');
    await b.login(MANUAL_CI, 'demo0101');
    const second = b.cookies.get('kei_session');
    expect(first).toBeTruthy();
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    // The first session ended at the second login.
    const stale = new TestBrowser(t.app);
    stale.cookies.set('kei_session', first as string);
    expect((await stale.get('/inquiry/status')).statusCode).toBe(401);
  });

  it('終了 ends the session: the cookie and the old forms stop working', async () => {
    const b = new TestBrowser(t.app);
    const page = await b.login(MANUAL_CI, 'demo0101');
    const token = b.cookies.get('kei_session') as string;
    const csrf = csrfTokenOf(page.body);
    const out = await b.post('/inquiry/logout', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/online?ended=1');
    const menu = await b.follow(out);
    expect(textOf(menu.body)).toContain('申請状況の確認を終了しました。');
    const replay = new TestBrowser(t.app);
    replay.cookies.set('kei_session', token);
    expect((await replay.get('/inquiry/status')).statusCode).toBe(401);
    // A form of the ended session is stale.
    const stale = await replay.post('/inquiry/logout', { _csrf: csrf });
    expect(stale.statusCode).toBe(403);
  });

  it('ends a session idle for 30 minutes, but not one idle for 29', async () => {
    const b = new TestBrowser(t.app);
    await b.login(MANUAL_CI, 'demo0101');
    t.clock.advance(29 * 60 * 1000);
    expect((await b.get('/inquiry/status')).statusCode).toBe(200);
    t.clock.advance(30 * 60 * 1000);
    expect((await b.get('/inquiry/status')).statusCode).toBe(401);
  });

  it('holds only its own application: the session cookie of one login never shows another', async () => {
    const a = new TestBrowser(t.app);
    const pageA = await a.login(MANUAL_CI, 'demo0101');
    const b = new TestBrowser(t.app);
    const pageB = await b.login('2112 2310 5000 30459', 'demo0201');
    expect(textOf(pageA.body)).toContain('9999 9999 9999 99999');
    expect(textOf(pageA.body)).not.toContain('2112 2310 5000 30459');
    expect(textOf(pageB.body)).toContain('2112 2310 5000 30459');
    expect(textOf(pageB.body)).not.toContain('9999 9999 9999 99999');
    expect(csrfTokenOf(pageA.body)).not.toBe(csrfTokenOf(pageB.body));
  });
});
