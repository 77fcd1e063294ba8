import type { Kysely } from 'kysely';

/**
 * Login throttling (frozen in time: never edit; add a new migration).
 * - login_attempts: one row per password attempt under way or failed (per receipt number or staff
 *   login id), and one per accepted login request of a client address; rows older than the longest
 *   window are purged.
 * - login_locks: one row per locked subject, with the end of its lock (locked_until).
 * Subjects are keyed hashes (HMAC), never a number, a login id or an address in clear.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_subject_idx').on('login_attempts').columns(['scope', 'subject', 'attempted_at']).execute();
  await db.schema.createIndex('login_attempts_attempted_idx').on('login_attempts').column('attempted_at').execute();

  await db.schema
    .createTable('login_locks')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_locks_pk', ['scope', 'subject'])
    .execute();
  await db.schema.createIndex('login_locks_updated_idx').on('login_locks').column('updated_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_locks').ifExists().execute();
  await db.schema.dropTable('login_attempts').ifExists().execute();
}
