import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed.js';
import { LOGIN_FAILED_MESSAGE } from '../../src/services/applicant-auth.js';
import { silentLogger } from '../support/app.js';
import { textOf, titleOf } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { HttpBrowser, httpRequest } from './support/http-browser.js';
import { databaseUrlFor, startServer, type ServerProcess } from './support/processes.js';

const MANUAL_CI = '9999 9999 9999 99999';
const LOCKED = /申請用パスワードの誤りが続いたため、この受付番号（到達番号）ではログインできないようにしています。\d{4}年 \d{2}月 \d{2}日 \d{2}時 \d{2}分 \d{2}秒以降に、もう一度ログインしてください。/;

describe('two server processes on one PostgreSQL database: any process serves any request, the login lock counts across both', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.handle, { logger: silentLogger });
    [a, b] = await Promise.all([startServer({ DATABASE_URL: databaseUrlFor(db.where, 'kei-oss-a') }), startServer({ DATABASE_URL: databaseUrlFor(db.where, 'kei-oss-b') })]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db.destroy();
  });

  it('runs as two processes, each with its own port and connections', async () => {
    expect(a.url).not.toBe(b.url);
    expect(a.child.process.pid).not.toBe(b.child.process.pid);
    // Each answers /readyz from the database, through its own pool (named by application_name).
    for (const server of [a, b]) expect((await httpRequest(`${server.url}/readyz`)).statusCode).toBe(200);
    const names = await sql<{ application_name: string }>`select distinct application_name from pg_stat_activity where application_name in ('kei-oss-a', 'kei-oss-b')`.execute(db.handle.db);
    expect(names.rows.map((r) => r.application_name).sort()).toEqual(['kei-oss-a', 'kei-oss-b']);
  });

  it('a login on one server is used on the other: the session cookie works on both', async () => {
    const browser = new HttpBrowser();
    const login = await browser.login(a.url, a.url, MANUAL_CI, 'demo0101');
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/inquiry/status');

    const onB = await browser.get(b.url, '/inquiry/status');
    expect(onB.statusCode).toBe(200);
    expect(titleOf(onB.body)).toBe('申請状況確認 継続検査｜軽自動車OSS');
    expect(textOf(onB.body)).toContain('受付番号 9999 9999 9999 99999');
    const onA = await browser.get(a.url, '/inquiry/status');
    expect(onA.statusCode).toBe(200);
    expect(textOf(onA.body)).toContain('受付番号 9999 9999 9999 99999');
  });

  it('the two login steps may be served by different servers (the carried number and the CSRF token are signed with the shared secret)', async () => {
    const browser = new HttpBrowser();
    const login = await browser.login(b.url, a.url, '2112 2310 5000 30459', 'demo0201');
    expect(login.statusCode).toBe(303);
    const page = await browser.get(b.url, '/inquiry/status');
    expect(page.statusCode).toBe(200);
    expect(titleOf(page.body)).toBe('申請状況確認 新車｜軽自動車OSS');
  });

  it('counts wrong passwords across both servers: the 5th locks the number on both, the right password included (issue 5 throttle)', async () => {
    const number = '1100 0000 0000 00004';
    const browser = new HttpBrowser();
    await browser.get(a.url, '/inquiry/login');
    expect((await browser.post(a.url, '/inquiry/login', { receiptNumber: number })).statusCode).toBe(303);
    await browser.get(b.url, '/inquiry/login/password');
    for (let i = 1; i <= 4; i++) {
      const res = await browser.post((i % 2 ? a : b).url, '/inquiry/login/password', { receiptNumber: number, password: `wrong-${i}` });
      expect(res.statusCode).toBe(401);
      expect(textOf(res.body)).toContain(LOGIN_FAILED_MESSAGE);
    }
    const fifth = await browser.post(b.url, '/inquiry/login/password', { receiptNumber: number, password: 'wrong-5' });
    expect(fifth.statusCode).toBe(429);
    expect(textOf(fifth.body)).toMatch(LOCKED);
    for (const server of [a, b]) {
      const right = await browser.post(server.url, '/inquiry/login/password', { receiptNumber: number, password: 'demo0104' });
      expect(right.statusCode).toBe(429);
      expect(textOf(right.body)).toMatch(LOCKED);
      expect(browser.cookies.has('kei_session')).toBe(false);
    }
  });

  it('終了 on one server ends the session on the other', async () => {
    const browser = new HttpBrowser();
    await browser.login(a.url, a.url, MANUAL_CI, 'demo0101');
    const session = browser.cookies.get('kei_session');
    expect(session).toBeTruthy();
    await browser.get(a.url, '/inquiry/status');
    const out = await browser.post(b.url, '/inquiry/logout', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/online?ended=1');

    const replay = new HttpBrowser();
    replay.cookies.set('kei_session', session as string);
    const onA = await replay.get(a.url, '/inquiry/status');
    expect(onA.statusCode).toBe(401);
    expect(textOf(onA.body)).toContain('ログインしていないか、一定時間操作がなかったため、ログアウトしました。');
  });
});
