import SQLite from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../../src/store/database.js';
import { TABLES } from './templates.js';

/**
 * Loads a generated SQLite file into PostgreSQL: the product's migrations first (same schema), then
 * each table in batches of multi-row INSERTs (`INSERT … SELECT * FROM unnest($1::text[], …)`: one
 * parameter per column, thousands of rows per statement), with the non-unique indexes built after
 * the load and the foreign-key triggers off while loading (the rows are consistent by construction).
 */

const BATCH = 5000;

export interface PostgresLoadReport {
  readonly url: string;
  readonly rows: Record<string, number>;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly bytes: number;
}

/** The URL's database name (its path), or an error naming the option. */
export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error('--postgres: the URL must name a database (postgres://user@host:5432/kei_bench)');
  return name;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The same server's URL with another database. */
function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** `f` on a client of its own, connected to the URL's database, ended afterwards. */
async function withClient<T>(url: string, f: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await f(client);
  } finally {
    await client.end();
  }
}

/** `f` connected to the server's `postgres` database (to create or drop the URL's). */
const asAdmin = <T>(url: string, f: (client: pg.Client) => Promise<T>) => withClient(withDatabase(url, 'postgres'), f);

/**
 * A fresh copy of a loaded template: `template` (a database of the URL's server) is loaded from the
 * generated file once, when it does not exist or holds no applications, then vacuumed (hint bits and
 * the visibility map set, as on a server that has run autovacuum) and kept; then the URL's database
 * is dropped and created again from it (`CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`: a file
 * copy, seconds instead of minutes of loading). Returns the load's report when it loaded.
 */
