import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/store/database.js';

/** Which database the integration tests run on: the vitest project sets KEI_TEST_DB. */
export function testDatabaseKind(): 'sqlite' | 'postgres' {
  return process.env.KEI_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
}

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly handle: DatabaseHandle;
  /** Where it lives: a file path (SQLite) or a schema name (PostgreSQL). */
  readonly where: string;
  /** Opens another handle on the same database (a second server process, say). */
  reopen(): DatabaseHandle;
  destroy(): Promise<void>;
}

/**
 * A real, empty, migrated database for one test file: a new SQLite file in a temporary folder,
 * or a new schema on the PostgreSQL server at TEST_DATABASE_URL, dropped afterwards.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testDatabaseKind() === 'postgres') {
    const url = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
    const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const location = { kind: 'postgres' as const, url, schema };
    const handle = openDatabase(location, { poolSize: 5 });
    try {
      await migrateToLatest(handle);
    } catch (e) {
      await handle.close();
      throw new Error(
        `PostgreSQL at ${url} cannot be reached (${(e as Error).message}). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start — or set TEST_DATABASE_URL.`,
        { cause: e },
      );
    }
    return {
      handle,
      where: schema,
      reopen: () => openDatabase(location, { poolSize: 5 }),
      async destroy() {
        await handle.close();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`drop schema if exists "${schema}" cascade`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'kei-oss-test-'));
  const path = join(dir, 'test.sqlite');
  const handle = openDatabase({ kind: 'sqlite', path });
  await migrateToLatest(handle);
  return {
    handle,
    where: path,
    reopen: () => openDatabase({ kind: 'sqlite', path }),
    async destroy() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
