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
 * - webhook_endpoints: the account's endpoints: the URL, the signing secret (whsec_…, kept as it is:
 *   the server must sign with it), since when its deliveries fail (null while they succeed), and
 *   when and why it was disabled.
 * - webhook_deliveries: the transactional outbox of webhooks, written in the transaction of the
 *   status change: the message's id (webhook-id) and body fixed at enqueue, its state (queued |
 *   delivered | failed), attempts, the next attempt (webhook_deliveries_due_idx) and the last
 *   attempt's outcome, read on the account page.
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

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('failing_since', 'text')
    .addColumn('disabled_at', 'text')
    .addColumn('disabled_reason', 'text')
    .execute();
  await db.schema.createIndex('webhook_endpoints_account_idx').on('webhook_endpoints').column('account_id').execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'text')
    .addUniqueConstraint('webhook_deliveries_change_uq', ['endpoint_id', 'application_id', 'seq'])
    .execute();
  await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_endpoint_idx').on('webhook_deliveries').columns(['endpoint_id', 'created_at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').ifExists().execute();
  await db.schema.dropTable('webhook_endpoints').ifExists().execute();
  await db.schema.dropTable('account_api_tokens').ifExists().execute();
  await db.schema.dropIndex('status_history_feed_idx').execute();
  await db.schema.alterTable('status_history').dropColumn('feed_position').execute();
}
