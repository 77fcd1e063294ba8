/**
 * npm run bench:data -- --applications N [--due K] [--out FILE] [--seed S] [--now ISO]
 *
 * Generates a realistic database of N applications for the benchmarks (see bench/README.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDatabasePath, ensureDir, freeBytes, gib, parseCount } from './lib/common.js';
import { runMain } from './lib/cli.js';
import { defaultWriters, generateSqlite } from './lib/generator.js';
import { loadIntoPostgres } from './lib/postgres.js';

const HELP = `Usage: npm run bench:data -- [options]

Generates a SQLite database of N applications over both procedures and every status, each with
the parts its status implies (attachments, payment lines with Pay-easy numbers, notices, history),
by cloning applications that the product's own services built by replaying real events.
Deterministic: the same options (and day) give the same numbers.

Options:
  --applications N   how many applications (default 1000000; 10M, 1e6 and 1,000,000 are accepted)
  --due K            of which K have a running deadline that has already passed (for bench:sweep; default 0)
  --due-placement P  where those K are: spread (default; every (N/K)-th application, the sweep's
                     worst case) or recent (the last K written: as the product's UUIDv7 ids place
                     applications filed in the same weeks side by side)
  --out FILE         the SQLite file (default data/bench/bench-N.sqlite, or bench-N-dueK.sqlite)
  --seed S           seed of the numbers and names (default kei-oss-bench)
  --now ISO          the instant the data is relative to (default: now; dates run up to the day before)
  --cache-mb M       SQLite page cache of each writer, MiB (default: an eighth of the memory, at most
                     2048): the most a writer takes while writing rows, where it takes only what its
                     keys need (64 MiB, and 128 bytes an application for the applications' numbers);
                     the index builds take at most 256 MiB of it
  --sort-in-memory   the index builds sort in memory, one thread each, with no temporary files
                     (default: sorted runs spilled to temporary files by SQLite's helper threads;
                     faster, but with one writer it needs about 10 % more disk while the history's
                     feed index is built)
  --writers W        writer threads, 1 to 3 (default: the number of cores, at most 3); the tables are
                     split between them and merged at the end
  --history-indexes-after-merge
                     with several writers: build the history's feed index in the main file after the
                     merge, not in the history's writer before it (less disk: about 1.13× the file
                     instead of 1.2×; the build no longer overlaps the other writer). Chosen by
                     itself when the free disk is enough for this and not for the default
  --keep-indexes     keep every index during the load (default: build the non-unique ones at the end)
  --check            run foreign_key_check and quick_check at the end (slow on large files)
  --postgres URL     then load the file into PostgreSQL (postgres://user@host:5432/kei_bench; the
                     database is created if missing; the SQLite file is reused if it already holds N
                     applications): the product's migrations, multi-row INSERTs from unnest(), the
                     non-unique indexes built afterwards, ANALYZE
  --replace          with --postgres: empty the tables first if they hold applications
  -h, --help         this help

The rows are written by writer threads, each into its own file (FILE.partial, FILE.partial.1, …)
with journal_mode=OFF, synchronous=OFF and the page cache their keys need, then merged with SQLite's
table-copy path; at the end the file is switched back to WAL, checkpointed with the product's
settings (synchronous=FULL) and renamed to FILE.
Every application's 申請用パスワード is ${'`'}bench-Pass-2026${'`'} (one argon2id hash, computed once).
A report (rows, rows a second, size on disk) is printed and saved as FILE.json.`;

/** Disk a generated application takes, rounded up (6,523 bytes measured at 1,000,000, 6,616 at 10,000,000). */
const BYTES_AN_APPLICATION = 6650;

/**
 * Free disk wanted, as a multiple of the file, measured at 1,000,000 (docs/benchmarks.md, round
 * eight). Several writers: the merge copies the other writers' tables into the history's file one
 * table's file at a time, deleting each once copied, so the result and the largest of those files
 * (payment_lines with its indexes, 18.9 % of the file) are on disk together: 1.18× measured. One
 * writer: no merge; the sorter's temporary files while the feed index is built (1.108× measured),
 * or nothing beside the file with --sort-in-memory (1.006×).
 */
