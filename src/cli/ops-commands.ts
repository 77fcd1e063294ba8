import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { BackupError, backupSqlite, consistencyReport } from '../store/maintenance.js';
import { openDatabase, type DatabaseLocation } from '../store/database.js';
import { ENVIRONMENT_HELP, UsageError, type Command } from './command.js';

const PG_DUMP_HELP = `PostgreSQL: take the backup with PostgreSQL's own tools, for example
  pg_dump --format=custom --file=kei-oss-$(date +%Y%m%d-%H%M).dump "$DATABASE_URL"
and restore it into an empty database with
  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" kei-oss-YYYYMMDD-HHMM.dump
(pg_dump takes a consistent snapshot while the servers keep running.)`;

/** Prints a consistency report; returns the exit code (0: all is well, 1: a problem). */
async function check(location: DatabaseLocation, label: string): Promise<number> {
  const handle = openDatabase(location);
  try {
    const report = await consistencyReport(handle);
    console.log(`${label}: integrity_check ${report.integrity}; ${report.applications} applications, ${report.historyEntries} history entries`);
    for (const p of report.problems.slice(0, 50)) console.log(`  problem: ${p}`);
    if (report.problems.length > 50) console.log(`  … and ${report.problems.length - 50} more`);
    const ok = report.integrity === 'ok' && report.problems.length === 0;
    console.log(ok ? `${label}: OK` : `${label}: NOT OK`);
    return ok ? 0 : 1;
  } finally {
    await handle.close();
  }
}

export const backupCommand: Command = {
  name: 'backup',
  summary: 'Take a consistent online copy of the SQLite database / データベースのバックアップを取る',
  help: `Usage: kei-oss backup <file>

Copies the SQLite database (DATABASE_URL) into <file>, a new file, while the server keeps
running: the copy is one consistent instant (VACUUM INTO). Then checks the copy
(PRAGMA integrity_check, and every application's version against its history) and prints the
result. Exit code 0 only when the copy is sound.
稼働中のまま、SQLite データベースの一貫したコピーを <file> に作成し、コピーを検査します。

Restore (復元): stop the server, keep the damaged file aside, copy the backup in its place and
check it, then start the server:
  mv data/kei-oss.sqlite data/kei-oss.sqlite.broken; rm -f data/kei-oss.sqlite-wal data/kei-oss.sqlite-shm
  cp <file> data/kei-oss.sqlite && kei-oss check-db && kei-oss serve

${PG_DUMP_HELP}

${ENVIRONMENT_HELP}`,
  async run(_values, positionals) {
    const [target, ...extra] = positionals;
    if (!target || extra.length > 0) throw new UsageError('backup: give exactly one file name: kei-oss backup <file>');
    const config = loadConfig();
    if (config.database.kind === 'postgres') {
      console.error(PG_DUMP_HELP);
      return 2;
    }
    const file = resolve(target);
    const handle = openDatabase(config.database);
    const started = Date.now();
    try {
      backupSqlite(handle, file);
    } catch (e) {
      if (e instanceof BackupError) {
        console.error(`kei-oss: ${e.message}`);
        return 2;
      }
      throw e;
    } finally {
      await handle.close();
    }
    console.log(`backup written: ${file} (${statSync(file).size} bytes, ${Date.now() - started} ms)`);
    return check({ kind: 'sqlite', path: file }, 'backup');
  },
};

export const checkDbCommand: Command = {
  name: 'check-db',
  summary: 'Check the database: integrity and every application against its history / データベースを検査する',
  help: `Usage: kei-oss check-db [file]

Checks a SQLite file (default: DATABASE_URL) or the PostgreSQL database: PRAGMA integrity_check
and foreign_key_check (SQLite), and for every application that its version equals the length of
its history, that the last entry led to its current status, and that it has its procedure's
attachments. Exit code 0 when all is well, 1 otherwise. Use it after a restore or a crash.
整合性を検査します（復元後・障害後に実行してください）。

${ENVIRONMENT_HELP}`,
  async run(_values, positionals) {
    const [file, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError('check-db: at most one file name');
    const location: DatabaseLocation = file ? { kind: 'sqlite', path: resolve(file) } : loadConfig().database;
    // A missing file is an error, not a new empty database.
    if (location.kind === 'sqlite' && !existsSync(location.path)) {
      console.error(`kei-oss: check-db: ${location.path} does not exist`);
      return 2;
    }
    return check(location, file ? file : 'database');
  },
};

export const opsCommands: readonly Command[] = [backupCommand, checkDbCommand];
