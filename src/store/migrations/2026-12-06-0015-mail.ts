import type { Kysely } from 'kysely';

/**
 * Mail to applicants from a durable outbox (issue 15; frozen in time: never edit, add a new migration).
 * - contact_addresses: one 連絡先メールアドレス per application: the address, when it was confirmed
 *   (null until the link in the confirmation mail is opened), the SHA-256 of the confirmation token
 *   and its expiry, when the applicant unsubscribed (null while mail is wanted).
 * - mail_outbox: every message to send, written in the transaction of the change that causes it.
 *   dedupe_key is unique (a second enqueue of the same mail is a no-op); message_id is fixed at
 *   enqueue, so a retry after an unknown outcome carries the same Message-ID. state: queued | sent |
 *   failed; next_attempt_at orders the due ones (mail_outbox_due_idx). account_id is for mails to a
 *   利用者ID (issue 16), application_id for mails about an application.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('contact_addresses')
    .addColumn('application_id', 'text', (c) => c.primaryKey())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('token_hash', 'text')
    .addColumn('token_expires_at', 'text')
    .addColumn('unsubscribed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_addresses_token_idx').on('contact_addresses').column('token_hash').execute();

  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text')
    .addColumn('account_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('mail_outbox_due_idx').on('mail_outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('mail_outbox_application_idx').on('mail_outbox').columns(['application_id', 'seq']).execute();
  await db.schema.createIndex('mail_outbox_account_idx').on('mail_outbox').columns(['account_id', 'seq']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_outbox').ifExists().execute();
  await db.schema.dropTable('contact_addresses').ifExists().execute();
}
