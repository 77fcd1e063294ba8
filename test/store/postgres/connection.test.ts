import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createRuntime, type Runtime } from '../../../src/server.js';
import { isDatabaseUnavailable, migrateToLatest, migrationsCurrent, openDatabase, parseDatabaseUrl, type DatabaseHandle } from '../../../src/store/database.js';
import { migrations } from '../../../src/store/migrations/index.js';
import { silentLogger } from '../../support/app.js';
import { textOf, titleOf } from '../../support/browser.js';
import { createTestDatabase, DEFAULT_TEST_DATABASE_URL, type TestDatabase } from '../../support/database.js';
import { databaseUrlFor } from '../../multiprocess/support/processes.js';

const url = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A plain client beside the app's pool, as a database administrator would connect. */
async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

async function backendsNamed(admin: pg.Client, name: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where application_name = $1', [name]);
  return Number(rows[0]?.n);
}

describe('PostgreSQL connections: pool size, statement timeout, lost connections', () => {
  let db: TestDatabase;
  let admin: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = await adminClient();
  });
  afterAll(async () => {
    await admin.end();
    await db.destroy();
  });

  it('DB_POOL_SIZE and DB_STATEMENT_TIMEOUT_MS reach the pool of the server (createRuntime from the environment)', async () => {
    const runtime: Runtime = await createRuntime(
      loadConfig({ DATABASE_URL: databaseUrlFor(db.where), DB_POOL_SIZE: '3', DB_STATEMENT_TIMEOUT_MS: '250', SWEEP_INTERVAL_SECONDS: '0', DEMO_DATA: 'off' }),
      silentLogger,
    );
    try {
      expect(runtime.database.dialect).toBe('postgres');
      expect(runtime.database.pool?.options.max).toBe(3);
      const shown = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(runtime.database.db);
      expect(shown.rows[0]?.statement_timeout).toBe('250ms');
    } finally {
      await runtime.stop();
    }
  });

  it('cancels a statement longer than the statement timeout (pg_sleep), and the error counts as "database unavailable"', async () => {
    const handle = openDatabase({ kind: 'postgres', url, schema: db.where }, { statementTimeoutMs: 200 });
    try {
      const slow = sql`select pg_sleep(2)`.execute(handle.db);
      await expect(slow).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
      const error = await sql`select pg_sleep(2)`.execute(handle.db).catch((e: unknown) => e);
      expect(isDatabaseUnavailable(error)).toBe(true);
      // A statement within the timeout runs, on the same pool.
      const quick = await sql<{ one: number }>`select 1 as one from pg_sleep(0.01)`.execute(handle.db);
      expect(quick.rows).toEqual([{ one: 1 }]);
    } finally {
      await handle.close();
    }
  });

  it('opens at most DB_POOL_SIZE connections: the next statement waits for a free one, then runs', async () => {
    const name = uniqueName('kei-pool');
    const handle = openDatabase({ kind: 'postgres', url, schema: db.where }, { poolSize: 2, applicationName: name });
    const releases: (() => void)[] = [];
    const held: Promise<void>[] = [];
    try {
      // Two transactions hold both connections until the test lets them go.
      for (let i = 0; i < 2; i++) {
        let started!: () => void;
        const isStarted = new Promise<void>((r) => (started = r));
        held.push(
          handle.db.transaction().execute(async (tx) => {
            await sql`select 1`.execute(tx);
            started();
            await new Promise<void>((r) => releases.push(r));
          }),
        );
        await isStarted;
      }
      expect(await backendsNamed(admin, name)).toBe(2);
      let third = false;
      const waiting = sql`select 3`.execute(handle.db).then(() => {
        third = true;
      });
      await new Promise((r) => setImmediate(r));
      expect(handle.pool?.waitingCount).toBe(1);
      expect(third).toBe(false);
      releases.shift()?.();
      await waiting;
      expect(third).toBe(true);
      expect(await backendsNamed(admin, name)).toBe(2);
    } finally {
      for (const r of releases) r();
      await Promise.all(held);
      await handle.close();
    }
  });

  it('survives its connection being killed between two statements of a transaction: the transaction fails, the process does not crash, the next statement runs on a new connection', async () => {
    const name = uniqueName('kei-kill');
    const handle = openDatabase({ kind: 'postgres', url, schema: db.where }, { poolSize: 2, applicationName: name });
    let client: { _queryable?: boolean } | undefined;
    handle.pool?.on('acquire', (c) => {
      client = c as never;
    });
    try {
      const failed = await handle.db
        .transaction()
        .execute(async (tx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
          await admin.query('select pg_terminate_backend($1)', [rows[0]?.pid]);
          // Until the client has read the server's goodbye: the 'error' it emits while checked out
          // (no pool listener then) would crash the process without the listener openDatabase adds.
          for (let i = 0; i < 200 && client?._queryable !== false; i++) await new Promise((r) => setTimeout(r, 10));
          await sql`select 1`.execute(tx);
        })
        .catch((e: unknown) => e);
      expect(client?._queryable).toBe(false);
      expect(isDatabaseUnavailable(failed)).toBe(true);
      const after = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
      expect(after.rows).toEqual([{ one: 1 }]);
    } finally {
      await handle.close();
    }
  });

  it('says "database unavailable" for a refused connection and a closed pool, not for a mistake in a statement', async () => {
    const refused = openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/test' });
    const e1 = await sql`select 1`.execute(refused.db).catch((e: unknown) => e);
    await refused.close();
    expect(isDatabaseUnavailable(e1)).toBe(true);
    const closed = openDatabase({ kind: 'postgres', url, schema: db.where });
    await closed.close();
    expect(isDatabaseUnavailable(await sql`select 1`.execute(closed.db).catch((e: unknown) => e))).toBe(true);

    const syntax = await sql`selec 1`.execute(db.handle.db).catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: '42601' });
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    const duplicate = await db.handle.db
      .insertInto('server_secrets')
      .values([
        { name: 'dup', value: 'a', created_at: '2026-11-26T00:00:00.000Z' },
        { name: 'dup', value: 'b', created_at: '2026-11-26T00:00:00.000Z' },
      ])
      .execute()
      .catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ code: '23505' });
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
  });

  it('ends a request blocked longer than the statement timeout with the 503 page in Japanese, then serves again', async () => {
    const runtime = await createRuntime(loadConfig({ DATABASE_URL: databaseUrlFor(db.where), DB_STATEMENT_TIMEOUT_MS: '300', SWEEP_INTERVAL_SECONDS: '0', DEMO_DATA: 'off' }), silentLogger);
    const locker = await adminClient();
    try {
      await locker.query(`set search_path = ${db.where}`);
      await locker.query('begin');
      await locker.query('lock table sessions in access exclusive mode');
      // Any request with a session cookie reads the sessions table: it waits for the lock, then is cancelled.
      const blocked = await runtime.app.inject({ method: 'GET', url: '/inquiry/status', headers: { cookie: 'kei_session=abc' } });
      expect(blocked.statusCode).toBe(503);
      expect(blocked.headers['retry-after']).toBe('30');
      expect(titleOf(blocked.body)).toBe('現在、システムを利用できません｜軽自動車OSS');
      expect(textOf(blocked.body)).toContain('しばらく時間をおいてから、もう一度操作してください。');
      await locker.query('rollback');
      const served = await runtime.app.inject({ method: 'GET', url: '/inquiry/status', headers: { cookie: 'kei_session=abc' } });
      expect(served.statusCode).toBe(401);
    } finally {
      await locker.end();
      await runtime.stop();
    }
  });
});

