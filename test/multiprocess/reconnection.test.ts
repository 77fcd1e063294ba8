import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed.js';
import { silentLogger } from '../support/app.js';
import { textOf, titleOf } from '../support/browser.js';
import { createTestDatabase, DEFAULT_TEST_DATABASE_URL, type TestDatabase } from '../support/database.js';
import { HttpBrowser, httpRequest, type HttpResponse } from './support/http-browser.js';
import { databaseUrlFor, startServer, type ServerProcess } from './support/processes.js';
import { TcpProxy } from './support/tcp-proxy.js';

const MANUAL_CI = '9999 9999 9999 99999';
const UNAVAILABLE_TITLE = '現在、システムを利用できません';
const UNAVAILABLE_TEXT = 'ただいまシステムを一時的に利用できないため、処理を完了できませんでした。しばらく時間をおいてから、もう一度操作してください。';

/** Repeats a request until it answers 200 (at most `attempts` times), keeping every status seen. */
async function until200(request: () => Promise<HttpResponse>, seen: number[], attempts = 20): Promise<HttpResponse> {
  let last: HttpResponse | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await request();
    seen.push(last.statusCode);
    if (last.statusCode === 200) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  return last as HttpResponse;
}

describe('the database goes away and comes back: a clear 503, /readyz failing, and recovery by itself', () => {
  const applicationName = `kei-oss-reconnect-${randomBytes(3).toString('hex')}`;
  let db: TestDatabase;
  let proxy: TcpProxy;
  let server: ServerProcess;
  const browser = new HttpBrowser();

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.handle, { logger: silentLogger });
    proxy = await TcpProxy.start(process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL);
    server = await startServer({ DATABASE_URL: proxy.urlFor(databaseUrlFor(db.where, applicationName)), DB_POOL_SIZE: '3' });
    const login = await browser.login(server.url, server.url, MANUAL_CI, 'demo0101');
    expect(login.statusCode).toBe(303);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await proxy?.up();
    await db.destroy();
  });

  it('serves again by itself after its connections are killed with pg_terminate_backend, answering 200 or 503 in between, never 500', async () => {
    expect((await browser.get(server.url, '/inquiry/status')).statusCode).toBe(200);
    const killed = await sql<{ pid: number }>`select pg_terminate_backend(pid) as killed, pid from pg_stat_activity where application_name = ${applicationName}`.execute(db.handle.db);
    expect(killed.rows.length).toBeGreaterThan(0);

    const seen: number[] = [];
    for (let i = 0; i < 5; i++) seen.push((await browser.get(server.url, '/inquiry/status')).statusCode);
    const page = await until200(() => browser.get(server.url, '/inquiry/status'), seen);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('受付番号 9999 9999 9999 99999');
    expect(seen.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(server.child.alive).toBe(true);
    // New connections replaced the killed ones.
    const now = await sql<{ n: string }>`select count(*) as n from pg_stat_activity where application_name = ${applicationName}`.execute(db.handle.db);
    expect(Number(now.rows[0]?.n)).toBeGreaterThan(0);
  });

  it('while the database cannot be reached: /readyz is 503, a page is a 503 in Japanese, /healthz stays 200', async () => {
    await proxy.down();

    const ready = await httpRequest(`${server.url}/readyz`);
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(ready.body)).toEqual({ status: 'unavailable', database: 'unreachable', migrations: 'unknown', message: 'データベースに接続できません。' });

    const page = await browser.get(server.url, '/inquiry/status');
    expect(page.statusCode).toBe(503);
    expect(page.headers['retry-after']).toBe('30');
    expect(String(page.headers['content-type'])).toMatch(/^text\/html/);
    expect(titleOf(page.body)).toBe(`${UNAVAILABLE_TITLE}｜軽自動車OSS`);
    expect(textOf(page.body)).toContain(UNAVAILABLE_TEXT);
    expect(textOf(page.body)).toContain('（エラーコード：503）');
    expect(page.body).not.toMatch(/ECONNREFUSED|Error:|at .*\.js/);

    const terms = await new HttpBrowser().get(server.url, '/terms');
    expect(terms.statusCode).toBe(200); // a page that needs no database is still served

    const alive = await httpRequest(`${server.url}/healthz`);
    expect(alive.statusCode).toBe(200);
    expect(JSON.parse(alive.body)).toEqual({ status: 'ok', worker: null });
    expect(server.child.alive).toBe(true);
  });

  it('when the database is back, /readyz and the same session work again without a restart', async () => {
    await proxy.up();
    const seen: number[] = [];
    const ready = await until200(() => httpRequest(`${server.url}/readyz`), seen);
    expect(ready.statusCode).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', database: 'ok', migrations: 'current' });
    const page = await browser.get(server.url, '/inquiry/status');
    expect(page.statusCode).toBe(200);
    expect(titleOf(page.body)).toBe('申請状況確認 継続検査｜軽自動車OSS');
    expect(server.child.alive).toBe(true);
    // The failures were logged as such (503), not as crashes.
    const logs = server.child.logs();
    expect(logs.some((l) => l.msg === 'request completed' && (l.res as { statusCode?: number } | undefined)?.statusCode === 503)).toBe(true);
    expect(logs.filter((l) => l.level === 60)).toEqual([]);
  });
});