function diskFactor(writers: number, sortInMemory: boolean, historyIndexesAfterMerge: boolean): number {
  // --history-indexes-after-merge: the feed index (7.2 %) is not there yet while the tables are copied.
  if (writers > 1) return historyIndexesAfterMerge ? 1.13 : 1.2;
  return sortInMemory ? 1.02 : 1.12;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      applications: { type: 'string' },
      due: { type: 'string' },
      'due-placement': { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      now: { type: 'string' },
      'cache-mb': { type: 'string' },
      'keep-indexes': { type: 'boolean' },
      'sort-in-memory': { type: 'boolean' },
      'history-indexes-after-merge': { type: 'boolean' },
      writers: { type: 'string' },
      check: { type: 'boolean' },
      postgres: { type: 'string' },
      replace: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const applications = parseCount(values.applications ?? '1000000', '--applications');
  const due = parseCount(values.due ?? '0', '--due');
  const duePlacement = values['due-placement'] ?? 'spread';
  if (duePlacement !== 'spread' && duePlacement !== 'recent') throw new Error('--due-placement: spread or recent');
  const out = values.out ?? defaultDatabasePath(applications, due);
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error(`--now: not an instant: ${values.now}`);
  const cacheMb = values['cache-mb'] ? parseCount(values['cache-mb'], '--cache-mb') : Math.min(2048, Math.floor(totalmem() / 1024 ** 2 / 8));
  ensureDir(dirname(out));
  // About 6.5 KB a generated application on disk (the 10,000,000 file is about 62 GiB), and room
  // for the merge or the sorter beside it (diskFactor).
  const writersWanted = values.writers ? parseCount(values.writers, '--writers') : defaultWriters();
  const sortInMemory = values['sort-in-memory'] === true;
  const free = freeBytes(dirname(out));
  const neededWith = (afterMerge: boolean) => applications * BYTES_AN_APPLICATION * diskFactor(writersWanted, sortInMemory, afterMerge);
  // Several writers and too little disk for the merge's usual peak, but enough without the feed
  // index beside it: the feed index is built after the merge (at 10,000,000 on a disk of 72 GiB free:
  // 11.9 min, where one writer took 19.8; docs/benchmarks.md, round eight).
  const historyIndexesAfterMerge = values['history-indexes-after-merge'] === true || (writersWanted > 1 && free < neededWith(false) && free >= neededWith(true));
  const needed = neededWith(historyIndexesAfterMerge);
  console.log(`bench:data: ${applications.toLocaleString('en')} applications (${due.toLocaleString('en')} past their deadline) → ${out}`);
  if (historyIndexesAfterMerge && values['history-indexes-after-merge'] !== true) console.log(`  ${gib(free)} free is too little for the merge with the history's feed index beside it (${gib(neededWith(false))}): building it after the merge (as --history-indexes-after-merge)`);
  console.log(`  free disk ${gib(free)}, about ${gib(applications * BYTES_AN_APPLICATION)} for the file (checking for ${gib(needed)} with ${writersWanted > 1 ? 'the merge' : sortInMemory ? 'the file alone' : "the sorter's files"})`);
  if (free < needed) {
    console.error(`bench:data: not enough free disk at ${dirname(out)}: ${gib(free)} free, about ${gib(needed)} wanted. Free some space, choose a smaller --applications, add --history-indexes-after-merge (a smaller merge peak), or use --writers 1 (no merge) and --sort-in-memory (no sorter files).`);
    return 1;
  }
  const reuse = values.postgres !== undefined && existsSync(out) && existsSync(`${out}.json`) && (JSON.parse(readFileSync(`${out}.json`, 'utf8')) as { applications?: number; due?: number }).applications === applications;
  if (reuse) {
    console.log(`  ${out} already holds ${applications.toLocaleString('en')} applications: loading it into PostgreSQL`);
    return toPostgres(out, values.postgres!, values.replace === true);
  }
  const report = await generateSqlite({
    applications,
    due,
    duePlacement,
    out,
    seed: values.seed ?? 'kei-oss-bench',
    now,
    cacheMb,
    writers: writersWanted,
    deferIndexes: !values['keep-indexes'],
    sortInMemory,
    historyIndexesAfterMerge,
    check: values.check === true,
    log: (line) => console.log(line),
  });
  console.log(`done: ${report.totalRows.toLocaleString('en')} rows (${Object.entries(report.rows).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')})`);
  console.log(`  ${report.seconds.total} s in all (templates ${report.seconds.templates} s, insert ${report.seconds.insert} s, merge ${report.seconds.merge} s, indexes ${report.seconds.indexes} s, checkpoint ${report.seconds.finish} s; ${report.cpuSeconds} CPU s in all threads)`);
  const threadsCpu = report.writerCpuSeconds.reduce((a, w) => a + w.insert + w.indexes, 0) + report.mergeCpuSeconds;
  console.log(`  CPU s: ${report.writerCpuSeconds.map((w) => `writer ${w.tables} ${w.insert} rows + ${w.indexes} indexes`).join(', ')}, merge ${report.mergeCpuSeconds}, the rest ${(Math.round((report.cpuSeconds - threadsCpu) * 10) / 10).toFixed(1)} (the main thread's templates and migrations, SQLite's sorter threads) (load ${report.loadAverage.before.join(' ')} → ${report.loadAverage.after.join(' ')})`);
  console.log(`  ${report.rowsPerSecond.toLocaleString('en')} rows/s, ${report.applicationsPerSecond.toLocaleString('en')} applications/s`);
  console.log(`  size ${gib(report.bytes)} (${Math.round(report.bytes / applications)} bytes an application), report ${out}.json`);
  console.log(`  password of every application: ${report.password}`);
  if (values.postgres) return toPostgres(out, values.postgres, values.replace === true);
  return 0;
}

async function toPostgres(file: string, url: string, replace: boolean): Promise<number> {
  console.log(`postgres: loading ${file} into ${url.replace(/\/\/[^@]*@/, '//…@')}`);
  const r = await loadIntoPostgres(file, url, { replace, log: (l) => console.log(l) });
  console.log(`postgres: ${Object.values(r.rows).reduce((a, b) => a + b, 0).toLocaleString('en')} rows in ${r.seconds} s (${r.rowsPerSecond.toLocaleString('en')} rows/s), database size ${gib(r.bytes)}`);
  console.log(`  measure it with: npm run bench -- --db '${url}'`);
  return 0;
}

runMain('bench:data', main);
