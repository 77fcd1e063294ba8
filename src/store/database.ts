import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type DatabaseIntrospector, type Driver, type TableMetadata, type Transaction } from 'kysely';
import pg from 'pg';
import { migrationProvider, migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type Executor = Db | Tx;

export type DatabaseLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema?: string | undefined };

export interface DatabaseOptions {
  /** PostgreSQL pool size: connections this process opens at most (DB_POOL_SIZE, default 10). */
  poolSize?: number | undefined;
  /** PostgreSQL statement timeout in milliseconds (DB_STATEMENT_TIMEOUT_MS, default 5000): a longer statement is cancelled. */
  statementTimeoutMs?: number | undefined;
  /** How the connections show in pg_stat_activity (default `kei-oss`; an `application_name` in the URL wins). */
  applicationName?: string | undefined;
}

/** How long a new connection may take before the request fails (and gets the 503 page). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** A transaction left idle this long (a stuck process) is ended by the server, releasing its row locks. */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

export interface DatabaseHandle {
  readonly db: Db;
  readonly dialect: 'sqlite' | 'postgres';
  readonly location: DatabaseLocation;
  /** The raw better-sqlite3 handle (SQLite only): for backups and integrity checks. */
  readonly sqlite: SQLite.Database | null;
  /** The raw pg pool (PostgreSQL only). */
  readonly pool: pg.Pool | null;
  /** SQLite only: time spent waiting for the write lock at `BEGIN IMMEDIATE` (read by the metrics). */
  readonly stats?: SqliteStats | undefined;
  close(): Promise<void>;
}

export interface SqliteStats {
  beginWaitSeconds: number;
}

/**
 * `DATABASE_URL` unset: the embedded SQLite file `./data/kei-oss.sqlite`; `file:/path` or a plain
 * path: that SQLite file; `postgres://…` or `postgresql://…`: PostgreSQL.
 */
export function parseDatabaseUrl(url: string | undefined, cwd = process.cwd()): DatabaseLocation {
  const value = (url ?? '').trim();
  if (value === '') return { kind: 'sqlite', path: resolve(cwd, 'data/kei-oss.sqlite') };
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.startsWith('file:')) {
    throw new Error(`DATABASE_URL: 対応していない形式です（postgres://… または SQLite ファイルのパスを指定してください）: ${value.split(':')[0]}://…`);
  }
  const path = value.startsWith('file:') ? value.slice('file:'.length).replace(/^\/\/(?=\/)/, '') : value;
  if (path === ':memory:') return { kind: 'sqlite', path };
  return { kind: 'sqlite', path: resolve(cwd, path) };
}

/** SQLite through Kysely, with `BEGIN IMMEDIATE` so that a transaction that will write takes the lock first. */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    config: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly stats: SqliteStats,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const stats = this.stats;
    driver.beginTransaction = async (connection) => {
      // busy_timeout makes this wait while another process writes: that wait is the "busy time".
      const started = performance.now();
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      stats.beginWaitSeconds += (performance.now() - started) / 1000;
    };
    return driver;
  }
}

/** Statements kept per connection, keyed by their SQL: Kysely's SQLite driver prepares every query it runs. */
export const STATEMENT_CACHE_SIZE = 256;

/**
 * The connection as Kysely's SQLite dialect sees it, with `prepare` answered from a cache: compiling
 * the same few dozen statements at every request was about 4 % of the status page's CPU time
 * (docs/benchmarks.md). Safe because the dialect runs one query at a time on the connection and
 * never streams (a statement is never busy when it is handed out again). When the cache is full the
 * oldest statement is dropped (queries with a varying `in (…)` list have SQL of their own).
 */
export function cachedStatements(sqlite: SQLite.Database, size = STATEMENT_CACHE_SIZE): { prepare(sql: string): SQLite.Statement; close(): void; readonly cached: number } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = sqlite.prepare(text);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
        cache.set(text, statement);
      }
      return statement;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
    get cached() {
      return cache.size;
    },
  };
}

/** The page cache of a connection, KiB (the sweep sets its own for its run: withBulkWrites). */
const SQLITE_CACHE_KIB = 8192;

export function openSqlite(path: string): SQLite.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives a power cut, not only a process crash (see docs/reliability.md).
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // An 8 MiB page cache instead of better-sqlite3's 16,000 KiB (decision 0019): a page missing from
  // it is read from the kernel's file cache (a pread of a few µs, counted in no process's memory).
  // Under the status page's load (10,000 applications of 1,000,000) the reads a request stayed at 2.1
  // with half the cache, and the server's peak resident memory fell from 202 to 193 MB.
  sqlite.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  return sqlite;
}

