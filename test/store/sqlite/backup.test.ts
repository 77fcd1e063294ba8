import { copyFileSync, mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backupCommand, checkDbCommand } from '../../../src/cli/ops-commands.js';
import { openDatabase } from '../../../src/store/database.js';
import { applicationsDigest, backupSqlite, consistencyReport } from '../../../src/store/maintenance.js';
import { loadConfig } from '../../../src/config.js';
import { fixedClock } from '../../../src/domain/time.js';
import { createRuntime } from '../../../src/server.js';
import { TEST_NOW, silentLogger } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';
import { createSecurityApp, givenApplication, type SecurityApp } from '../../support/security.js';

/** `kei-oss backup` and `kei-oss check-db` on SQLite (PostgreSQL is backed up with pg_dump). */
describe('backup (SQLite): a consistent online copy, checked, and a restore that works', () => {
  let t: SecurityApp;
  let dir: string;
  const out: string[] = [];
  beforeAll(async () => {
    t = await createSecurityApp({ seed: true });
    dir = mkdtempSync(join(tmpdir(), 'kei-oss-backup-'));
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
    process.env.DATABASE_URL = t.db.where;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    delete process.env.DATABASE_URL;
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kei-oss backup <file> copies the live database and checks the copy: integrity ok, every application consistent', async () => {
    const file = join(dir, 'copy.sqlite');
    out.length = 0;
    expect(await backupCommand.run({}, [file])).toBe(0);
    expect(out.join('\n')).toMatch(/backup written: .*copy\.sqlite \(\d+ bytes, \d+ ms\)/);
    expect(out.join('\n')).toContain('backup: integrity_check ok; 41 applications');
    expect(out.join('\n')).toContain('backup: OK');
    const copy = openDatabase({ kind: 'sqlite', path: file });
    try {
      expect(await applicationsDigest(copy.db)).toBe(await applicationsDigest(t.db.handle.db));
    } finally {
      await copy.close();
    }
  });

  it('refuses to overwrite a file, and names what is wrong', async () => {
    const file = join(dir, 'copy.sqlite');
    out.length = 0;
    expect(await backupCommand.run({}, [file])).toBe(2);
    expect(out.join('\n')).toContain('exists already');
  });

  it('a copy taken between writes holds exactly the writes acknowledged before it', async () => {
    const before = await givenApplication(t.services, { to: 'awaitingAcceptance', chassis: 'BKUP-0000001' });
    const file = join(dir, 'between.sqlite');
    backupSqlite(t.db.handle, file);
    const after = await givenApplication(t.services, { to: 'awaitingAcceptance', chassis: 'BKUP-0000002' });
    const copy = openDatabase({ kind: 'sqlite', path: file });
    try {
      const ids = (await copy.db.selectFrom('applications').select('id').execute()).map((r) => r.id);
      expect(ids).toContain(before.id);
      expect(ids).not.toContain(after.id);
      expect((await consistencyReport(copy)).problems).toEqual([]);
    } finally {
      await copy.close();
    }
  });

  it('on PostgreSQL, says to use pg_dump (exit 2) without touching the database', async () => {
    const original = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/none';
    out.length = 0;
    try {
      expect(await backupCommand.run({}, [join(dir, 'pg.dump')])).toBe(2);
    } finally {
      process.env.DATABASE_URL = original;
    }
    expect(out.join('\n')).toContain('pg_dump --format=custom');
    expect(out.join('\n')).toContain('pg_restore');
  });

  it('kei-oss check-db finds a damaged file', async () => {
    const damaged = join(dir, 'damaged.sqlite');
    copyFileSync(join(dir, 'copy.sqlite'), damaged);
    // Overwrite the middle of the file (index and table pages) with garbage.
    const size = statSync(damaged).size;
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    out.length = 0;
    let code: number;
    try {
      code = await checkDbCommand.run({}, [damaged]);
    } catch {
      code = 1; // SQLite may refuse to read the damaged page at all: that is a failed check too.
    }
    expect(code).toBe(1);
    expect(await checkDbCommand.run({}, [join(dir, 'no-such-file.sqlite')])).toBe(2);
  });

  it('restores as the README says: the copy put in place of the database serves the same applications and logins', async () => {
    const restored = join(dir, 'restored.sqlite');
    copyFileSync(join(dir, 'copy.sqlite'), restored);
    out.length = 0;
    expect(await checkDbCommand.run({}, [restored])).toBe(0);
    // The server started on the restored file: the manual's demo login works and shows its application.
    const config = { ...loadConfig({ DEMO_DATA: 'off', SWEEP_INTERVAL_SECONDS: '0', LOG_LEVEL: 'silent' }), database: { kind: 'sqlite' as const, path: restored } };
    const runtime = await createRuntime(config, silentLogger, fixedClock(TEST_NOW));
    try {
      await runtime.app.ready();
      const page = await new TestBrowser(runtime.app).login('9999 9999 9999 99999', 'demo0101');
      expect(page.statusCode).toBe(200);
      expect(textOf(page.body)).toContain('受付番号 9999 9999 9999 99999');
    } finally {
      await runtime.stop();
    }
  });
});
