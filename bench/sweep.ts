/**
 * npm run bench:sweep -- [--applications 1000000] [--due 100000] [--postgres URL [--postgres-template NAME]]
 *
 * The deadline sweep (services.sweepDeadlines, as the server's sweeper and `kei-oss sweep-deadlines`
 * run it) over a generated database where `due` applications have a deadline that has passed.
 */
import { closeSync, copyFileSync, existsSync, fstatSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { systemClock } from '../src/domain/time.js';
import type { ServiceDeps } from '../src/services/context.js';
import { randomIds } from '../src/services/ids.js';
import { createServices, loadServerSecrets } from '../src/services/index.js';
import { argon2Hasher } from '../src/services/passwords.js';
import { applicationRepository } from '../src/store/applications.repository.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/store/database.js';
import { defaultDatabasePath, gib, load, machineInfo, parseCount, round1 } from './lib/common.js';
import { defaultWriters, generateSqlite } from './lib/generator.js';
import { giveContacts } from './lib/fixtures.js';
import { copyFromTemplate, databaseName, loadIntoPostgres, postgresCpu, postgresStatements, type PostgresStatement } from './lib/postgres.js';
import { machineLines, save } from './lib/report.js';
import { uptime } from './lib/suite.js';
import { runMain } from './lib/cli.js';

const HELP = `Usage: npm run bench:sweep -- [options]

Generates (once) data/bench/bench-N-dueK.sqlite, where K applications have a running deadline
(補正期限 or 納付期限) that has already passed, copies it, and runs the product's deadline sweep on
the copy with the product's settings (WAL, synchronous=FULL; batches of due applications, each
batch one transaction written in multi-row statements), timing it. Prints and saves
(bench/results/) the time, the CPU seconds of this process, applications a second and rows
written a second (SQLite). With --postgres, the generated file is loaded into that database
(its tables emptied first) and the sweep runs there; the CPU seconds are then this process's
only (PostgreSQL's own processes are not counted).

Options:
  --applications N  size of the database (default 1000000)
  --due K           applications past their deadline (default 100000)
  --batch B         the sweep's batch size (default: the product's)
  --round R         the due ids the sweep reads a round, then claims in id order (default: the product's)
  --contacts S      the share of the due applications given a confirmed 連絡先メールアドレス before the
                    sweep, so that each of them gets its mail (期限切れ) queued in the sweep's
                    transaction (default 1: every one, as issue 18 asks; 0: none, the data as
                    generated, which has no 連絡先)
  --keep            keep the swept copy (default: delete it)
  --file F          the generated file to copy and sweep (default data/bench/bench-N-dueK.sqlite;
                    generated there if missing)
  --statements      (SQLite) also time every statement the sweep runs, grouped by its kind (its
                    text with the lists of parameters folded): calls, milliseconds and the bytes
                    this process wrote and read (/proc/self/io) while each ran; the commits
                    include the WAL's writes and its checkpoints. Adds a little time of its own
  --pages           (SQLite) no checkpoint during the sweep (the WAL keeps every page each commit
                    wrote); after it, the WAL's frames and distinct pages counted by the table or
                    index that owns each page (SQLite's dbstat). The bytes written then hold the
                    log and the one checkpoint at the sweep's end. Adds the time of reading every
                    page's owner after the sweep
  --postgres URL    sweep in PostgreSQL instead (postgres://postgres@127.0.0.1:5432/kei_bench_sweep;
                    created if missing, its tables replaced by the generated data at every run)
  --postgres-template NAME
                    with --postgres: sweep a fresh copy instead of reloading. The first run loads
                    the generated data into database NAME of the same server (kept, vacuumed);
                    every run then drops the URL's database and creates it again with
                    CREATE DATABASE <it> TEMPLATE NAME STRATEGY FILE_COPY (seconds, not minutes).
                    Drop both when done (dropdb). The template is loaded once: after a change of
                    the data or of the migrations, drop it
  --prewarm         with --postgres-template: read the copy's applications once after copying it
                    (no statement timeout), as a running server has them in memory; without it a
                    cold copy may fail the due read at the product's 5 s statement timeout
  -h, --help        this help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      applications: { type: 'string' },
      due: { type: 'string' },
      batch: { type: 'string' },
      round: { type: 'string' },
      keep: { type: 'boolean' },
      contacts: { type: 'string' },
      file: { type: 'string' },
      postgres: { type: 'string' },
      'postgres-template': { type: 'string' },
      prewarm: { type: 'boolean' },
      statements: { type: 'boolean' },
      pages: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const applications = parseCount(values.applications ?? '1000000', '--applications');
  const due = parseCount(values.due ?? '100000', '--due');
  const contactShare = Number(values.contacts ?? '1');
  if (!(contactShare >= 0 && contactShare <= 1)) throw new Error('--contacts: a share between 0 and 1');
  const pristine = values.file ?? defaultDatabasePath(applications, due);
  const uptimeBefore = uptime();
  console.log(`machine: ${uptimeBefore}`);
  if (!existsSync(pristine)) {
    console.log(`data: generating ${applications.toLocaleString('en')} applications, ${due.toLocaleString('en')} past their deadline → ${pristine}`);
    await generateSqlite({ applications, due, out: pristine, seed: 'kei-oss-bench', now: new Date(), cacheMb: 1024, writers: defaultWriters(), deferIndexes: true, check: false, log: (l) => console.log(`  ${l}`) });
  }
  // One work copy per run (its process id): several engineers' runs may share data/bench.
  const work = `${pristine.replace(/\.sqlite$/, '')}.sweep-work-${process.pid}.sqlite`;
  let handle: DatabaseHandle;
  if (values['postgres-template'] && !values.postgres) throw new Error('--postgres-template needs --postgres URL (the database swept)');
  if (values.postgres && values['postgres-template']) {
    const copied = await copyFromTemplate(pristine, values.postgres, values['postgres-template'], (l) => console.log(`  ${l}`), values.prewarm === true);
    if (copied.loaded) console.log(`data: loaded into the template ${values['postgres-template']} in ${copied.loaded.seconds} s`);
    console.log(`data: copied from the template ${values['postgres-template']} in ${copied.copySeconds} s`);
    handle = openDatabase({ kind: 'postgres', url: values.postgres });
  } else if (values.postgres) {
    const loaded = await loadIntoPostgres(pristine, values.postgres, { replace: true, log: (l) => console.log(`  ${l}`) });
    console.log(`data: loaded into PostgreSQL in ${loaded.seconds} s`);
    handle = openDatabase({ kind: 'postgres', url: values.postgres });
  } else {
    for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
    const copyStarted = performance.now();
    copyFileSync(pristine, work);
    console.log(`data: copied ${gib(statSync(work).size)} to ${work} in ${((performance.now() - copyStarted) / 1000).toFixed(1)} s`);
    handle = openDatabase({ kind: 'sqlite', path: work });
  }
  // The product's schema of this checkout (a file generated by an older checkout gets the newer migrations, as `serve` would apply them).
  const applied = await migrateToLatest(handle);
  if (applied.length > 0) console.log(`data: migrations applied to the copy: ${applied.join(', ')}`);
  const logger = pino({ level: 'warn' });
  const deps: ServiceDeps = { database: handle, clock: systemClock, ids: randomIds, passwords: argon2Hasher, logger };
  const services = createServices(deps, await loadServerSecrets(deps));
  const sqlite = handle.sqlite;
  const dueNow = async () =>
    Number(
      (
        await handle.db
          .selectFrom('applications')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('deadline_at', 'is not', null)
          .where('deadline_at', '<=', new Date().toISOString())
          .executeTakeFirstOrThrow()
      ).n,
    );
  // Rows written: SQLite counts them (total_changes); not measured on PostgreSQL.
  const changes = () => (sqlite ? (sqlite.prepare('select total_changes() as n').get() as { n: number }).n : 0);
  const before = await dueNow();
  console.log(`sweep: ${before.toLocaleString('en')} applications are past their deadline`);
  // The due applications in id order (every k-th of them gets a 連絡先, so the same ones each run): those the sweep will move.
  const dueIds = (await applicationRepository(handle.db, handle.dialect).dueIds(new Date(), Number.MAX_SAFE_INTEGER)).sort();
  const contacts = await giveContacts(handle, dueIds, contactShare, 'sweep');
  console.log(`sweep: ${contacts.toLocaleString('en')} of them have a confirmed 連絡先 (each gets its mail queued by the sweep)`);
  const timings = values.statements && sqlite ? timeStatements(sqlite) : null;
  if (values.pages && sqlite) holdCheckpoints(sqlite);
  // PostgreSQL: its statements (pg_stat_statements, when loaded), WAL and checkpoints, and the CPU of its processes during the sweep.
  const pgStats = values.postgres ? await postgresStatements(values.postgres) : null;
  await pgStats?.reset();
  const pgDatabase = values.postgres ? databaseName(values.postgres) : '';
  const pgCpu0 = values.postgres ? postgresCpu(pgDatabase) : null;
  const loadBefore = load();
  // The peak RSS of the sweep alone: Linux resets the process's high-water mark (VmHWM) on "5" to clear_refs.
  const hwmReset = resetPeakRss();
  const changes0 = changes();
  const io0 = processIo();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await services.sweepDeadlines(values.batch ? parseCount(values.batch, '--batch') : undefined, values.round ? parseCount(values.round, '--round') : undefined);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const pgCpu1 = values.postgres ? postgresCpu(pgDatabase) : null;
  const pg = pgStats ? await pgStats.read() : null;
  const rowsWritten = changes() - changes0;
  const io1 = processIo();
  const written = { bytes: io1.wchar - io0.wchar, syscalls: io1.syscw - io0.syscw, read: io1.rchar - io0.rchar };
  const sweepPeakRss = hwmReset ? peakRssMiB() : null;
  timings?.stop();
  const pageLines = values.pages && sqlite ? walPages(sqlite, `${work}-wal`, result.examined) : [];
  const after = await dueNow();
  const queued = await mailsQueued(handle);
  await handle.close();
  if (!values.keep && !values.postgres) for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });

  const summary = {
    startedAt: new Date(Date.now() - seconds * 1000).toISOString(),
    machine: machineInfo(),
    uptimeBefore,
    uptimeAfter: uptime(),
    loadBefore,
    loadAfter: load(),
    database: { file: pristine, applications, due, bytes: statSync(pristine).size, kind: values.postgres ? 'postgres' : 'sqlite' },
    dueBefore: before,
    contacts,
    mailsQueued: queued,
    dueAfter: after,
    result,
    seconds: round1(seconds),
    cpuSeconds: round1((cpu.user + cpu.system) / 1e6),
    cpuUserSeconds: round1(cpu.user / 1e6),
    cpuSystemSeconds: round1(cpu.system / 1e6),
    // The process's peak resident memory (the copy, the setup and the sweep: an upper bound of the sweep's).
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    // The peak RSS during the sweep alone (Linux: VmHWM reset just before it), or null where it cannot be reset.
    sweepPeakRssMiB: sweepPeakRss,
    applicationsPerSecond: Math.round(result.examined / seconds),
    rowsWritten,
    rowsWrittenPerSecond: Math.round(rowsWritten / seconds),
    // What this process wrote and read through the kernel during the sweep (/proc/self/io): SQLite's WAL frames and checkpoints.
    io: written,
    // PostgreSQL: CPU seconds of its processes during the sweep (the sweep's backends, the background processes, other backends), and its statements.
    postgresCpuSeconds: pgCpu0 && pgCpu1 ? { backends: round1(pgCpu1.backends - pgCpu0.backends), background: round1(pgCpu1.background - pgCpu0.background), other: round1(pgCpu1.other - pgCpu0.other) } : null,
    postgresCluster: pg?.cluster ?? null,
    postgresStatements: pg?.statements ?? null,
  };
  const md = [
    `# npm run bench:sweep — ${summary.startedAt}`,
    '',
    ...machineLines(summary.machine),
    `- before: \`${uptimeBefore}\``,
    `- after: \`${summary.uptimeAfter}\``,
    `- database: ${values.postgres ? 'PostgreSQL (loaded from the generated file), ' : 'SQLite, '}${applications.toLocaleString('en')} applications, ${before.toLocaleString('en')} past their deadline (${gib(summary.database.bytes)})`,
    `- command: \`npm run bench:sweep -- ${process.argv.slice(2).join(' ')}\``,
    '',
    '| applications swept | 期限切れ却下 (補正期限) | 無効 (納付期限) | skipped | seconds | applications/s | rows written | rows written/s | CPU s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${result.examined.toLocaleString('en')} | ${result.expiredCorrections.toLocaleString('en')} | ${result.expiredPayments.toLocaleString('en')} | ${result.skipped} | ${summary.seconds} | ${summary.applicationsPerSecond.toLocaleString('en')} | ${values.postgres ? '—' : rowsWritten.toLocaleString('en')} | ${values.postgres ? '—' : summary.rowsWrittenPerSecond.toLocaleString('en')} | ${summary.cpuSeconds} |`,
    '',
    `- due applications with a confirmed 連絡先 (\`--contacts ${contactShare}\`): ${contacts.toLocaleString('en')}; mails in the outbox after the sweep: ${queued.toLocaleString('en')}`,
    `- still past their deadline afterwards: ${after}`,
    `- CPU: ${summary.cpuUserSeconds} s user, ${summary.cpuSystemSeconds} s system; peak RSS of the process ${summary.maxRssMiB} MiB, during the sweep ${summary.sweepPeakRssMiB ?? '—'} MiB`,
    `- written by this process during the sweep: ${gib(written.bytes)} in ${written.syscalls.toLocaleString('en')} write calls (${Math.round(written.bytes / Math.max(1, result.examined) / 1024)} KiB an application); read ${gib(written.read)}`,
  ].join('\n');
  const pgLines = pg ? postgresLines(summary.seconds, summary.cpuSeconds, summary.postgresCpuSeconds, pg) : [];
  const statementLines = timings ? ['', '| statement | calls | ms | written (MiB) | read (MiB) |', '| --- | ---: | ---: | ---: | ---: |', ...timings.lines()] : [];
  const files = save('sweep', summary, [md, ...statementLines, ...pgLines, ...pageLines].join('\n'));
  console.log(`\n${[md, ...statementLines, ...pgLines, ...pageLines].join('\n')}\n\nsaved ${files.json} and ${files.md}`);
  return after === 0 ? 0 : 3;
}