describe('migrations on PostgreSQL: each schema keeps its own bookkeeping', () => {
  it('migrates a new schema of a database that already holds another migrated schema, given by name or by search_path', async () => {
    const first = await createTestDatabase();
    const admin = await adminClient();
    const named = `t_named_${randomBytes(4).toString('hex')}`;
    const searched = `t_path_${randomBytes(4).toString('hex')}`;
    const handles: DatabaseHandle[] = [];
    try {
      const byName = openDatabase({ kind: 'postgres', url, schema: named });
      handles.push(byName);
      expect(await migrateToLatest(byName)).toEqual(Object.keys(migrations));
      expect(await migrationsCurrent(byName)).toBe(true);

      await admin.query(`create schema ${searched}`);
      const byPath = openDatabase(parseDatabaseUrl(databaseUrlFor(searched)));
      handles.push(byPath);
      expect(await migrationsCurrent(byPath)).toBe(false);
      expect(await migrateToLatest(byPath)).toEqual(Object.keys(migrations));
      expect(await migrationsCurrent(byPath)).toBe(true);
      expect(await migrateToLatest(byPath)).toEqual([]);

      const { rows } = await admin.query<{ table_schema: string }>(
        `select table_schema from information_schema.tables where table_name = 'kysely_migration' and table_schema in ($1, $2, $3) order by table_schema`,
        [first.where, named, searched],
      );
      expect(rows.map((r) => r.table_schema)).toEqual([first.where, named, searched].sort());
    } finally {
      for (const h of handles) await h.close();
      await admin.query(`drop schema if exists ${named} cascade`);
      await admin.query(`drop schema if exists ${searched} cascade`);
      await admin.end();
      await first.destroy();
    }
  });
});
