import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, type Driver, type Transaction } from 'kysely';
import pg from 'pg';
import { migrationProvider, migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type Executor = Db | Tx;

export type DatabaseLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema?: string | undefined };

export interface DatabaseOptions {
  /** PostgreSQL pool size. */
  poolSize?: number | undefined;
  /** PostgreSQL statement timeout in milliseconds. */
  statementTimeoutMs?: number | undefined;
}

export interface DatabaseHandle {
  readonly db: Db;
  readonly dialect: 'sqlite' | 'postgres';
  readonly location: DatabaseLocation;
  /** The raw better-sqlite3 handle (SQLite only): for backups and integrity checks. */
  readonly sqlite: SQLite.Database | null;
  /** The raw pg pool (PostgreSQL only). */
  readonly pool: pg.Pool | null;
  close(): Promise<void>;
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
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

export function openSqlite(path: string): SQLite.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives a power cut, not only a process crash (see docs/reliability.md).
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

export function openDatabase(location: DatabaseLocation, options: DatabaseOptions = {}): DatabaseHandle {
  if (location.kind === 'sqlite') {
    const sqlite = openSqlite(location.path);
    const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
    return {
      db,
      dialect: 'sqlite',
      location,
      sqlite,
      pool: null,
      close: () => db.destroy(),
    };
  }
  const pool = new pg.Pool({
    connectionString: location.url,
    max: options.poolSize ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 5000,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    ...(location.schema ? { options: `-c search_path=${location.schema}` } : {}),
  });
  // A dropped connection (failover, restart) must not crash the process: the pool replaces it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location, sqlite: null, pool, close: () => db.destroy() };
}

export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  if (handle.location.kind === 'postgres' && handle.location.schema) {
    await handle.db.executeQuery(CompiledQuery.raw(`create schema if not exists "${handle.location.schema.replace(/"/g, '')}"`));
  }
  const migrator = new Migrator({ db: handle.db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Whether every migration this code knows has run (for /readyz). */
export async function migrationsCurrent(handle: DatabaseHandle): Promise<boolean> {
  const migrator = new Migrator({ db: handle.db, provider: migrationProvider });
  const known = await migrator.getMigrations();
  return known.length === Object.keys(migrations).length && known.every((m) => m.executedAt !== undefined);
}