export async function copyFromTemplate(sqliteFile: string, url: string, template: string, log: (l: string) => void, prewarm = false): Promise<{ loaded: PostgresLoadReport | null; copySeconds: number }> {
  const target = databaseName(url);
  if (target === template) throw new Error('--postgres-template: the template must be another database than the one swept');
  const templateUrl = withDatabase(url, template);
  const exists = await asAdmin(url, async (c) => (await c.query('select 1 from pg_database where datname = $1', [template])).rowCount !== 0);
  const applications = exists
    ? await withClient(templateUrl, async (c) => Number((await c.query<{ n: string }>("select case when to_regclass('applications') is null then 0 else (select count(*) from applications) end as n")).rows[0]!.n)).catch(() => 0)
    : 0;
  let loaded: PostgresLoadReport | null = null;
  if (applications === 0) {
    log(`loading ${sqliteFile} into the template database ${template} (once)`);
    loaded = await loadIntoPostgres(sqliteFile, templateUrl, { replace: true, log });
    await withClient(templateUrl, async (c) => {
      const t0 = performance.now();
      await c.query('vacuum (analyze)');
      log(`template vacuumed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    });
  }
  const t0 = performance.now();
  await asAdmin(url, async (c) => {
    await c.query(`drop database if exists ${quoteIdent(target)}`);
    await c.query(`create database ${quoteIdent(target)} template ${quoteIdent(template)} strategy file_copy`);
  });
  if (prewarm) {
    // The applications read once, without the product's statement timeout (5 s): a running server has them in memory.
    await withClient(url, async (c) => {
      await c.query('set statement_timeout = 0');
      await c.query('select count(*), max(deadline_at), max(status) from applications');
    });
  }
  return { loaded, copySeconds: Math.round((performance.now() - t0) / 100) / 10 };
}

/** Creates the database of the URL if it does not exist (connecting to the server's `postgres` database). */
async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await asAdmin(url, async (client) => {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${quoteIdent(name)}`);
  });
}

export async function loadIntoPostgres(sqliteFile: string, url: string, o: { replace: boolean; log: (l: string) => void }): Promise<PostgresLoadReport> {
  const started = performance.now();
  await ensureDatabase(url);
  const handle = openDatabase({ kind: 'postgres', url }, { poolSize: 2, statementTimeoutMs: 3_600_000 });
  await migrateToLatest(handle);
  await handle.close();

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const source = new SQLite(sqliteFile, { readonly: true });
  const rows: Record<string, number> = {};
  try {
    await client.query('set statement_timeout = 0');
    await client.query('set synchronous_commit = off');
    const existing = Number((await client.query<{ n: string }>('select count(*) as n from applications')).rows[0]!.n);
    if (existing > 0) {
      if (!o.replace) throw new Error(`${url} already holds ${existing} applications: add --replace to empty the generated tables first`);
      await client.query(`truncate ${[...TABLES, 'notifications', 'sessions'].join(', ')} cascade`);
    }
    // Foreign-key triggers off for this session while loading (needs a superuser, as on a test server).
    await client.query('set session_replication_role = replica');
    const tables = [...TABLES, 'notifications'];
    const indexes = (
      await client.query<{ indexname: string; indexdef: string }>(
        `select i.indexname, i.indexdef from pg_indexes i
         where i.schemaname = current_schema() and i.tablename = any($1)
           and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
        [tables],
      )
    ).rows.filter((i) => !/create unique/i.test(i.indexdef));
    for (const i of indexes) await client.query(`drop index "${i.indexname}"`);

    for (const table of tables) {
      const columns = (
        await client.query<{ column_name: string; data_type: string }>(
          'select column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position',
          [table],
        )
      ).rows;
      const cast = (t: string) => (t === 'integer' ? 'int4' : t === 'bigint' ? 'int8' : 'text');
      const sql = `insert into ${table} (${columns.map((c) => `"${c.column_name}"`).join(', ')}) select * from unnest(${columns.map((c, i) => `$${i + 1}::${cast(c.data_type)}[]`).join(', ')})`;
      const arrays: unknown[][] = columns.map(() => []);
      let count = 0;
      const t0 = performance.now();
      const flush = async () => {
        if (arrays[0]!.length === 0) return;
        await client.query(sql, arrays);
        for (const a of arrays) a.length = 0;
      };
      await client.query('begin');
      for (const r of source.prepare(`select ${columns.map((c) => `"${c.column_name}"`).join(', ')} from ${table} order by rowid`).raw().iterate() as Iterable<unknown[]>) {
        for (let k = 0; k < r.length; k++) arrays[k]!.push(r[k]);
        count += 1;
        if (arrays[0]!.length >= BATCH) await flush();
        if (count % 500_000 === 0) o.log(`  ${table}: ${count.toLocaleString('en')} rows`);
      }
      await flush();
      await client.query('commit');
      rows[table] = count;
      o.log(`  ${table}: ${count.toLocaleString('en')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    for (const i of indexes) {
      const t0 = performance.now();
      await client.query(i.indexdef);
      o.log(`  index ${i.indexname} built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    await client.query('set session_replication_role = origin');
    await client.query('analyze');
    const bytes = Number((await client.query<{ n: string }>('select pg_database_size(current_database()) as n')).rows[0]!.n);
    const seconds = (performance.now() - started) / 1000;
    const total = Object.values(rows).reduce((a, b) => a + b, 0);
    return { url: url.replace(/\/\/[^@]*@/, '//…@'), rows, seconds: Math.round(seconds * 10) / 10, rowsPerSecond: Math.round(total / seconds), bytes };
  } finally {
    source.close();
    await client.end();
  }
}

/** The processes of the PostgreSQL server on this machine (name `postgres`), from /proc: each one's command line and CPU seconds (user + system) so far. */
function postgresProcesses(): { args: string; seconds: number }[] {
  const tick = 100; // USER_HZ on Linux
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const out: { args: string; seconds: number }[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ args: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), seconds: (Number(fields[11]) + Number(fields[12])) / tick });
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

/** CPU seconds of the server's processes: the sweep's backends (those connected to `database`), the background processes, the rest. */
export function postgresCpu(database: string): { backends: number; background: number; other: number } {
  const out = { backends: 0, background: 0, other: 0 };
  for (const { args, seconds } of postgresProcesses()) {
    if (args.includes(` ${database} `)) out.backends += seconds;
    else if (/checkpointer|background writer|walwriter|autovacuum|logical replication|stats/.test(args) || !args.startsWith('postgres:')) out.background += seconds;
    else out.other += seconds;
  }
  return out;
}

/**
 * CPU seconds so far of every process of the PostgreSQL server on this machine (backends,
 * checkpointer, WAL writer…). Whatever else uses that server is counted too: take it from an
 * otherwise idle machine.
 */
export function postgresCpuSeconds(): number {
  return postgresProcesses().reduce((sum, p) => sum + p.seconds, 0);
}

export interface PostgresStatement {
  readonly query: string;
  readonly calls: number;
  readonly ms: number;
  readonly rows: number;
  readonly hit: number;
  readonly read: number;
  readonly dirtied: number;
  readonly written: number;
  readonly walBytes: number;
  readonly walFpi: number;
  readonly walRecords: number;
}

/**
 * pg_stat_statements of the URL's database (the extension created when missing; it must be in
 * shared_preload_libraries, else null) and the server's WAL and checkpoint counters: `reset` before
 * the sweep, `read` after it.
 */
export async function postgresStatements(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('create extension if not exists pg_stat_statements');
    // The extension can be created without the library loaded; reading it then fails.
    await client.query('select 1 from pg_stat_statements limit 1');
  } catch {
    await client.end();
    return null;
  }
  const cluster = async () => {
    const w = (await client.query<Record<string, string>>('select wal_records, wal_fpi, wal_bytes, wal_buffers_full, wal_write, wal_sync from pg_stat_wal')).rows[0]!;
    const b = (await client.query<Record<string, string>>('select checkpoints_timed, checkpoints_req, buffers_checkpoint, buffers_clean, buffers_backend, buffers_backend_fsync from pg_stat_bgwriter')).rows[0]!;
    return Object.fromEntries(Object.entries({ ...w, ...b }).map(([k, v]) => [k, Number(v)]));
  };
  let before: Record<string, number> = {};
  return {
    async reset() {
      await client.query('select pg_stat_statements_reset()');
      before = await cluster();
    },
    async read(): Promise<{ statements: PostgresStatement[]; cluster: Record<string, number> }> {
      const after = await cluster();
      const { rows } = await client.query<Record<string, string>>(
        `select query, calls, total_exec_time as ms, rows, shared_blks_hit as hit, shared_blks_read as read, shared_blks_dirtied as dirtied,
                shared_blks_written as written, wal_bytes, wal_fpi, wal_records
           from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) order by total_exec_time desc`,
      );
      await client.end();
      const statements = rows.map((r) => ({
        // Parameters as $n, their lists as $…, rows of them as (…): one kind whatever the length of its lists.
        query: r
          .query!.replace(/\s+/g, ' ')
          .replace(/\$\d+/g, '$n')
          .replace(/\$n(, \$n)+/g, '$…')
          .replace(/\((\$…|\$n)\)(, \((\$…|\$n)\))+/g, '(…)'),
        calls: Number(r.calls),
        ms: Math.round(Number(r.ms)),
        rows: Number(r.rows),
        hit: Number(r.hit),
        read: Number(r.read),
        dirtied: Number(r.dirtied),
        written: Number(r.written),
        walBytes: Number(r.wal_bytes),
        walFpi: Number(r.wal_fpi),
        walRecords: Number(r.wal_records),
      }));
      // Folded again: statements that differ only by the length of their lists are one kind.
      const kinds = new Map<string, PostgresStatement>();
      for (const s of statements) {
        const k = kinds.get(s.query);
        kinds.set(s.query, k ? { query: s.query, calls: k.calls + s.calls, ms: k.ms + s.ms, rows: k.rows + s.rows, hit: k.hit + s.hit, read: k.read + s.read, dirtied: k.dirtied + s.dirtied, written: k.written + s.written, walBytes: k.walBytes + s.walBytes, walFpi: k.walFpi + s.walFpi, walRecords: k.walRecords + s.walRecords } : s);
      }
      return { statements: [...kinds.values()].sort((a, b) => b.ms - a.ms), cluster: Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)])) };
    },
  };
}
