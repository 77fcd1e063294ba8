import type { Kysely } from 'kysely';

/** Frozen in time: never edit a migration that has shipped; add a new one. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('procedure', 'text', (c) => c.notNull())
    .addColumn('arrival_number', 'text', (c) => c.notNull().unique())
    .addColumn('receipt_number', 'text', (c) => c.unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_changed_at', 'text', (c) => c.notNull())
    .addColumn('filed_at', 'text', (c) => c.notNull())
    .addColumn('office_code', 'text', (c) => c.notNull())
    .addColumn('tax_office_code', 'text', (c) => c.notNull())
    .addColumn('applicant_name', 'text', (c) => c.notNull())
    .addColumn('applicant_address', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('user_name_high', 'text')
    .addColumn('user_address', 'text', (c) => c.notNull())
    .addColumn('owner_same_as_user', 'integer', (c) => c.notNull())
    .addColumn('owner_name', 'text')
    .addColumn('owner_name_high', 'text')
    .addColumn('owner_address', 'text')
    .addColumn('vehicle_number', 'text')
    .addColumn('chassis_number', 'text', (c) => c.notNull())
    .addColumn('vehicle_model', 'text', (c) => c.notNull())
    .addColumn('weight_tax_band', 'text', (c) => c.notNull())
    .addColumn('acquisition_price', 'integer')
    .addColumn('environmental_tax_rate', 'integer')
    .addColumn('agent_commission_number', 'text')
    .addColumn('agent_name', 'text')
    .addColumn('agent_usable', 'integer')
    .addColumn('partial_document_examination', 'text')
    .addColumn('examination_completed_on', 'text')
    .addColumn('correction_deadline', 'text')
    .addColumn('deadline_at', 'text')
    .addColumn('collection_code_serial', 'integer', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The staff work list: one office's applications by status, soonest deadline first.
  await db.schema.createIndex('applications_office_status_idx').on('applications').columns(['office_code', 'status', 'deadline_at']).execute();
  await db.schema.createIndex('applications_tax_office_status_idx').on('applications').columns(['tax_office_code', 'status', 'deadline_at']).execute();
  // The deadline sweeper: only applications with a running deadline are in this index.
  await db.schema.createIndex('applications_deadline_idx').on('applications').column('deadline_at').where('deadline_at', 'is not', null).execute();

  await db.schema
    .createTable('attachments')
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('attachments_pk', ['application_id', 'kind'])
    .execute();

  await db.schema
    .createTable('payment_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('fee_kind', 'text', (c) => c.notNull())
    .addColumn('fee_class', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('payee_name', 'text', (c) => c.notNull())
    .addColumn('payee_kana', 'text', (c) => c.notNull())
    .addColumn('collector_number', 'text', (c) => c.notNull())
    .addColumn('payment_number', 'text')
    .addColumn('confirmation_number', 'text')
    .addColumn('payment_category', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('paid_on', 'text')
    .addColumn('due_on', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payment_lines_application_idx').on('payment_lines').columns(['application_id', 'position']).execute();
  await db.schema.createIndex('payment_lines_payment_number_idx').on('payment_lines').column('payment_number').execute();

  await db.schema
    .createTable('notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('agency_name', 'text', (c) => c.notNull())
    .addColumn('deadline', 'text')
    .addColumn('reason_title', 'text', (c) => c.notNull())
    .addColumn('reason_detail', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .execute();
  await db.schema.createIndex('notices_application_idx').on('notices').columns(['application_id', 'issued_at']).execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.references('applications.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_application_idx').on('notifications').columns(['application_id', 'published_at']).execute();

  await db.schema
    .createTable('status_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('status_history_seq_uq', ['application_id', 'seq'])
    .execute();

  await db.schema
    .createTable('staff_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('login_id', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('office_code', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.references('applications.id').onDelete('cascade'))
    .addColumn('staff_user_id', 'text', (c) => c.references('staff_users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('office_code', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response_body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['token_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').column('created_at').execute();

  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['server_secrets', 'idempotency_keys', 'api_tokens', 'sessions', 'staff_users', 'status_history', 'notifications', 'notices', 'payment_lines', 'attachments', 'applications']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