/**
 * `--pages`: the WAL emptied, then no checkpoint until the end (`wal_autocheckpoint` held at 0,
 * whatever the sweep sets), so that the WAL holds every page each commit wrote.
 */
function holdCheckpoints(sqlite: NonNullable<DatabaseHandle['sqlite']>): void {
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const pragma = sqlite.pragma.bind(sqlite);
  sqlite.pragma = ((source: string, options?: { simple?: boolean }) => pragma(source.startsWith('wal_autocheckpoint =') ? 'wal_autocheckpoint = 0' : source, options)) as typeof sqlite.pragma;
  pragma('wal_autocheckpoint = 0');
}

/**
 * `--pages`: the WAL's frames (one a page a commit wrote: its number in the frame's first four
 * bytes) counted by the B-tree that owns the page after the sweep (dbstat), with its distinct pages.
 */
function walPages(sqlite: NonNullable<DatabaseHandle['sqlite']>, wal: string, applications: number): string[] {
  const owner = new Map<number, string>();
  for (const row of sqlite.prepare('select name, pageno from dbstat').iterate() as Iterable<{ name: string; pageno: number }>) owner.set(row.pageno, row.name);
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
  const fd = openSync(wal, 'r');
  const size = fstatSync(fd).size;
  const header = Buffer.alloc(24);
  const frames = new Map<string, { frames: number; pages: Set<number> }>();
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= size; at += 24 + pageSize) {
    readSync(fd, header, 0, 24, at);
    const page = header.readUInt32BE(0);
    if (header.readUInt32BE(4) !== 0) commits += 1;
    const name = owner.get(page) ?? '(free list)';
    const entry = frames.get(name) ?? { frames: 0, pages: new Set<number>() };
    entry.frames += 1;
    entry.pages.add(page);
    frames.set(name, entry);
  }
  closeSync(fd);
  const all = [...frames.values()].reduce((n, e) => n + e.frames, 0);
  return [
    '',
    `WAL after the sweep, no checkpoint: ${all.toLocaleString('en')} frames (${gib(all * pageSize)}), ${commits} commits`,
    '',
    '| table or index | frames | distinct pages | frames an application |',
    '| --- | ---: | ---: | ---: |',
    ...[...frames]
      .sort((a, b) => b[1].frames - a[1].frames)
      .map(([name, e]) => `| ${name} | ${e.frames.toLocaleString('en')} | ${e.pages.size.toLocaleString('en')} | ${(e.frames / Math.max(1, applications)).toFixed(3)} |`),
  ];
}

