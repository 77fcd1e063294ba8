import type { ApiRole, ApiTokenRecord } from '../domain/agency.js';
import type { Executor } from './database.js';

type Row = { id: string; token_hash: string; name: string; role: string; office_code: string | null; created_at: string; revoked_at: string | null };

const fromRow = (r: Row): ApiTokenRecord => ({
  id: r.id,
  name: r.name,
  role: r.role as ApiRole,
  officeCode: r.office_code,
  createdAt: new Date(r.created_at),
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
});

/** API tokens: only the SHA-256 of a token is stored; the token itself is shown once. */
export function apiTokenRepository(db: Executor) {
  return {
    async insert(record: ApiTokenRecord, tokenHash: string): Promise<void> {
      await db
        .insertInto('api_tokens')
        .values({
          id: record.id,
          token_hash: tokenHash,
          name: record.name,
          role: record.role,
          office_code: record.officeCode,
          created_at: record.createdAt.toISOString(),
          revoked_at: record.revokedAt ? record.revokedAt.toISOString() : null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },

    async findByHash(tokenHash: string): Promise<ApiTokenRecord | null> {
      const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? fromRow(row) : null;
    },

    async findById(id: string): Promise<ApiTokenRecord | null> {
      const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : null;
    },

    async list(): Promise<ApiTokenRecord[]> {
      const rows = await db.selectFrom('api_tokens').selectAll().orderBy('created_at').execute();
      return rows.map(fromRow);
    },

    async revoke(id: string, at: Date): Promise<boolean> {
      const result = await db.updateTable('api_tokens').set({ revoked_at: at.toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
