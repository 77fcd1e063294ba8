import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf, titleOf } from '../../support/browser.js';

const MANUAL_CI = '9999 9999 9999 99999';

/**
 * SQLite has one writer: another process holding the write lock longer than busy_timeout (5 s)
 * makes a write fail with SQLITE_BUSY. That is a temporary state: 503 and the Japanese page.
 */
describe('SQLite: a write that waits past busy_timeout', () => {
  let t: TestApp;
  let other: SQLite.Database;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    other = new SQLite(t.db.where);
  });
  afterAll(async () => {
    other.close();
    await t.close();
  });

  it('gets the 503 page in Japanese while reads go on; once the lock is gone the same form works', async () => {
    const reader = new TestBrowser(t.app);
    await reader.login(MANUAL_CI, 'demo0101');
    const b = new TestBrowser(t.app);
    await b.get('/inquiry/login');
    await b.post('/inquiry/login', { receiptNumber: MANUAL_CI });
    await b.get('/inquiry/login/password');
    const form = b.lastPage;

    other.exec('begin immediate');
    try {
      const blocked = await b.post('/inquiry/login/password', { receiptNumber: MANUAL_CI, password: 'demo0101' });
      expect(blocked.statusCode).toBe(503);
      expect(titleOf(blocked.body)).toBe('現在、システムを利用できません｜軽自動車OSS');
      expect(textOf(blocked.body)).toContain('しばらく時間をおいてから、もう一度操作してください。');
      // WAL: a page that only reads is served while the other process writes.
      expect((await reader.get('/inquiry/status')).statusCode).toBe(200);
    } finally {
      other.exec('rollback');
    }
    b.lastPage = form;
    const login = await b.post('/inquiry/login/password', { receiptNumber: MANUAL_CI, password: 'demo0101' });
    expect(login.statusCode).toBe(303);
    expect((await b.follow(login)).statusCode).toBe(200);
  }, 30_000);
});
