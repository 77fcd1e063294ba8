import type { Kysely } from 'kysely';

/**
 * 利用者ID (issue 16; frozen in time: never edit, add a new migration).
 * - accounts: one row per 利用者ID. user_id is the 利用者ID as shown (12 digits, the last a Luhn
 *   check digit), unique; kind 個人 / 法人・個人事業主 / 行政書士; the 連絡先メールアドレス and when it
 *   was confirmed (the ID works only after that); the argon2id password hash; the TOTP secret
 *   (base32) once two-factor is switched on.
 * - account_tokens: one-time links by mail (confirmation, password reset): only the SHA-256 of the
 *   token, its purpose, its expiry and when it was used.
 * - account_applications: the applications of an account (its 申請一覧), unique per account
 *   (primary key (account_id, application_id)); application_id is indexed for "who holds this
 *   application". The list's order is kept on the row, written with every change of the application
 *   (status, list_rank: 0 needs the user / 1 in progress / 2 finished, sort_deadline: the running
 *   deadline or '9999' when none, status_changed_at), with the filters' columns that never change
 *   (procedure, office_code, filed_at), so that account_applications_list_idx serves the first page
 *   of 10,000 applications and every filter but a 使用者名 without reading the applications.
 * - account_log: the account's own log (logins, additions, removals, two-factor changes), which the
 *   user reads on the account page, in order (seq, per account).
 * - sessions.account_id: the account of an account session (kind 'account'); the session's
 *   application_id is then the application opened from the list.
 * - applications_filed_idx: the list's filter by date of application.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mail_address', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('totp_secret', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('account_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('account_tokens_account_idx').on('account_tokens').columns(['account_id', 'purpose']).execute();

  await db.schema
    .createTable('account_applications')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('list_rank', 'integer', (c) => c.notNull())
    .addColumn('sort_deadline', 'text', (c) => c.notNull())
    .addColumn('status_changed_at', 'text', (c) => c.notNull())
    .addColumn('procedure', 'text', (c) => c.notNull())
    .addColumn('office_code', 'text', (c) => c.notNull())
    .addColumn('filed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_applications_pk', ['account_id', 'application_id'])
    .execute();
  await db.schema.createIndex('account_applications_application_idx').on('account_applications').column('application_id').execute();
  await db.schema
    .createIndex('account_applications_list_idx')
    .on('account_applications')
    .columns(['account_id', 'list_rank', 'sort_deadline', 'status_changed_at desc', 'application_id'])
    .execute();

  await db.schema
    .createTable('account_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('receipt_number', 'text')
    .addColumn('client_address', 'text')
    .execute();
  await db.schema.createIndex('account_log_account_idx').on('account_log').columns(['account_id', 'seq']).execute();

  await db.schema.alterTable('sessions').addColumn('account_id', 'text').execute();
  await db.schema.createIndex('sessions_account_idx').on('sessions').column('account_id').execute();
  await db.schema.createIndex('applications_filed_idx').on('applications').column('filed_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('applications_filed_idx').execute();
  await db.schema.dropIndex('sessions_account_idx').execute();
  await db.schema.alterTable('sessions').dropColumn('account_id').execute();
  await db.schema.dropTable('account_log').ifExists().execute();
  await db.schema.dropTable('account_applications').ifExists().execute();
  await db.schema.dropTable('account_tokens').ifExists().execute();
  await db.schema.dropTable('accounts').ifExists().execute();
}