export function openDatabase(location: DatabaseLocation, options: DatabaseOptions = {}): DatabaseHandle {
  if (location.kind === 'sqlite') {
    const sqlite = openSqlite(location.path);
    const stats: SqliteStats = { beginWaitSeconds: 0 };
    const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: cachedStatements(sqlite) }, stats) });
    return {
      db,
      dialect: 'sqlite',
      location,
      stats,
      sqlite,
      pool: null,
      close: () => db.destroy(),
    };
  }
  const pool = new pg.Pool({
    connectionString: location.url,
    max: options.poolSize ?? 10,
    // Sent at connection start, so every statement of every connection has them; see docs/deployment.md.
    statement_timeout: options.statementTimeoutMs ?? 5000,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    application_name: options.applicationName ?? 'kei-oss',
    // Also bounds the wait for a free connection when all are busy: the request fails (503) instead of queueing forever.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    // TCP keepalive finds a connection to a server that vanished (failover) without a word.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(location.schema ? { options: `-c search_path=${location.schema}` } : {}),
  });
  // A dropped connection (failover, restart, pg_terminate_backend) must never crash the process. The pool
  // listens on idle connections only; this listener also covers one checked out between two queries.
  // A broken connection is not returned to the pool: the next request opens a new one (reconnection).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const close = async () => {
    await db.destroy();
    // Kysely ends the pool only if it ever used it.
    if (!pool.ended) await pool.end();
  };
  return { db, dialect: 'postgres', location, sqlite: null, pool, close };
}

/**
 * The schema that holds Kysely's migration tables on PostgreSQL: the one given, or the first of the
 * connection's search_path. Kysely looks for its tables in every schema unless told which one, so a
 * second deployment (or a test) in another schema of the same database would see the first one's.
 */
async function migrationSchema(handle: DatabaseHandle, db: Kysely<Database> = handle.db): Promise<string | undefined> {
  if (handle.location.kind !== 'postgres') return undefined;
  if (handle.location.schema) return handle.location.schema;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('DATABASE_URL: search_path に存在するスキーマがありません（スキーマを作成してください）。');
  return schema;
}

/**
 * Kysely's Migrator finds its tables by introspecting every schema of the database: slow on a
 * database with many schemas, and failing outright when another schema is dropped meanwhile
 * (parallel test runs). On PostgreSQL it is given a view of the database whose introspection looks
 * at the migration schema only; everything else is the database itself.
 */
function forMigrator(db: Kysely<Database>, schema: string | undefined): Kysely<Database> {
  if (!schema) return db;
  const getTables = async (): Promise<TableMetadata[]> =>
    (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(db)).rows.map((r) => ({ name: r.name, schema, isView: false, columns: [] }));
  const introspection: DatabaseIntrospector = {
    getSchemas: async () => (await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db)).rows,
    getTables,
    getMetadata: async () => ({ tables: await getTables() }),
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Runs every migration not yet run. Safe from several processes at once (Kysely takes a lock).
 * On PostgreSQL the migrations run on one connection without the statement timeout: building an
 * index on a large table may take longer than any request should.
 */
export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  if (handle.location.kind === 'postgres' && handle.location.schema) {
    await handle.db.executeQuery(CompiledQuery.raw(`create schema if not exists "${handle.location.schema.replace(/"/g, '')}"`));
  }
  const run = async (db: Kysely<Database>) => {
    const schema = await migrationSchema(handle, db);
    const migrator = new Migrator({ db: forMigrator(db, schema), provider: migrationProvider, migrationTableSchema: schema, allowUnorderedMigrations: true });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  };
  if (handle.dialect !== 'postgres') return run(handle.db);
  return handle.db.connection().execute(async (db) => {
    await sql`set statement_timeout = 0`.execute(db);
    try {
      return await run(db);
    } finally {
      await sql`reset statement_timeout`.execute(db);
    }
  });
}

/** Whether every migration this code knows has run (for /readyz). Throws when the database cannot be reached. */
export async function migrationsCurrent(handle: DatabaseHandle): Promise<boolean> {
  const schema = await migrationSchema(handle);
  const migrator = new Migrator({ db: forMigrator(handle.db, schema), provider: migrationProvider, migrationTableSchema: schema, allowUnorderedMigrations: true });
  const known = await migrator.getMigrations();
  return known.length === Object.keys(migrations).length && known.every((m) => m.executedAt !== undefined);
}

