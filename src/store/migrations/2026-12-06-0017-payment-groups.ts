import type { Kysely } from 'kysely';

/**
 * まとめ納付 across applications (issue 16; frozen in time: never edit, add a new migration).
 * - payment_groups: one 納付番号 and 確認番号 for the total of several applications' まとめ払い
 *   lines of one 収納機関 (collector_number) and one 納付区分 (stage). account_id names the 利用者ID's
 *   account that took it (indexed; no foreign key, so that this migration stands alone). status:
 *   open | paid | cancelled | expired; deadline_at: the instant its 納付期限 passes (the sweeper's index).
 * - payment_group_members: which applications, and which of their payment lines, a group holds.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('payment_number', 'text', (c) => c.notNull().unique())
    .addColumn('confirmation_number', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('collector_number', 'text', (c) => c.notNull())
    .addColumn('payee_name', 'text', (c) => c.notNull())
    .addColumn('payee_kana', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('deadline_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('paid_on', 'text')
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('payment_groups_account_idx').on('payment_groups').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('payment_groups_deadline_idx').on('payment_groups').columns(['status', 'deadline_at']).execute();

  await db.schema
    .createTable('payment_group_members')
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('receipt_number', 'text', (c) => c.notNull())
    .addColumn('line_ids', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('payment_group_members_pk', ['group_id', 'application_id'])
    .execute();
  await db.schema.createIndex('payment_group_members_application_idx').on('payment_group_members').column('application_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payment_group_members').ifExists().execute();
  await db.schema.dropTable('payment_groups').ifExists().execute();
}
