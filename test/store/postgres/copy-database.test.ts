import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/demo/seed.js';
import { applicationRepository } from '../../../src/store/applications.repository.js';
import { CopyRefused, copySqliteToPostgres } from '../../../src/store/copy-database.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/store/database.js';
import { historyRepository } from '../../../src/store/history.repository.js';
import { TEST_NOW, silentLogger } from '../../support/app.js';
import { DEFAULT_TEST_DATABASE_URL } from '../../support/database.js';

const url = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;

describe('kei-oss copy-database: from the embedded SQLite file to PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kei-oss-copy-'));
  const schema = `t_copy_${randomBytes(4).toString('hex')}`;
  let sqlite: DatabaseHandle;
  let postgres: DatabaseHandle;

  beforeAll(async () => {
    sqlite = openDatabase({ kind: 'sqlite', path: join(dir, 'kei-oss.sqlite') });
    await migrateToLatest(sqlite);
    await seedDemo(sqlite, { logger: silentLogger, now: TEST_NOW });
    postgres = openDatabase({ kind: 'postgres', url, schema });
  }, 60_000);

  afterAll(async () => {
    await sqlite.close();
    await postgres.close();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies every row of every table, and each application reads back the same on both databases', async () => {
    const progress: string[] = [];
    const result = await copySqliteToPostgres(sqlite, postgres, (p) => progress.push(p.table));
    const tables = result.tables.map((t) => t.table);
    // Parents before children.
    expect(tables.indexOf('applications')).toBeLessThan(tables.indexOf('status_history'));
    expect(tables.indexOf('applications')).toBeLessThan(tables.indexOf('payment_lines'));
    for (const { table, rows } of result.tables) {
      const count = await (postgres.db).selectFrom(table as 'applications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect([table, Number(count.n)]).toEqual([table, rows]);
      const source = sqlite.sqlite!.prepare(`select count(*) as n from "${table}"`).get() as { n: number };
      expect([table, rows]).toEqual([table, source.n]);
    }
    expect(result.tables.find((t) => t.table === 'applications')?.rows).toBe(41);

    const ids = (await sqlite.db.selectFrom('applications').select('id').execute()).map((r) => r.id);
    for (const id of ids) {
      expect(await applicationRepository(postgres.db, 'postgres').load(id)).toEqual(await applicationRepository(sqlite.db, 'sqlite').load(id));
      expect(await historyRepository(postgres.db, 'postgres').list(id)).toEqual(await historyRepository(sqlite.db, 'sqlite').list(id));
    }
  });

  it('refuses a target that already holds data, and changes nothing there', async () => {
    await expect(copySqliteToPostgres(sqlite, postgres)).rejects.toThrow(CopyRefused);
    await expect(copySqliteToPostgres(sqlite, postgres)).rejects.toThrow(/^コピー先のテーブル [a-z_]+ にデータがあります。空のデータベース（またはスキーマ）を指定してください。$/);
    const count = await postgres.db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(41);
  });
});
