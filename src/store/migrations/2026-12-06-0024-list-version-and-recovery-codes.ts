import type { Kysely } from 'kysely';

/**
 * Issue 16 (frozen in time: never edit, add a new migration).
 * - accounts.list_version: bumped in the same transaction as every change of the account's 申請一覧
 *   (an application it holds saved with a listed column changed, one added or removed). The kept
 *   first page of the list is keyed by it (docs/accounts.md).
 * - account_recovery_codes: the リカバリーコード of a 利用者ID with 二要素認証, as the SHA-256 of the
 *   account's id and the code (never the code); used_at once it has been used.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('list_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('account_recovery_codes')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addPrimaryKeyConstraint('account_recovery_codes_pk', ['account_id', 'code_hash'])
    .execute();
}
