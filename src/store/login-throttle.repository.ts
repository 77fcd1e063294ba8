import { sql } from 'kysely';
import type { Executor } from './database.js';

/** The tables of migration 0002 (kept here rather than in schema.ts: only this repository reads them). */
export type LoginAttemptsTable = {
  id: string;
  /** What is counted: `applicant` / `staff` (password attempts per subject) or `address:<step>`. */
  scope: string;
  /** A keyed hash of the receipt number, login id or client address. */
  subject: string;
  attempted_at: string;
  /** `pending` (password being verified), `failed`, or `hit` (an accepted request of an address). */
  outcome: string;
};

export type LoginLocksTable = {
  scope: string;
  subject: string;
  locked_until: string | null;
  updated_at: string;
};

export type AttemptOutcome = 'pending' | 'failed' | 'hit';

type ThrottleTables = {
  login_attempts: LoginAttemptsTable;
  login_locks: LoginLocksTable;
};

/**
 * Counters and locks of the login throttle. Call inside a transaction, `serialize` first, so that
 * the counting and the writing that follow are not interleaved with another process's. A refused
 * attempt reads only: under attack, the database is not written once per request.
 */
export function loginThrottleRepository(executor: Executor, dialect: 'sqlite' | 'postgres') {
  const db = executor.withTables<ThrottleTables>();
  return {
    /**
     * Serialises the checks of one subject until the transaction ends: PostgreSQL takes a
     * transaction-scoped advisory lock on it; SQLite's `BEGIN IMMEDIATE` already holds the
     * database's write lock. Writes nothing.
     */
    async serialize(scope: string, subject: string): Promise<void> {
      if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${`${scope}:${subject}`}, 0))`.execute(db);
    },

    /** The end of the subject's lock, or null when it was never locked. */
    async lockedUntil(scope: string, subject: string): Promise<Date | null> {
      const row = await db.selectFrom('login_locks').select('locked_until').where('scope', '=', scope).where('subject', '=', subject).executeTakeFirst();
      return row?.locked_until ? new Date(row.locked_until) : null;
    },

    async setLock(scope: string, subject: string, until: Date, now: Date): Promise<void> {
      await db
        .insertInto('login_locks')
        .values({ scope, subject, locked_until: until.toISOString(), updated_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['scope', 'subject']).doUpdateSet({ locked_until: until.toISOString(), updated_at: now.toISOString() }))
        .execute();
    },

    /** Attempts of a subject strictly after `since` (every outcome). */
    async countSince(scope: string, subject: string, since: Date): Promise<number> {
      const row = await db
        .selectFrom('login_attempts')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('scope', '=', scope)
        .where('subject', '=', subject)
        .where('attempted_at', '>', since.toISOString())
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The earliest attempt after `since`: when it leaves the window, a place frees up. */
    async oldestSince(scope: string, subject: string, since: Date): Promise<Date | null> {
      const row = await db
        .selectFrom('login_attempts')
        .select((eb) => eb.fn.min('attempted_at').as('oldest'))
        .where('scope', '=', scope)
        .where('subject', '=', subject)
        .where('attempted_at', '>', since.toISOString())
        .executeTakeFirst();
      return row?.oldest ? new Date(row.oldest) : null;
    },

    async record(id: string, scope: string, subject: string, at: Date, outcome: AttemptOutcome): Promise<void> {
      await db.insertInto('login_attempts').values({ id, scope, subject, attempted_at: at.toISOString(), outcome }).execute();
    },

    async setOutcome(id: string, outcome: AttemptOutcome): Promise<void> {
      await db.updateTable('login_attempts').set({ outcome }).where('id', '=', id).execute();
    },

    /** A correct password clears the subject's count. */
    async clear(scope: string, subject: string): Promise<void> {
      await db.deleteFrom('login_attempts').where('scope', '=', scope).where('subject', '=', subject).execute();
    },

    /** Removes attempts older than `before`, and locks that have ended. */
    async purge(now: Date, before: Date): Promise<number> {
      const attempts = await db.deleteFrom('login_attempts').where('attempted_at', '<=', before.toISOString()).executeTakeFirst();
      const locks = await db
        .deleteFrom('login_locks')
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now.toISOString())]))
        .executeTakeFirst();
      return Number(attempts.numDeletedRows) + Number(locks.numDeletedRows);
    },
  };
}
