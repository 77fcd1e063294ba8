import { sql, type Kysely } from 'kysely';

/**
 * Passwords of bulk-filed rows hashed after the answer (issue 17, decision 0017; frozen in time: never
 * edit, add a new migration).
 * - applications.password_pending: the 申請用パスワード encrypted (AES-256-GCM, key from
 *   PENDING_PASSWORD_KEY, never in the database) until the background hasher writes its hash; null
 *   once hashed (and for every application filed otherwise). password_hash is '' meanwhile.
 * - applications.password_claimed_until: a hasher's claim on the row (so two processes do not hash
 *   it twice); a claim past its time is taken again (a hasher that died).
 * - applications_password_pending_idx: the hasher's look-up and the metric's count, over the few
 *   pending rows only (partial index).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('applications').addColumn('password_pending', 'text').execute();
  await db.schema.alterTable('applications').addColumn('password_claimed_until', 'text').execute();
  await db.schema
    .createIndex('applications_password_pending_idx')
    .on('applications')
    .column('password_claimed_until')
    .where(sql.ref('password_pending'), 'is not', null)
    .execute();
}
