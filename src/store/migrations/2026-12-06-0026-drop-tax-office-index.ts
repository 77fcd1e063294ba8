import type { Kysely } from 'kysely';

/**
 * The deadline sweep, round two (issue 18; frozen in time: never edit, add a new migration).
 * - applications_tax_office_status_idx (tax_office_code, status, deadline_at) dropped: no query
 *   reads it (a tax office reaches an application by its number or id, never by a list of its
 *   office's statuses), and every move of an application rewrote its entry (status and deadline
 *   change at each move). The staff work list keeps applications_office_status_idx, the sweep,
 *   the reminders and the metrics keep the partial applications_deadline_idx. EXPLAIN QUERY PLAN
 *   of every query on deadline_at before and after: docs/benchmarks.md (round two, the sweep).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('applications_tax_office_status_idx').ifExists().execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('applications_tax_office_status_idx').on('applications').columns(['tax_office_code', 'status', 'deadline_at']).execute();
}
