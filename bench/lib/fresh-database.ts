import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateToLatest, openDatabase, type DatabaseHandle, type DatabaseOptions } from '../../src/store/database.js';

/**
 * An empty, migrated database for a benchmark that fills its own data: a SQLite file in a temporary
 * folder, or a schema of its own on PostgreSQL (DATABASE_URL, else the local `test` database);
 * `drop()` closes it and removes the file or the schema.
 */
export async function openFreshDatabase(kind: 'sqlite' | 'postgres', options: DatabaseOptions = {}): Promise<{ handle: DatabaseHandle; drop(): Promise<void> }> {
  if (kind === 'postgres') {
    const url = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const handle = openDatabase({ kind: 'postgres', url, schema }, options);
    await migrateToLatest(handle);
    return {
      handle,
      async drop() {
        await handle.close();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'kei-oss-bench-'));
  const handle = openDatabase({ kind: 'sqlite', path: join(dir, 'bench.sqlite') }, options);
  await migrateToLatest(handle);
  return {
    handle,
    async drop() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
