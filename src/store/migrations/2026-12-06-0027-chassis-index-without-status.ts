import type { Kysely } from 'kysely';

/**
 * The deadline sweep, round three (issue 18, decision 0018; frozen in time: never edit, add a new
 * migration).
 * - applications_chassis_idx becomes (chassis_number) instead of (chassis_number, status): every
 *   move of an application changed its status and so rewrote its entry in this index, one more
 *   random page written at every expiry of the sweep. Its readers (open applications for the same
 *   車台番号 at 申請を行う, the staff work list's search by 車台番号) find the few applications of one
 *   車台番号 by the index and filter their status on the rows, as before on one index page.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('applications_chassis_idx').ifExists().execute();
  await db.schema.createIndex('applications_chassis_idx').on('applications').column('chassis_number').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('applications_chassis_idx').execute();
  await db.schema.createIndex('applications_chassis_idx').on('applications').columns(['chassis_number', 'status']).execute();
}
