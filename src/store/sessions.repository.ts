import { createHash } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { CompiledQuery, type Selectable } from 'kysely';
import type pg from 'pg';
import type { QueryResultRow } from 'pg';
import { STAMP_COLUMNS, STAMP_JOIN, stampOfRow, type ApplicationStamp, type StampRow } from './applications.repository.js';
import type { DatabaseHandle, Executor } from './database.js';
import type { SessionsTable } from './schema.js';

/** applicant: one application (two-step login); staff: a clerk; account: a 利用者ID, with the application opened from its list. */
export type SessionKind = 'applicant' | 'staff' | 'account';

export interface SessionRecord {
  readonly idHash: string;
  readonly kind: SessionKind;
  readonly applicationId: string | null;
  readonly staffUserId: string | null;
  /** The 利用者ID's account (kind 'account'). */
  readonly accountId: string | null;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toRecord(r: Selectable<SessionsTable>): SessionRecord {
  return {
    idHash: r.id_hash,
    kind: r.kind as SessionKind,
    applicationId: r.application_id,
    staffUserId: r.staff_user_id,
    accountId: r.account_id,
    createdAt: new Date(r.created_at),
    lastSeenAt: new Date(r.last_seen_at),
    expiresAt: new Date(r.expires_at),
  };
}

type Handle = Pick<DatabaseHandle, 'db' | 'sqlite'> & Partial<Pick<DatabaseHandle, 'pool'>>;

/** A statement read on every request that carries a session cookie: its text in each dialect, prepared once. */
interface HotRead {
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
  /** PostgreSQL: the same read for many keys in one statement (`= any($1)`); each row carries its key as `id_hash`. */
  readonly postgresMany: string;
  readonly prepared: WeakMap<SQLite.Database, SQLite.Statement>;
}
/** `sql(p)` is the statement with `p` standing for the condition on the key (`… where <key> p`). */
function hotRead(name: string, sql: (condition: string) => string): HotRead {
  return { name, sqlite: sql('= ?'), postgres: sql('= $1'), postgresMany: sql('= any($1::text[])'), prepared: new WeakMap() };
}

/**
 * Keys read in one statement at most (PostgreSQL): a statement of 256 keys is a few milliseconds of
 * PostgreSQL's time at most, and its array parameter about 17 KB.
 */
export const MAX_KEYS_A_READ = 256;

interface Waiting {
  readonly resolve: (row: QueryResultRow | undefined) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * PostgreSQL: the reads of one hot statement asked for in the same turn of the event loop, sent
 * together as ONE statement of all their keys (issue 18, round seven). Under load many requests
 * are read from their sockets in one turn; each round trip to PostgreSQL cost this process a write
 * to its socket and the wake-up of a backend (half of a status page's CPU on PostgreSQL: the
 * profile's `writev`, docs/benchmarks.md), and PostgreSQL one statement's overhead. The first read
 * of a turn schedules the send with `setImmediate`, which runs once the turn's sockets have been
 * read and their handlers have reached their reads; a key asked for twice is read once. Each read
 * is still taken after its request arrived, by a statement sent after it asked: what it returns is
 * never older than a read of its own would be (the status page's version check stands).
 */
class ReadBatch {
  private waiting = new Map<string, Waiting[]>();
  private scheduled = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly read: HotRead,
  ) {}

  get(key: string): Promise<QueryResultRow | undefined> {
    return new Promise((resolve, reject) => {
      const same = this.waiting.get(key);
      if (same) same.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.scheduled = false;
    const all = this.waiting;
    this.waiting = new Map();
    const keys = [...all.keys()];
    for (let from = 0; from < keys.length; from += MAX_KEYS_A_READ) void this.sendSome(keys.slice(from, from + MAX_KEYS_A_READ), all);
  }

  private async sendSome(keys: readonly string[], all: ReadonlyMap<string, readonly Waiting[]>): Promise<void> {
    try {
      const { rows } =
        keys.length === 1
          ? await this.pool.query<QueryResultRow & { id_hash: string }>({ name: this.read.name, text: this.read.postgres, values: [keys[0]] })
          : await this.pool.query<QueryResultRow & { id_hash: string }>({ name: `${this.read.name}_many`, text: this.read.postgresMany, values: [keys] });
      const byKey = new Map<string, QueryResultRow>(rows.map((r) => [r.id_hash, r]));
      for (const key of keys) for (const w of all.get(key)!) w.resolve(byKey.get(key));
    } catch (err) {
      for (const key of keys) for (const w of all.get(key)!) w.reject(err);
    }
  }
}

const batches = new WeakMap<pg.Pool, Map<string, ReadBatch>>();

function batchOf(pool: pg.Pool, read: HotRead): ReadBatch {
  let byRead = batches.get(pool);
  if (!byRead) {
    byRead = new Map();
    batches.set(pool, byRead);
  }
  let batch = byRead.get(read.name);
  if (!batch) {
    batch = new ReadBatch(pool, read);
    byRead.set(read.name, batch);
  }
  return batch;
}

/**
 * One row of a hot read: by a statement prepared once per SQLite connection (run at once when no
 * transaction is open on it, else while holding Kysely's connection, so never inside another
 * request's transaction) or, on PostgreSQL, by named statements on the pool (prepared once per
 * connection), the reads asked for in the same turn of the event loop sent as one (`ReadBatch`).
 * Call it outside a transaction.
 */
async function readOne<R>(handle: Handle, read: HotRead, value: string): Promise<R | undefined> {
  const sqlite = handle.sqlite;
  if (sqlite) {
    let stmt = read.prepared.get(sqlite);
    if (!stmt) {
      stmt = sqlite.prepare(read.sqlite);
      read.prepared.set(sqlite, stmt);
    }
    // No transaction open on the one connection: nothing uncommitted can be seen, and the statement
    // runs synchronously (nothing can begin meanwhile), so it needs no turn at Kysely's connection
    // (its queue was 9 % of what the status page allocates). Inside another request's transaction,
    // it waits for that transaction's end, as every query does.
    if (!sqlite.inTransaction) return stmt.get(value) as R | undefined;
    const statement = stmt;
    return handle.db.connection().execute(async () => statement.get(value) as R | undefined);
  }
  // Named statements: each pooled connection parses and plans them once, then only binds and runs them; the reads of a turn go as one (ReadBatch).
  if (handle.pool) return (await batchOf(handle.pool, read).get(value)) as R | undefined;
  return (await handle.db.executeQuery(CompiledQuery.raw(read.postgres, [value]) as CompiledQuery<R>)).rows[0];
}

const FIND = hotRead('kei_find_session', (p) => `select * from sessions where id_hash ${p}`);

/** The session of a cookie's token, looked up on every request that carries one: the same row as `sessionRepository(…).find`. */
export async function findSession(handle: Handle, token: string): Promise<SessionRecord | null> {
  const row = await readOne<Selectable<SessionsTable>>(handle, FIND, hashToken(token));
  return row ? toRecord(row) : null;
}

// The session, and the stamp of its application (none for a session without one), in one row.
const FIND_WITH_STAMP = hotRead(
  'kei_find_session_stamp',
  (p) => `select s.*, a.id as stamp_application_id, ${STAMP_COLUMNS} from sessions s left join applications a on a.id = s.application_id ${STAMP_JOIN} where s.id_hash ${p}`,
);

/**
 * The session of a cookie's token and the stamp of the application it is logged in to (status page,
 * issue 18), read in one statement: the same as `findSession` and then `applicationStamp` of its
 * application, for one statement's cost. `stamp` is null when the session has no application or
 * the application is gone.
 */
export async function findSessionWithStamp(handle: Handle, token: string): Promise<{ session: SessionRecord; stamp: ApplicationStamp | null } | null> {
  const row = await readOne<Selectable<SessionsTable> & StampRow & { stamp_application_id: string | null }>(handle, FIND_WITH_STAMP, hashToken(token));
  if (!row) return null;
  return { session: toRecord(row), stamp: row.stamp_application_id === null ? null : stampOfRow(row) };
}

/** Sessions live in the database, so that any server process can serve any request. */
export function sessionRepository(db: Executor) {
  return {
    async insert(token: string, s: Omit<SessionRecord, 'idHash' | 'accountId'> & { accountId?: string | null }): Promise<void> {
      await db
        .insertInto('sessions')
        .values({
          id_hash: hashToken(token),
          kind: s.kind,
          application_id: s.applicationId,
          staff_user_id: s.staffUserId,
          account_id: s.accountId ?? null,
          created_at: s.createdAt.toISOString(),
          last_seen_at: s.lastSeenAt.toISOString(),
          expires_at: s.expiresAt.toISOString(),
        })
        .execute();
    },

    async find(token: string): Promise<SessionRecord | null> {
      const r = await db.selectFrom('sessions').selectAll().where('id_hash', '=', hashToken(token)).executeTakeFirst();
      return r ? toRecord(r) : null;
    },

    async touch(idHash: string, at: Date): Promise<void> {
      await db.updateTable('sessions').set({ last_seen_at: at.toISOString() }).where('id_hash', '=', idHash).execute();
    },

    /** The application an account session has open (its ownership checked by the caller, in the same transaction). */
    async openApplication(idHash: string, applicationId: string | null): Promise<void> {
      await db.updateTable('sessions').set({ application_id: applicationId }).where('id_hash', '=', idHash).where('kind', '=', 'account').execute();
    },

    /** An application removed from an account's list is closed in every session of that account. */
    async closeApplicationForAccount(accountId: string, applicationId: string): Promise<void> {
      await db.updateTable('sessions').set({ application_id: null }).where('account_id', '=', accountId).where('application_id', '=', applicationId).execute();
    },

    /** Ends every session of an account (its password was reset). */
    async deleteForAccount(accountId: string): Promise<void> {
      await db.deleteFrom('sessions').where('account_id', '=', accountId).execute();
    },

    async delete(idHash: string): Promise<void> {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },

    /** Removes sessions past their absolute end or idle for longer than `idleMs`. */
    async purge(now: Date, idleMs: number): Promise<number> {
      const result = await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', new Date(now.getTime() - idleMs).toISOString())]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
