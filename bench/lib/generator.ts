import { copyFileSync, existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { inspectionOffices } from '../../src/domain/offices.js';
import { japanDateOf } from '../../src/domain/time.js';
import { argon2Hasher, ARGON2_OPTIONS } from '../../src/services/passwords.js';
import { migrateToLatest, openDatabase, openSqlite } from '../../src/store/database.js';
import { buildIndexes, openForLoad, threadCpu, type PartitionJob, type PartitionResult } from './partition.js';
import { buildTemplates, TABLES, type TableName } from './templates.js';

/** Every generated application shares this 申請用パスワード (and one precomputed argon2id hash of it). */
export const BENCH_PASSWORD = 'bench-Pass-2026';

export interface GenerateOptions {
  readonly applications: number;
  /** How many applications have a running deadline that has already passed (for the sweep benchmark). */
  readonly due: number;
  /**
   * Where the due applications are among the others: `spread` (the default), every (N/K)-th, so
   * that each one's rows lie in other pages than its neighbours' (the worst case for the sweep);
   * `recent`, the last K written, as the product's UUIDv7 ids place the applications filed in the
   * same weeks side by side (those whose deadline has passed were filed recently).
   */
  readonly duePlacement?: 'spread' | 'recent';
  readonly out: string;
  readonly seed: string;
  readonly now: Date;
  /** SQLite page cache of each writer during generation, in MiB: at most this while writing rows (see rowsCacheMb), at most 256 MiB of it for the index builds (indexCacheMb). */
  readonly cacheMb: number;
  /**
   * The index builds sort in memory, one thread each, with no temporary files (the default spills
   * sorted runs to temporary files, sorted by SQLite's helper threads: faster, but at 10,000,000
   * about 6 GiB of disk while the history's feed index is built).
   */
  readonly sortInMemory?: boolean;
  /**
   * With several writers, the history's indexes (the feed index, 7 % of the file) are built in the
   * main file after the merge instead of by the history's writer before it: the merge's peak of disk
   * is then about 1.12× the file instead of 1.19×, for the build no longer overlapping the other writer.
   */
  readonly historyIndexesAfterMerge?: boolean;
  /** Writer threads (1–3): the tables are split between them, then merged. */
  readonly writers: number;
  /** Drop the secondary (non-unique) indexes during the load and build them again at the end. */
  readonly deferIndexes: boolean;
  /** Run PRAGMA foreign_key_check and quick_check at the end (slow on large files). */
  readonly check: boolean;
  readonly log: (line: string) => void;
}

export interface GenerateReport {
  readonly file: string;
  readonly applications: number;
  readonly due: number;
  readonly seed: string;
  readonly now: string;
  readonly baseDay: string;
  readonly password: string;
  readonly passwordHashing: string;
  readonly writers: number;
  readonly rows: Record<string, number>;
  readonly totalRows: number;
  readonly statuses: Record<string, number>;
  readonly seconds: { templates: number; insert: number; merge: number; indexes: number; finish: number; total: number };
  /** CPU time of the whole generation (every thread), user + system. */
  readonly cpuSeconds: number;
  /** CPU seconds of each writer thread: writing its rows, building its indexes. */
  readonly writerCpuSeconds: readonly { readonly tables: string; readonly insert: number; readonly indexes: number }[];
  /** CPU seconds of the main thread's merge (the table copies). */
  readonly mergeCpuSeconds: number;
  readonly rowsPerSecond: number;
  readonly applicationsPerSecond: number;
  readonly bytes: number;
  readonly bytesOnDisk: number;
  readonly loadAverage: { before: number[]; after: number[] };
  readonly generatedAt: string;
  readonly node: string;
}

let sharedHash: Promise<string> | null = null;

/** How the tables are split between writers: the history (most rows) alone, the rest shared. */
function plan(writers: number): TableName[][] {
  if (writers <= 1) return [[...TABLES]];
  if (writers === 2) return [['status_history'], ['applications', 'attachments', 'payment_lines', 'notices']];
  return [['status_history'], ['applications', 'attachments'], ['payment_lines', 'notices']];
}

const round = (n: number) => Math.round(n * 10) / 10;

function removeFile(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(f, { force: true });
}

/** The non-unique indexes of the generated tables (unique ones stay: they guard the numbers). */
function secondaryIndexes(db: import('better-sqlite3').Database, tables: readonly string[]): { name: string; sql: string; table: string }[] {
  const list = db
    .prepare(`select name, sql, tbl_name as "table" from sqlite_master where type = 'index' and sql is not null and tbl_name in (${tables.map((t) => `'${t}'`).join(',')})`)
    .all() as { name: string; sql: string; table: string }[];
  return list.filter((i) => !/^\s*create\s+unique/i.test(i.sql));
}

function runWorker(job: PartitionJob, onProgress: (applications: number, rows: number) => void): Promise<PartitionResult> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { entry: new URL('./partition-worker.ts', import.meta.url).href, job },
    });
    worker.on('message', (m: { type: 'progress'; applications: number; rows: number } | { type: 'done'; result: PartitionResult }) => {
      if (m.type === 'progress') onProgress(m.applications, m.rows);
      else resolvePromise(m.result);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`writer thread exited with ${code}`));
    });
  });
}

