import type { Kysely } from 'kysely';

/**
 * The 一括申請 API of a 利用者ID (issue 17; frozen in time once merged: never edit, add a new migration).
 * - status_history.feed_position: where a history row stands in the changes feed (decision 0011).
 *   SQLite: max + 1, taken inside the writing transaction (one writer, so commit order);
 *   PostgreSQL: the writing transaction's id (pg_current_xact_id), read back only once every older
 *   transaction has ended. Rows written before this migration stand at 0 (before every new one).
 *   status_history_feed_idx orders the feed: (feed_position, application_id, seq).
 * - account_api_tokens: personal API tokens of a 利用者ID: only the SHA-256 of the token, its name,
 *   its scopes (read, file, act: comma-separated), its expiry, when it was revoked and last used.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('status_history').addColumn('feed_position', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('status_history_feed_idx').on('status_history').columns(['feed_position', 'application_id', 'seq']).execute();

  await db.schema
    .createTable('account_api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('account_api_tokens_account_idx').on('account_api_tokens').column('account_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('account_api_tokens').ifExists().execute();
  await db.schema.dropIndex('status_history_feed_idx').execute();
  await db.schema.alterTable('status_history').dropColumn('feed_position').execute();
}
