/**
 * npm run bench:sweep -- [--applications 1000000] [--due 100000] [--postgres URL]
 *
 * The deadline sweep (services.sweepDeadlines, as the server's sweeper and `kei-oss sweep-deadlines`
 * run it) over a generated database where `due` applications have a deadline that has passed.
 */
import { copyFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { systemClock } from '../src/domain/time.js';
import type { ServiceDeps } from '../src/services/context.js';
import { randomIds } from '../src/services/ids.js';
import { createServices, loadServerSecrets } from '../src/services/index.js';
import { argon2Hasher } from '../src/services/passwords.js';
import { openDatabase, type DatabaseHandle } from '../src/store/database.js';
import { defaultDatabasePath, gib, load, machineInfo, parseCount, round1 } from './lib/common.js';
import { defaultWriters, generateSqlite } from './lib/generator.js';
import { loadIntoPostgres } from './lib/postgres.js';
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
  --keep            keep the swept copy (default: delete it)
  --cache-mb M      SQLite: the connection's page cache for the sweep, MiB (default: SQLite's 2 MiB, as the product)
  --postgres URL    sweep in PostgreSQL instead (postgres://postgres@127.0.0.1:5432/kei_bench_sweep;
                    created if missing, its tables replaced by the generated data at every run)
  -h, --help        this help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      applications: { type: 'string' },
      due: { type: 'string' },
      batch: { type: 'string' },
      keep: { type: 'boolean' },
      postgres: { type: 'string' },
      'cache-mb': { type: 'string' },
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
  const pristine = defaultDatabasePath(applications, due);
  const uptimeBefore = uptime();
  console.log(`machine: ${uptimeBefore}`);
  if (!existsSync(pristine)) {
    console.log(`data: generating ${applications.toLocaleString('en')} applications, ${due.toLocaleString('en')} past their deadline → ${pristine}`);
    await generateSqlite({ applications, due, out: pristine, seed: 'kei-oss-bench', now: new Date(), cacheMb: 1024, writers: defaultWriters(), deferIndexes: true, check: false, log: (l) => console.log(`  ${l}`) });
  }
  const work = `${pristine.replace(/\.sqlite$/, '')}.sweep-work.sqlite`;
  let handle: DatabaseHandle;
  if (values.postgres) {
    const loaded = await loadIntoPostgres(pristine, values.postgres, { replace: true, log: (l) => console.log(`  ${l}`) });
    console.log(`data: loaded into PostgreSQL in ${loaded.seconds} s`);
    handle = openDatabase({ kind: 'postgres', url: values.postgres });
  } else {
    for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
    const copyStarted = performance.now();
    copyFileSync(pristine, work);
    console.log(`data: copied ${gib(statSync(work).size)} to ${work} in ${((performance.now() - copyStarted) / 1000).toFixed(1)} s`);
    handle = openDatabase({ kind: 'sqlite', path: work });
    if (values['cache-mb']) handle.sqlite!.pragma(`cache_size = -${parseCount(values['cache-mb'], '--cache-mb') * 1024}`);
  }
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
  const loadBefore = load();
  const changes0 = changes();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = values.batch ? await services.sweepDeadlines(parseCount(values.batch, '--batch')) : await services.sweepDeadlines();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const rowsWritten = changes() - changes0;
  const after = await dueNow();
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
    dueAfter: after,
    result,
    seconds: round1(seconds),
    cpuSeconds: round1((cpu.user + cpu.system) / 1e6),
    applicationsPerSecond: Math.round(result.examined / seconds),
    rowsWritten,
    rowsWrittenPerSecond: Math.round(rowsWritten / seconds),
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
    `- still past their deadline afterwards: ${after}`,
  ].join('\n');
  const files = save('sweep', summary, md);
  console.log(`\n${md}\n\nsaved ${files.json} and ${files.md}`);
  return after === 0 ? 0 : 3;
}

runMain('bench:sweep', main);
