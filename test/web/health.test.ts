import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/store/migrations/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { TestBrowser, textOf, titleOf } from '../support/browser.js';

describe('/healthz and /readyz (for load balancers)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it('/healthz: the process is alive, 200 JSON, never cached', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ status: 'ok', worker: null });
  });

  it('/readyz: the database answers and every migration has run, 200 JSON', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ status: 'ready', database: 'ok', migrations: 'current' });
  });

  it('refuses a query string it does not know (schema at the door)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/readyz?verbose=1' })).statusCode).toBe(400);
  });
});

describe('/readyz while a migration is missing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    // As if new code started on a database the deploy step has not migrated yet: the last
    // migration this code knows is not recorded as run.
    const last = Object.keys(migrations).at(-1)!;
    const db = t.db.handle.db as unknown as Kysely<{ kysely_migration: { name: string } }>;
    const removed = await db.deleteFrom('kysely_migration').where('name', '=', last).executeTakeFirst();
    if (Number(removed.numDeletedRows) !== 1) throw new Error(`migration ${last} was not recorded`);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is 503 with the reason, and /healthz stays 200', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('10');
    expect(res.json()).toEqual({ status: 'unavailable', database: 'ok', migrations: 'pending', message: 'データベースの更新（マイグレーション）が完了していません。' });
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('when the database is closed under the server (shutdown, lost file or pool)', () => {
  let t: TestApp;
  let browser: TestBrowser;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    browser = new TestBrowser(t.app);
    await browser.login('9999 9999 9999 99999', 'demo0101');
    await t.db.handle.close();
  });
  afterAll(async () => {
    await t.app.close();
    await t.db.destroy().catch(() => undefined);
  });

  it('a page that needs the database is a 503 in Japanese with Retry-After, never a 500 or a stack trace', async () => {
    const res = await browser.get('/inquiry/status');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('30');
    expect(titleOf(res.body)).toBe('現在、システムを利用できません｜軽自動車OSS');
    expect(textOf(res.body)).toContain(
      'ただいまシステムを一時的に利用できないため、処理を完了できませんでした。しばらく時間をおいてから、もう一度操作してください。操作の途中だった場合は、申請状況を確認してから操作をやり直してください。',
    );
    expect(textOf(res.body)).toContain('（エラーコード：503）');
    expect(res.body).not.toMatch(/Error:|\.ts:\d+|SQLITE|Cannot use a pool|connection is not open|node_modules/);
  });

  it('/readyz is 503 (database unreachable), /healthz is 200', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', database: 'unreachable', migrations: 'unknown', message: 'データベースに接続できません。' });
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok', worker: null });
  });

  it('an API client gets the same as JSON', async () => {
    // The session cookie makes even an unknown /api/ path read the database first.
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-thing', headers: { cookie: 'kei_session=abc' } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'databaseUnavailable' } });
  });
});