/** PostgreSQL: where the sweep's time went (this process's CPU, the server's, the rest: waiting) and its statements by total time. */
function postgresLines(seconds: number, nodeCpu: number, cpu: { backends: number; background: number; other: number } | null, pg: { statements: PostgresStatement[]; cluster: Record<string, number> }): string[] {
  const c = pg.cluster;
  const serverCpu = cpu ? cpu.backends + cpu.background : 0;
  const totalMs = pg.statements.reduce((n, s) => n + s.ms, 0);
  return [
    '',
    `PostgreSQL during the sweep: CPU ${cpu ? `${cpu.backends.toFixed(1)} s in the sweep's backends, ${cpu.background.toFixed(1)} s in the background processes (checkpointer, WAL writer, …), ${cpu.other.toFixed(1)} s in other databases' backends` : '—'}; wall − Node CPU − PostgreSQL CPU (waiting: disk, fsync, the other's turn): ${(seconds - nodeCpu - serverCpu).toFixed(1)} s`,
    `- statements' total execution time ${(totalMs / 1000).toFixed(1)} s; WAL ${gib(c.wal_bytes ?? 0)} in ${(c.wal_records ?? 0).toLocaleString('en')} records, ${(c.wal_fpi ?? 0).toLocaleString('en')} full-page images; WAL writes ${(c.wal_write ?? 0).toLocaleString('en')}, syncs ${(c.wal_sync ?? 0).toLocaleString('en')}, WAL buffers full ${(c.wal_buffers_full ?? 0).toLocaleString('en')}; checkpoints ${c.checkpoints_timed ?? 0} timed + ${c.checkpoints_req ?? 0} requested, buffers written by the checkpointer ${(c.buffers_checkpoint ?? 0).toLocaleString('en')}, the background writer ${(c.buffers_clean ?? 0).toLocaleString('en')}, the backends ${(c.buffers_backend ?? 0).toLocaleString('en')} (server-wide counters)`,
    '',
    '| statement | calls | ms | rows | blocks hit | read | dirtied | written | WAL MiB | WAL FPI |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...pg.statements
      .slice(0, 25)
      .map((s) => `| \`${s.query.slice(0, 110).replace(/\|/g, '\\|')}\` | ${s.calls.toLocaleString('en')} | ${s.ms.toLocaleString('en')} | ${s.rows.toLocaleString('en')} | ${s.hit.toLocaleString('en')} | ${s.read.toLocaleString('en')} | ${s.dirtied.toLocaleString('en')} | ${s.written.toLocaleString('en')} | ${mib(s.walBytes)} | ${s.walFpi.toLocaleString('en')} |`),
  ];
}