/**
 * Generates `applications` applications into a SQLite file: the product's migrations first, then
 * the rows written by 1–3 writer threads (each its own tables, in its own file, with relaxed
 * settings), merged with SQLite's table-copy path, indexes built, and the file put back to the
 * product's settings (WAL, checkpointed with synchronous=FULL).
 */
export async function generateSqlite(o: GenerateOptions): Promise<GenerateReport> {
  if (!Number.isSafeInteger(o.applications) || o.applications < 1) throw new Error('--applications must be a positive integer');
  if (o.applications > 1_000_000_000) throw new Error('--applications: at most 1,000,000,000 (the numbers have nine digits)');
  if (!Number.isSafeInteger(o.due) || o.due < 0 || o.due > o.applications) throw new Error('--due must be between 0 and --applications');
  const loadBefore = loadavg();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const tmp = `${o.out}.partial`;
  const partitions = plan(Math.max(1, Math.min(3, o.writers)));
  // The first writer's tables (the history: most of the bytes) are written into the main file; every
  // other table into a file of its own, which the merge deletes as soon as it is copied. So the
  // merge needs beside the result only the largest of those tables (payment_lines with its indexes,
  // 19 % of the file), not a whole writer's file (38 %): at 10,000,000 about 12 GiB, not 23.
  const tableFiles = partitions.map((tables, k) => tables.map((table) => (k === 0 ? tmp : `${tmp}.${table}`)));
  const files = [...new Set(tableFiles.flat())];
  // Each table's writer and file, and each file's tables (the writers' tables, in their order).
  const placeOf = new Map(partitions.flatMap((tables, k) => tables.map((table, j) => [table as string, { writer: k, file: tableFiles[k]![j]! }] as const)));
  const tablesIn = (f: string): TableName[] => partitions.flat().filter((table) => placeOf.get(table)!.file === f);
  for (const f of files) removeFile(f);

  // The product's own schema, by its own migrations, in the main file; a copy of it (closed, so
  // checkpointed: nothing in a -wal) for every other file.
  {
    const handle = openDatabase({ kind: 'sqlite', path: tmp });
    await migrateToLatest(handle);
    await handle.close();
  }
  for (const f of files) if (f !== tmp) copyFileSync(tmp, f);

  // One real argon2id hash (the product's parameters), shared by every generated application.
  sharedHash ??= argon2Hasher.hash(BENCH_PASSWORD);
  const passwordHash = await sharedHash;
  const baseDay = japanDateOf(o.now);
  const set = await buildTemplates(baseDay, passwordHash);
  const templatesDone = performance.now();
  o.log(`templates: ${set.templates.length} (${new Set(set.templates.map((t) => t.scenario)).size} scenarios × ${Object.keys(inspectionOffices).length} offices) in ${((templatesDone - started) / 1000).toFixed(1)} s`);

  // Secondary indexes are built once, by sorting, instead of row by row: each writer builds those
  // of its own tables in its own file when its rows are in (the writers in parallel); the main
  // file gets the others' back on its still empty tables just before the merge, so that the merge
  // copies them, already sorted, with the table.
  const deferred: { name: string; sql: string; table: string }[][] = partitions.map(() => []);
  const lateIndexes = o.historyIndexesAfterMerge === true && partitions.length > 1;
  const emptyInMain: { name: string; sql: string; table: string }[] = [];
  if (o.deferIndexes) {
    for (const f of files) {
      const db = openForLoad(f, 16);
      const mineOrMerged = f === tmp ? [...TABLES] : tablesIn(f);
      for (const idx of secondaryIndexes(db, mineOrMerged)) {
        db.exec(`drop index ${idx.name}`);
        const place = placeOf.get(idx.table);
        if (place?.file === f) deferred[place.writer]!.push(idx);
        else emptyInMain.push(idx);
      }
      db.close();
    }
  }

  o.log(`writing with ${partitions.length} writer thread(s): ${partitions.map((p) => p.join('+')).join(' | ')}`);
  const done = partitions.map(() => ({ applications: 0, rows: 0 }));
  let lastLog = performance.now();
  const insertStarted = performance.now();
  const report = () => {
    const now = performance.now();
    if (now - lastLog < 5000) return;
    lastLog = now;
    const s = (now - insertStarted) / 1000;
    const rows = done.reduce((a, d) => a + d.rows, 0);
    const slowest = Math.min(...done.map((d) => d.applications));
    const rate = slowest / s;
    o.log(`  ${slowest.toLocaleString('en')} applications, ${rows.toLocaleString('en')} rows, ${Math.round(rows / s).toLocaleString('en')} rows/s, ETA ${rate > 0 ? Math.round((o.applications - slowest) / rate) : '?'} s (load ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
  };
  const results = await Promise.all(
    partitions.map((tables, k) =>
      runWorker(
        { files: tableFiles[k]!, tables, publicNotifications: k === partitions.length - 1, applications: o.applications, due: o.due, duePlacement: o.duePlacement ?? 'spread', seed: o.seed, cacheMb: o.cacheMb, keepIndexes: !o.deferIndexes, sortInMemory: o.sortInMemory === true, set, indexes: k === 0 && lateIndexes ? [] : deferred[k]! },
        (applications, rows) => {
          done[k]!.applications = applications;
          done[k]!.rows += rows;
          report();
        },
      ),
    ),
  );
  const insertDone = performance.now();
  const rows: Record<string, number> = {};
  for (const r of results) Object.assign(rows, r.rows);
  const totalRows = Object.values(rows).reduce((a, b) => a + b, 0);
  const insertOnly = Math.max(...results.map((r) => r.insertSeconds));
  o.log(`inserted ${totalRows.toLocaleString('en')} rows in ${insertOnly.toFixed(1)} s, then each writer's indexes: ${results.map((r) => Object.entries(r.indexSeconds).map(([n, sec]) => `${n} ${sec} s`).join(', ')).filter(Boolean).join(' | ')} (${((insertDone - insertStarted) / 1000).toFixed(1)} s in all)`);
  o.log(`  CPU of each writer thread, rows + indexes: ${results.map((r, k) => `${partitions[k]!.join('+')} ${r.cpu.insert} + ${r.cpu.indexes} s`).join(' | ')}`);

  // Merge: each table is empty in the main file and has the same columns and indexes, so
  // INSERT … SELECT * takes SQLite's transfer path (pages of records and of index entries, in
  // order, no re-encoding and no sort).
  const mergeCpu0 = threadCpu();
  // Every table and index is appended to in key order: a small cache is enough (see rowsCacheMb).
  const db = openForLoad(tmp, Math.min(o.cacheMb, 64));
  for (const idx of emptyInMain) db.exec(idx.sql);
  // One file after another, each deleted once its tables are in: the disk holds at most the
  // result and one table's file.
  const lastFile = tableFiles.at(-1)!.at(-1)!;
  for (const f of files) {
    if (f === tmp) continue;
    db.exec(`attach database '${f.replace(/'/g, "''")}' as w`);
    for (const table of [...tablesIn(f), ...(f === lastFile ? ['notifications'] : [])]) {
      const t0 = performance.now();
      db.exec(`insert into main.${table} select * from w.${table}`);
      o.log(`  merged ${table} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    db.exec('detach database w');
    removeFile(f);
  }
  const mergeDone = performance.now();
  const mergeCpu1 = threadCpu();
  const mergeCpuSeconds = round(mergeCpu1.user - mergeCpu0.user + mergeCpu1.system - mergeCpu0.system);

  // The history's indexes, when they wait for the merge (historyIndexesAfterMerge): on this thread,
  // their CPU counted as the history writer's.
  let lateIndexCpu = 0;
  if (lateIndexes) {
    const built = buildIndexes(db, deferred[0]!, { cacheMb: o.cacheMb, sortInMemory: o.sortInMemory === true });
    const cpu = threadCpu();
    lateIndexCpu = round(cpu.user - mergeCpu1.user + cpu.system - mergeCpu1.system);
    o.log(`  after the merge: ${Object.entries(built).map(([n, sec]) => `${n} ${sec} s`).join(', ')} (${lateIndexCpu} CPU s in this thread)`);
  }
  const indexesDone = performance.now();

  // Back to the product's settings: WAL journal (kept in the file), then a checkpoint with the
  // product's own connection settings (synchronous=FULL), so the file is complete and durable.
  db.pragma('locking_mode = NORMAL');
  db.pragma('journal_mode = WAL');
  db.close();
  const product = openSqlite(tmp);
  product.pragma('wal_checkpoint(TRUNCATE)');
  if (o.check) {
    const fk = product.pragma('foreign_key_check') as unknown[];
    if (fk.length > 0) throw new Error(`foreign_key_check found ${fk.length} problems`);
    const quick = product.pragma('quick_check', { simple: true });
    if (quick !== 'ok') throw new Error(`quick_check: ${String(quick)}`);
    o.log('foreign_key_check and quick_check: ok');
  }
  product.close();
  removeFile(o.out);
  renameSync(tmp, o.out);
  for (const f of [`${tmp}-wal`, `${tmp}-shm`]) if (existsSync(f)) rmSync(f, { force: true });
  const finished = performance.now();

  const st = statSync(o.out);
  const seconds = (finished - started) / 1000;
  const result: GenerateReport = {
    file: o.out,
    applications: o.applications,
    due: o.due,
    seed: o.seed,
    now: o.now.toISOString(),
    baseDay,
    password: BENCH_PASSWORD,
    passwordHashing: `argon2id m=${ARGON2_OPTIONS.memoryCost} KiB t=${ARGON2_OPTIONS.timeCost} p=${ARGON2_OPTIONS.parallelism}, one precomputed hash shared by every generated application`,
    writers: partitions.length,
    rows,
    totalRows,
    statuses: results.find((r) => Object.keys(r.statuses).length > 0)?.statuses ?? {},
    seconds: {
      templates: round((templatesDone - started) / 1000),
      insert: round((insertDone - insertStarted) / 1000),
      merge: round((mergeDone - insertDone) / 1000),
      indexes: round((indexesDone - mergeDone) / 1000),
      finish: round((finished - indexesDone) / 1000),
      total: round(seconds),
    },
    writerCpuSeconds: results.map((r, k) => ({ tables: partitions[k]!.join('+'), insert: r.cpu.insert, indexes: k === 0 ? round(r.cpu.indexes + lateIndexCpu) : r.cpu.indexes })),
    mergeCpuSeconds,
    cpuSeconds: round((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6),
    rowsPerSecond: Math.round(totalRows / seconds),
    applicationsPerSecond: Math.round(o.applications / seconds),
    bytes: st.size,
    bytesOnDisk: st.blocks * 512,
    loadAverage: { before: loadBefore.map((x) => round(x)), after: loadavg().map((x) => round(x)) },
    generatedAt: new Date().toISOString(),
    node: process.version,
  };
  writeFileSync(`${o.out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

export const defaultWriters = () => Math.max(1, Math.min(3, cpus().length));
