import type { Executor } from './database.js';

/** A stored result: status_code 0 marks a request still being processed (a reservation). */
export interface IdempotencyRecord {
  readonly tokenId: string;
  readonly key: string;
  readonly requestHash: string;
  readonly statusCode: number;
  readonly responseBody: string;
  readonly createdAt: Date;
}

export const IN_PROGRESS = 0;

/** Idempotency-Key results, per API token. */
export function idempotencyRepository(db: Executor) {
  return {
    async find(tokenId: string, key: string): Promise<IdempotencyRecord | null> {
      const r = await db.selectFrom('idempotency_keys').selectAll().where('token_id', '=', tokenId).where('idempotency_key', '=', key).executeTakeFirst();
      if (!r) return null;
      return { tokenId: r.token_id, key: r.idempotency_key, requestHash: r.request_hash, statusCode: r.status_code, responseBody: r.response_body, createdAt: new Date(r.created_at) };
    },

    /** Takes the key for this request; false when another request holds it already. */
    async reserve(tokenId: string, key: string, requestHash: string, at: Date): Promise<boolean> {
      const result = await db
        .insertInto('idempotency_keys')
        .values({ token_id: tokenId, idempotency_key: key, request_hash: requestHash, status_code: IN_PROGRESS, response_body: '', created_at: at.toISOString() })
        .onConflict((oc) => oc.columns(['token_id', 'idempotency_key']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async complete(tokenId: string, key: string, statusCode: number, responseBody: string): Promise<void> {
      await db
        .updateTable('idempotency_keys')
        .set({ status_code: statusCode, response_body: responseBody })
        .where('token_id', '=', tokenId)
        .where('idempotency_key', '=', key)
        .execute();
    },

    /** Frees a key (the request failed without a result worth repeating, or the record expired). */
    async release(tokenId: string, key: string, createdBefore?: Date): Promise<void> {
      let q = db.deleteFrom('idempotency_keys').where('token_id', '=', tokenId).where('idempotency_key', '=', key);
      if (createdBefore) q = q.where('created_at', '<', createdBefore.toISOString());
      await q.execute();
    },

    /** Removes records older than `before` (uses idempotency_keys_created_idx). */
    async purge(before: Date): Promise<number> {
      const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', before.toISOString()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