async function mailsQueued(handle: DatabaseHandle): Promise<number> {
  return Number((await handle.db.selectFrom('mail_outbox').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

/**
 * `--statements`: wraps better-sqlite3's statements (their prototype, for this process) so that
 * each run is timed and its I/O counted, grouped by the statement's text with its parameter lists
 * folded (`(?, ?, …)` → `(…)`) and cut at 100 characters.
 */
function timeStatements(sqlite: NonNullable<DatabaseHandle['sqlite']>) {
  const proto = Object.getPrototypeOf(sqlite.prepare('select 1')) as Record<'run' | 'all' | 'get', (...args: unknown[]) => unknown> & { source?: string };
  const kinds = new Map<string, { calls: number; ms: number; written: number; read: number }>();
  const originals = { run: proto.run, all: proto.all, get: proto.get };
  const kindOf = (text: string) =>
    text
      .replace(/\s+/g, ' ')
      .replace(/\((?:[?$0-9]+|'[^']*'|null|[-0-9.]+)(?:, ?(?:[?$0-9]+|'[^']*'|null|[-0-9.]+))*\)(?:, ?\((?:[^()]|\([^()]*\))*\))*/g, '(…)')
      .slice(0, 100);
  for (const name of ['run', 'all', 'get'] as const) {
    const original = originals[name];
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      const io0 = processIo();
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const ms = performance.now() - t0;
        const io1 = processIo();
        const key = kindOf(this.source);
        const k = kinds.get(key) ?? { calls: 0, ms: 0, written: 0, read: 0 };
        k.calls += 1;
        k.ms += ms;
        k.written += io1.wchar - io0.wchar;
        k.read += io1.rchar - io0.rchar;
        kinds.set(key, k);
      }
    };
  }
  return {
    stop() {
      Object.assign(proto, originals);
    },
    lines: () =>
      [...kinds.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([text, k]) => `| \`${text.replace(/\|/g, '\\|')}\` | ${k.calls.toLocaleString('en')} | ${Math.round(k.ms).toLocaleString('en')} | ${mib(k.written)} | ${mib(k.read)} |`),
  };
}

/** Resets this process's peak RSS (Linux: "5" to /proc/self/clear_refs); false where that is not possible. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** This process's peak RSS since the last reset (VmHWM), in MiB. */
function peakRssMiB(): number | null {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : null;
}

const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);

/** This process's I/O counters (Linux /proc/self/io; zeros elsewhere). */
function processIo(): { rchar: number; wchar: number; syscw: number } {
  try {
    const fields = new Map<string, number>();
    for (const line of readFileSync('/proc/self/io', 'utf8').trim().split('\n')) {
      const [k, v] = line.split(': ');
      if (k && v) fields.set(k, Number(v));
    }
    return { rchar: fields.get('rchar') ?? 0, wchar: fields.get('wchar') ?? 0, syscw: fields.get('syscw') ?? 0 };
  } catch {
    return { rchar: 0, wchar: 0, syscw: 0 };
  }
}

runMain('bench:sweep', main);
