import type { Kysely } from 'kysely';

/**
 * The audit trail (issue 19; frozen in time: never edit, add a new migration).
 * - audit_log: append-only, one row per action a person or a token took: who (actor_kind, actor_id,
 *   actor_label: a staff user, an API token's name, the applicant of an application, the command
 *   line), from where (client_address as the trusted proxy reports it), when (occurred_at, UTC ISO
 *   text) and which application (application_id, receipt_number). Never a password, token or session id.
 * - staff_users.role: clerk (the existing users), viewer (閲覧のみ) or supervisor (監督者).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('client_address', 'text')
    .addColumn('application_id', 'text')
    .addColumn('receipt_number', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_log_occurred_idx').on('audit_log').columns(['occurred_at', 'id']).execute();
  await db.schema.createIndex('audit_log_application_idx').on('audit_log').columns(['application_id', 'occurred_at']).execute();

  await db.schema.alterTable('staff_users').addColumn('role', 'text', (c) => c.notNull().defaultTo('clerk')).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('staff_users').dropColumn('role').execute();
  await db.schema.dropTable('audit_log').ifExists().execute();
}
