import { createHash } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import type { CompiledQuery, Selectable } from 'kysely';
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

const preparedFind = new WeakMap<SQLite.Database, SQLite.Statement>();
let compiledFind: CompiledQuery<Selectable<SessionsTable>> | null = null;

/**
 * The session of a cookie's token, looked up on every request that carries one: the same row as
 * `sessionRepository(…).find`, by a statement prepared once per SQLite connection (run while holding
 * Kysely's connection, so never inside another request's transaction) or a named statement on the
 * pool (PostgreSQL: prepared once per connection). Call it outside a transaction.
 */
export async function findSession(handle: Pick<DatabaseHandle, 'db' | 'sqlite'> & Partial<Pick<DatabaseHandle, 'pool'>>, token: string): Promise<SessionRecord | null> {
  const idHash = hashToken(token);
  const sqlite = handle.sqlite;
  if (sqlite) {
    let stmt = preparedFind.get(sqlite);
    if (!stmt) {
      stmt = sqlite.prepare('select * from sessions where id_hash = ?');
      preparedFind.set(sqlite, stmt);
    }
    const statement = stmt;
    const row = await handle.db.connection().execute(async () => statement.get(idHash) as Selectable<SessionsTable> | undefined);
    return row ? toRecord(row) : null;
  }
  if (handle.pool) {
    // A named statement: each pooled connection parses and plans it once, then only binds and runs it.
    const { rows } = await handle.pool.query<Selectable<SessionsTable>>({ name: 'kei_find_session', text: 'select * from sessions where id_hash = $1', values: [idHash] });
    return rows[0] ? toRecord(rows[0]) : null;
  }
  compiledFind ??= handle.db.selectFrom('sessions').selectAll().where('id_hash', '=', '').compile();
  const { rows } = await handle.db.executeQuery<Selectable<SessionsTable>>({ ...compiledFind, parameters: [idHash] });
  return rows[0] ? toRecord(rows[0]) : null;
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
