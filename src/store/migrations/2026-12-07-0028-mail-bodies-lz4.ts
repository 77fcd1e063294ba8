import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * The deadline sweep on PostgreSQL, round seven (issue 18, decision 0018; frozen in time: never
 * edit, add a new migration).
 * - PostgreSQL 14 or later built with lz4: mail_outbox's text_body and html_body are compressed
 *   with lz4 instead of pglz. A mail row is about 3.7 KB, over PostgreSQL's 2 KB threshold, so
 *   every queued mail has its bodies compressed inline: with pglz that was about 1.7 s of
 *   PostgreSQL's CPU for the 100,000 mails of one sweep, more than half of the rows' INSERT (the same
 *   rows with lz4: about 2.6 s instead of 4.3–5.0 s, the same size on disk; docs/benchmarks.md,
 *   round seven). Rows already queued keep pglz (both are read alike).
 * - PostgreSQL 13, a server without lz4, and SQLite (which compresses nothing): no change.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  if (!(await hasLz4(db))) return;
  await sql`alter table mail_outbox alter column text_body set compression lz4, alter column html_body set compression lz4`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  if (!(await hasLz4(db))) return;
  await sql`alter table mail_outbox alter column text_body set compression default, alter column html_body set compression default`.execute(db);
}

/** PostgreSQL whose `default_toast_compression` offers lz4 (14 or later, built --with-lz4). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function hasLz4(db: Kysely<any>): Promise<boolean> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return false;
  const { rows } = await sql<{ lz4: boolean }>`select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`.execute(db);
  return rows[0]?.lz4 === true;
}