/**
 * SQLSTATEs and errors that mean "the database cannot serve now; try again later", not "this request
 * is wrong": connection lost or refused, server shutting down or starting (failover), too many
 * connections, a standby that refuses writes, a statement cancelled by the timeout, a deadlock, SQLite
 * busy past its timeout. The web layer answers them with 503 and a Japanese page, never a 500.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '53300', '53400', '25006', '40001', '40P01', '55P03']);
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Cannot use a pool after calling end on the pool',
  'driver has already been destroyed',
  'Postgres connection has been discarded',
  // better-sqlite3 after close (shutdown)
  'The database connection is not open',
];

/** PostgreSQL refuses every statement after one failed inside the transaction (25P02): the transaction must end. */
export function isAbortedTransaction(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '25P02';
}

/**
 * Runs `work` inside a savepoint of the transaction `tx`: if it throws, what it wrote is undone and
 * the transaction goes on (on PostgreSQL, no longer aborted). Many use cases in one transaction,
 * each atomic (the deadline sweep).
 */
export async function withSavepoint<T>(tx: Tx, work: () => Promise<T>): Promise<T> {
  await sql`savepoint kei_one`.execute(tx);
  let result: T;
  try {
    result = await work();
  } catch (e) {
    await sql`rollback to savepoint kei_one`.execute(tx);
    await sql`release savepoint kei_one`.execute(tx);
    throw e;
  }
  await sql`release savepoint kei_one`.execute(tx);
  return result;
}

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
  }
  return false;
}

/** How `withBulkWrites` sets a SQLite connection for a long run of write transactions. */
export interface BulkWriteSettings {
  /** The connection's page cache while it runs, in MiB (a connection's own is 8 MiB: openSqlite). */
  readonly cacheMb: number;
  /** Pages the write-ahead log may hold before a checkpoint (SQLite's default is 1,000: about 4 MiB). */
  readonly checkpointPages: number;
}

/**
 * SQLite: runs `work` (many write transactions in a row: the deadline sweep) with a larger page
 * cache, so that the pages a batch changes stay in memory until its commit instead of being
 * spilled to the log and written again, and with fewer automatic checkpoints, so that a page
 * changed by several batches (the index pages all moves share) is copied into the database file
 * once, and with its temporary files in memory (`temp_store = MEMORY`): the statement journal
 * that SQLite keeps for each multi-row statement inside a transaction (the original of every page it
 * changes, so that the statement alone can be undone) would otherwise be written to a temporary
 * file, 1.5 GiB of the sweep's 5.2 (docs/benchmarks.md, round five); in memory it is the pages of one
 * statement at a time. Then checkpoints (PASSIVE: never waits for a reader) and puts the settings back.
 * PostgreSQL: runs `work` as it is. Durability is unchanged: every commit still waits for the disk
 * (synchronous=FULL).
 */
export async function withBulkWrites<T>(handle: DatabaseHandle, settings: BulkWriteSettings, work: () => Promise<T>): Promise<T> {
  const sqlite = handle.sqlite;
  if (!sqlite) return work();
  // Two runs at once on one connection (two sweeps in one process): the first in sets, the last out gives back.
  let state = bulkWriters.get(sqlite);
  if (!state) {
    state = {
      runs: 0,
      cache: sqlite.pragma('cache_size', { simple: true }) as number,
      checkpoint: sqlite.pragma('wal_autocheckpoint', { simple: true }) as number,
      tempStore: sqlite.pragma('temp_store', { simple: true }) as number,
    };
    bulkWriters.set(sqlite, state);
    sqlite.pragma(`cache_size = -${Math.round(settings.cacheMb * 1024)}`);
    sqlite.pragma(`wal_autocheckpoint = ${Math.round(settings.checkpointPages)}`);
    sqlite.pragma('temp_store = MEMORY');
  }
  state.runs += 1;
  try {
    return await work();
  } finally {
    state.runs -= 1;
    if (state.runs === 0) {
      bulkWriters.delete(sqlite);
      if (sqlite.open) {
        sqlite.pragma(`cache_size = ${state.cache}`);
        sqlite.pragma(`wal_autocheckpoint = ${state.checkpoint}`);
        sqlite.pragma(`temp_store = ${state.tempStore}`);
        try {
          // The log written since the last checkpoint, now rather than at some later request's commit.
          sqlite.pragma('wal_checkpoint(PASSIVE)');
        } catch {
          // Another use case's transaction is open on this connection: the next automatic checkpoint does it.
        }
        sqlite.pragma('shrink_memory');
      }
    }
  }
}

const bulkWriters = new WeakMap<SQLite.Database, { runs: number; cache: number; checkpoint: number; tempStore: number }>();
