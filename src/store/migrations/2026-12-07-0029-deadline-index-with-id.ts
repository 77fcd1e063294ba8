import type { Kysely } from 'kysely';

/**
 * The deadline sweep, round seven (issue 18, decision 0018; frozen in time: never edit, add a new
 * migration).
 * - applications_deadline_idx becomes (deadline_at, id) instead of (deadline_at), still partial
 *   (`where deadline_at is not null`: only the applications whose deadline runs). The sweep's
 *   read of the due ids (`select id … order by deadline_at limit N`) is then answered from the
 *   index alone, in its order: PostgreSQL, with 100,000 of 113,324 running deadlines due among
 *   1,000,000 applications, planned a scan of another index, read 114,000 pages of the table and
 *   sorted them on disk (607 ms, and past the 5 s statement timeout on a cold cache); with this
 *   index an index-only scan of 1,070 pages (27 ms, docs/benchmarks.md round seven). SQLite reads
 *   the row of every due application for its id without it (395 MiB in round six's sweep).
 *   The reminders and the metrics read the same index by its first column, as before.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('applications_deadline_idx').ifExists().execute();
  await db.schema.createIndex('applications_deadline_idx').on('applications').columns(['deadline_at', 'id']).where('deadline_at', 'is not', null).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('applications_deadline_idx').execute();
  await db.schema.createIndex('applications_deadline_idx').on('applications').column('deadline_at').where('deadline_at', 'is not', null).execute();
}
