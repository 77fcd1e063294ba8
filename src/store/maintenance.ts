import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { procedures, type ProcedureCode } from '../domain/procedures.js';
import { statuses } from '../domain/statuses.js';
import type { DatabaseHandle, Executor } from './database.js';

/**
 * Operations on a whole database: backups, integrity and consistency checks, and a digest of
 * every application (used by the crash test, the backup command and the fuzzer's "nothing
 * changed" check).
 */

export interface ConsistencyReport {
  /** `PRAGMA integrity_check` (SQLite; PostgreSQL checks its own pages: always ok). */
  readonly integrity: string;
  readonly applications: number;
  readonly historyEntries: number;
  /** Each a sentence naming the application and what is wrong; empty when all is well. */
  readonly problems: readonly string[];
}

/** SQLite: `PRAGMA integrity_check` and `PRAGMA foreign_key_check`. */
export function sqliteIntegrity(handle: DatabaseHandle): { integrity: string; foreignKeyViolations: number } {
  if (!handle.sqlite) return { integrity: 'ok', foreignKeyViolations: 0 };
  const rows = handle.sqlite.pragma('integrity_check') as { integrity_check: string }[];
  const integrity = rows.map((r) => r.integrity_check).join('; ');
  const fk = handle.sqlite.pragma('foreign_key_check') as unknown[];
  return { integrity, foreignKeyViolations: fk.length };
}

/**
 * What must hold of every application whatever happened to the process: its version equals the
 * length of its history (one entry per write, seq 1..version without a gap), the last entry led to
 * its current status, its status is known, and it has exactly its procedure's attachments.
 */
export async function consistencyReport(handle: DatabaseHandle): Promise<ConsistencyReport> {
  const db = handle.db;
  const { integrity, foreignKeyViolations } = sqliteIntegrity(handle);
  const problems: string[] = [];
  if (foreignKeyViolations > 0) problems.push(`foreign_key_check: ${foreignKeyViolations} violation(s)`);

  const apps = await db.selectFrom('applications').select(['id', 'procedure', 'status', 'version']).orderBy('id').execute();
  const history = await db
    .selectFrom('status_history')
    .select((eb) => ['application_id', eb.fn.countAll().as('n'), eb.fn.min('seq').as('first'), eb.fn.max('seq').as('last')])
    .groupBy('application_id')
    .execute();
  const lastEntries = await db
    .selectFrom('status_history as h')
    .innerJoin('applications as a', (j) => j.onRef('a.id', '=', 'h.application_id').onRef('a.version', '=', 'h.seq'))
    .select(['h.application_id', 'h.to_status'])
    .execute();
  const attachments = await db.selectFrom('attachments').select(['application_id', 'kind']).execute();
  const paymentPositions = await db
    .selectFrom('payment_lines')
    .select((eb) => ['application_id', eb.fn.countAll().as('n'), eb.fn.count('position').distinct().as('positions')])
    .groupBy('application_id')
    .execute();

  const historyOf = new Map(history.map((h) => [h.application_id, { n: Number(h.n), first: Number(h.first), last: Number(h.last) }]));
  const lastStatusOf = new Map(lastEntries.map((e) => [e.application_id, e.to_status]));
  const kindsOf = new Map<string, string[]>();
  for (const a of attachments) kindsOf.set(a.application_id, [...(kindsOf.get(a.application_id) ?? []), a.kind]);
  let historyEntries = 0;
  for (const h of historyOf.values()) historyEntries += h.n;

  for (const app of apps) {
    const h = historyOf.get(app.id) ?? { n: 0, first: 0, last: 0 };
    if (h.n !== app.version || h.first !== 1 || h.last !== app.version) {
      problems.push(`${app.id}: version ${app.version} but ${h.n} history entries (seq ${h.first}..${h.last})`);
    }
    const last = lastStatusOf.get(app.id);
    if (last !== app.status) problems.push(`${app.id}: status ${app.status} but the last history entry leads to ${last ?? '(none)'}`);
    if (!Object.hasOwn(statuses, app.status)) problems.push(`${app.id}: unknown status ${app.status}`);
    const expected = Object.hasOwn(procedures, app.procedure) ? [...procedures[app.procedure as ProcedureCode].attachments].sort() : null;
    const actual = [...(kindsOf.get(app.id) ?? [])].sort();
    if (!expected) problems.push(`${app.id}: unknown procedure ${app.procedure}`);
    else if (JSON.stringify(expected) !== JSON.stringify(actual)) problems.push(`${app.id}: attachments ${actual.join(',')} instead of ${expected.join(',')}`);
  }
  for (const p of paymentPositions) {
    if (Number(p.n) !== Number(p.positions)) problems.push(`${p.application_id}: payment lines share a position`);
  }
  const orphanHistory = [...historyOf.keys()].filter((id) => !apps.some((a) => a.id === id));
  if (orphanHistory.length > 0) problems.push(`history of ${orphanHistory.length} missing application(s)`);
  return { integrity, applications: apps.length, historyEntries, problems };
}

/** A SHA-256 over every application row and its parts and history, in a stable order. */
export async function applicationsDigest(db: Executor): Promise<string> {
  const hash = createHash('sha256');
  const feed = (label: string, rows: unknown[]) => {
    hash.update(label);
    for (const r of rows) hash.update(JSON.stringify(r));
  };
  feed('applications', await db.selectFrom('applications').selectAll().orderBy('id').execute());
  feed('attachments', await db.selectFrom('attachments').selectAll().orderBy('application_id').orderBy('kind').execute());
  feed('payment_lines', await db.selectFrom('payment_lines').selectAll().orderBy('id').execute());
  feed('notices', await db.selectFrom('notices').selectAll().orderBy('id').execute());
  feed('status_history', await db.selectFrom('status_history').selectAll().orderBy('application_id').orderBy('seq').execute());
  feed('notifications', await db.selectFrom('notifications').selectAll().orderBy('id').execute());
  return hash.digest('hex');
}

export class BackupError extends Error {}

/**
 * A consistent online copy of a SQLite database into a new file (`VACUUM INTO`: one read
 * transaction, so the copy is a snapshot of one instant while the server keeps writing in WAL
 * mode). Refuses to overwrite an existing file.
 */
export function backupSqlite(handle: DatabaseHandle, target: string): void {
  if (!handle.sqlite) throw new BackupError('backup: PostgreSQL databases are backed up with pg_dump (see README).');
  if (existsSync(target)) throw new BackupError(`backup: ${target} exists already; choose a new file name.`);
  handle.sqlite.prepare('VACUUM INTO ?').run(target);
}
