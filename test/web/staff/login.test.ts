import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_LOGIN_FAILED_MESSAGE } from '../../../src/services/staff-auth.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { textOf, titleOf } from '../../support/browser.js';
import { browserFor } from '../api/support.js';
import { TOKYO_CLERK, staffBrowser } from './support.js';

describe('事務所等用画面 ログイン (staff UI)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('sends a visitor without a session to the login page, and back to the page asked for after login', async () => {
    const b = browserFor(t.app);
    const top = await b.get('/staff');
    expect(top.statusCode).toBe(303);
    expect(top.headers.location).toBe('/staff/applications');
    const list = await b.get('/staff/applications?status=inspectionCorrectionRequested');
    expect(list.statusCode).toBe(303);
    expect(list.headers.location).toBe('/staff/login?return=%2Fstaff%2Fapplications%3Fstatus%3DinspectionCorrectionRequested');
    const page = await b.follow(list);
    expect(page.statusCode).toBe(200);
    expect(titleOf(page.body)).toBe('事務所等用画面 ログイン｜軽自動車OSS 事務所等用画面');
    expect(textOf(page.body)).toContain('ログインIDとパスワードを入力し「ログイン」ボタンを押してください。');
    expect(page.body).toContain('<input type="hidden" name="return" value="/staff/applications?status=inspectionCorrectionRequested"/>');
    const res = await b.post('/staff/login', { loginId: TOKYO_CLERK.loginId, password: TOKYO_CLERK.password, return: '/staff/applications?status=inspectionCorrectionRequested' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/staff/applications?status=inspectionCorrectionRequested');
    const cookie = (res.cookies as { name: string; path?: string; httpOnly?: boolean; sameSite?: string }[]).find((c) => c.name === 'kei_staff_session');
    expect(cookie).toMatchObject({ path: '/staff', httpOnly: true, sameSite: 'Lax' });
    const after = await b.follow(res);
    expect(after.statusCode).toBe(200);
    expect(textOf(after.body)).toContain('検査 一郎（デモ）（東京主管事務所）');
  });

  it('a wrong password and an unknown login id get the same message, with 401 and エラー： in the title', async () => {
    for (const form of [
      { loginId: TOKYO_CLERK.loginId, password: 'not-the-password' },
      { loginId: 'nobody-here', password: 'not-the-password' },
    ]) {
      const b = browserFor(t.app);
      await b.get('/staff/login');
      const res = await b.post('/staff/login', form);
      expect(res.statusCode).toBe(401);
      expect(titleOf(res.body)).toBe('エラー：事務所等用画面 ログイン｜軽自動車OSS 事務所等用画面');
      expect(textOf(res.body)).toContain(`入力内容にエラーがあります ${STAFF_LOGIN_FAILED_MESSAGE}`);
      expect(res.body).toContain(`value="${form.loginId}"`);
      expect(res.cookies.find((c) => c.name === 'kei_staff_session')).toBeUndefined();
    }
  });

  it('empty fields get a message each (400)', async () => {
    const b = browserFor(t.app);
    await b.get('/staff/login');
    const res = await b.post('/staff/login', { loginId: '', password: '' });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain('入力内容にエラーがあります ログインIDを入力してください。 パスワードを入力してください。');
  });

  it('a login form without its CSRF token is refused (403) and logs nobody in', async () => {
    const b = browserFor(t.app);
    const res = await b.post('/staff/login', { loginId: TOKYO_CLERK.loginId, password: TOKYO_CLERK.password }, { csrf: null });
    expect(res.statusCode).toBe(403);
    expect(textOf(res.body)).toContain('画面の有効期限が切れました');
    expect(b.cookies.has('kei_staff_session')).toBe(false);
  });

  it('never follows a return address off the staff UI', async () => {
    const b = browserFor(t.app);
    await b.get('/staff/login');
    const res = await b.post('/staff/login', { loginId: TOKYO_CLERK.loginId, password: TOKYO_CLERK.password, return: '//evil.example/staff' });
    expect(res.headers.location).toBe('/staff/applications');
  });

  it('ログアウト ends the session: the old cookie no longer opens a page', async () => {
    const b = await staffBrowser(t);
    const oldCookie = b.cookies.get('kei_staff_session')!;
    await b.get('/staff/applications');
    const out = await b.post('/staff/logout', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/staff/login?ended=1');
    expect(textOf((await b.follow(out)).body)).toContain('ログアウトしました。');
    const replay = await t.app.inject({ method: 'GET', url: '/staff/applications', headers: { cookie: `kei_staff_session=${oldCookie}` } });
    expect(replay.statusCode).toBe(303);
  });

  it("an applicant's session opens nothing in the staff UI, and a form posted without a staff session is 401", async () => {
    const b = browserFor(t.app);
    await b.login('9999 9999 9999 99999', 'demo0101');
    expect((await b.get('/staff/applications')).statusCode).toBe(303);
    const post = await b.post('/staff/applications/99999999999999999/accept', { version: '1', _csrf: 'x' });
    expect(post.statusCode).toBe(401);
    expect(textOf(post.body)).toContain('ログインが必要です');
  });

  it('a disabled clerk cannot log in, and an open session of theirs stops working', async () => {
    const made = await t.services.staffAuth.createUser({ loginId: 'leaving-clerk', password: 'a long enough password', displayName: '退職 予定', officeCode: 'tokyo' });
    if (!made.ok) throw new Error(made.refusal.message);
    const b = await staffBrowser(t, { loginId: 'leaving-clerk', password: 'a long enough password' });
    expect((await b.get('/staff/applications')).statusCode).toBe(200);
    await t.db.handle.db.updateTable('staff_users').set({ disabled_at: new Date().toISOString() }).where('login_id', '=', 'leaving-clerk').execute();
    expect((await b.get('/staff/applications')).statusCode).toBe(303);
    const again = browserFor(t.app);
    await again.get('/staff/login');
    expect((await again.post('/staff/login', { loginId: 'leaving-clerk', password: 'a long enough password' })).statusCode).toBe(401);
  });

  it('stores argon2id hashes only', async () => {
    const row = await t.db.handle.db.selectFrom('staff_users').select(['password_hash']).where('login_id', '=', TOKYO_CLERK.loginId).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});
