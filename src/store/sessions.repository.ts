import { createHash } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { CompiledQuery, type Selectable } from 'kysely';
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
  readonly prepared: WeakMap<SQLite.Database, SQLite.Statement>;
}
function hotRead(name: string, sql: (parameter: string) => string): HotRead {
  return { name, sqlite: sql('?'), postgres: sql('$1'), prepared: new WeakMap() };
}

/**
 * One row of a hot read: by a statement prepared once per SQLite connection (run at once when no
 * transaction is open on it, else while holding Kysely's connection, so never inside another
 * request's transaction) or a named statement on the
 * pool (PostgreSQL: prepared once per connection). Call it outside a transaction.
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
  if (handle.pool) {
    // A named statement: each pooled connection parses and plans it once, then only binds and runs it.
    return (await handle.pool.query<R & QueryResultRow>({ name: read.name, text: read.postgres, values: [value] })).rows[0];
  }
  return (await handle.db.executeQuery(CompiledQuery.raw(read.postgres, [value]) as CompiledQuery<R>)).rows[0];
}

const FIND = hotRead('kei_find_session', (p) => `select * from sessions where id_hash = ${p}`);

/** The session of a cookie's token, looked up on every request that carries one: the same row as `sessionRepository(…).find`. */
export async function findSession(handle: Handle, token: string): Promise<SessionRecord | null> {
  const row = await readOne<Selectable<SessionsTable>>(handle, FIND, hashToken(token));
  return row ? toRecord(row) : null;
}

// The session, and the stamp of its application (none for a session without one), in one row.
const FIND_WITH_STAMP = hotRead(
  'kei_find_session_stamp',
  (p) => `select s.*, a.id as stamp_application_id, ${STAMP_COLUMNS} from sessions s left join applications a on a.id = s.application_id ${STAMP_JOIN} where s.id_hash = ${p}`,
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
