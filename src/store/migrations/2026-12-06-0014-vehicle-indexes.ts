import type { Kysely } from 'kysely';

/**
 * Vehicle look-ups (frozen in time: never edit; add a new migration).
 * - applications_chassis_idx: open applications for the same 車台番号 (the warning at 申請を行う,
 *   the duplicate flag and the search of the work list).
 * - applications_vehicle_number_idx: a 新車's 車両番号 already held by another application (refused),
 *   and the work list's search by 車両番号.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('applications_chassis_idx').on('applications').columns(['chassis_number', 'status']).execute();
  await db.schema.createIndex('applications_vehicle_number_idx').on('applications').column('vehicle_number').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('applications_vehicle_number_idx').execute();
  await db.schema.dropIndex('applications_chassis_idx').execute();
}
