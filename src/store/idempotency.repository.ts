import { sql } from 'kysely';
import type { Executor } from './database.js';

/**
 * A stored answer. Rows are written only in the transaction of the request's own write (or, for an
 * answer that wrote nothing, in a transaction of their own), so a row always means "done".
 * `scope` is the API token's id, or `form:` and the session's id for a form token.
 */
export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
  readonly statusCode: number;
  readonly responseBody: string;
  readonly createdAt: Date;
}

/** status_code 0: a reservation left by a version before 2026-12-06 (never written now); it is no answer. */
export const LEGACY_RESERVATION = 0;

/** Idempotency-Key and form-token answers (column token_id holds the scope). */
export function idempotencyRepository(db: Executor, dialect: 'sqlite' | 'postgres') {
  return {
    async find(scope: string, key: string): Promise<IdempotencyRecord | null> {
      const r = await db.selectFrom('idempotency_keys').selectAll().where('token_id', '=', scope).where('idempotency_key', '=', key).executeTakeFirst();
      if (!r) return null;
      return { scope: r.token_id, key: r.idempotency_key, requestHash: r.request_hash, statusCode: r.status_code, responseBody: r.response_body, createdAt: new Date(r.created_at) };
    },

    /** The stored answers of several keys of one scope (a bulk filing's rows), in one query per 500 keys. */
    async findMany(scope: string, keys: readonly string[]): Promise<IdempotencyRecord[]> {
      const found: IdempotencyRecord[] = [];
      for (let i = 0; i < keys.length; i += 500) {
        const rows = await db.selectFrom('idempotency_keys').selectAll().where('token_id', '=', scope).where('idempotency_key', 'in', keys.slice(i, i + 500)).execute();
        for (const r of rows) found.push({ scope: r.token_id, key: r.idempotency_key, requestHash: r.request_hash, statusCode: r.status_code, responseBody: r.response_body, createdAt: new Date(r.created_at) });
      }
      return found;
    },

    /**
     * Inside a transaction: whether no other live transaction works on this key. PostgreSQL: a
     * transaction-scoped advisory lock (freed at commit, rollback, or when the connection dies with
     * its process). SQLite: `BEGIN IMMEDIATE` already lets one writing transaction in at a time.
     */
    async tryLock(scope: string, key: string): Promise<boolean> {
      if (dialect !== 'postgres') return true;
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${`${scope}\n${key}`}, 0)) as locked`.execute(db);
      return rows[0]?.locked === true;
    },

    /** Stores an answer; false when the key already has one (the caller's transaction must then roll back). */
    async insert(scope: string, key: string, requestHash: string, statusCode: number, responseBody: string, at: Date): Promise<boolean> {
      const result = await db
        .insertInto('idempotency_keys')
        .values({ token_id: scope, idempotency_key: key, request_hash: requestHash, status_code: statusCode, response_body: responseBody, created_at: at.toISOString() })
        .onConflict((oc) => oc.columns(['token_id', 'idempotency_key']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    /** Frees a key whose record has expired (or is a legacy reservation). */
    async release(scope: string, key: string): Promise<void> {
      await db.deleteFrom('idempotency_keys').where('token_id', '=', scope).where('idempotency_key', '=', key).execute();
    },

    /** Removes records older than `before` (uses idempotency_keys_created_idx). */
    async purge(before: Date): Promise<number> {
      const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', before.toISOString()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
