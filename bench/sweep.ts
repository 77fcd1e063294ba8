/**
 * npm run bench:sweep -- [--applications 1000000] [--due 100000]
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
import { openDatabase } from '../src/store/database.js';
import { defaultDatabasePath, gib, load, machineInfo, parseCount, round1 } from './lib/common.js';
import { defaultWriters, generateSqlite } from './lib/generator.js';
import { machineLines, save } from './lib/report.js';
import { uptime } from './lib/suite.js';
import { runMain } from './lib/cli.js';

const HELP = `Usage: npm run bench:sweep -- [options]

Generates (once) data/bench/bench-N-dueK.sqlite, where K applications have a running deadline
(補正期限 or 納付期限) that has already passed, copies it, and runs the product's deadline sweep on
the copy with the product's settings (WAL, synchronous=FULL, each application in its own
transaction through actOnApplication), timing it. Prints and saves (bench/results/) the time,
applications a second and rows written a second.

Options:
  --applications N  size of the database (default 1000000)
  --due K           applications past their deadline (default 100000)
  --batch B         the sweep's batch size (default: the product's)
  --keep            keep the swept copy (default: delete it)
  -h, --help        this help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      applications: { type: 'string' },
      due: { type: 'string' },
      batch: { type: 'string' },
      keep: { type: 'boolean' },
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
  for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });
  const copyStarted = performance.now();
  copyFileSync(pristine, work);
  console.log(`data: copied ${gib(statSync(work).size)} to ${work} in ${((performance.now() - copyStarted) / 1000).toFixed(1)} s`);

  const handle = openDatabase({ kind: 'sqlite', path: work });
  const logger = pino({ level: 'warn' });
  const deps: ServiceDeps = { database: handle, clock: systemClock, ids: randomIds, passwords: argon2Hasher, logger };
  const services = createServices(deps, await loadServerSecrets(deps));
  const sqlite = handle.sqlite!;
  const dueNow = () => (sqlite.prepare('select count(*) as n from applications where deadline_at is not null and deadline_at <= ?').get(new Date().toISOString()) as { n: number }).n;
  const changes = () => (sqlite.prepare('select total_changes() as n').get() as { n: number }).n;
  const before = dueNow();
  console.log(`sweep: ${before.toLocaleString('en')} applications are past their deadline`);
  const loadBefore = load();
  const changes0 = changes();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = values.batch ? await services.sweepDeadlines(parseCount(values.batch, '--batch')) : await services.sweepDeadlines();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const rowsWritten = changes() - changes0;
  const after = dueNow();
  await handle.close();
  if (!values.keep) for (const f of [work, `${work}-wal`, `${work}-shm`]) rmSync(f, { force: true });

  const summary = {
    startedAt: new Date(Date.now() - seconds * 1000).toISOString(),
    machine: machineInfo(),
    uptimeBefore,
    uptimeAfter: uptime(),
    loadBefore,
    loadAfter: load(),
    database: { file: pristine, applications, due, bytes: statSync(pristine).size },
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
    `- database: ${applications.toLocaleString('en')} applications, ${before.toLocaleString('en')} past their deadline (${gib(summary.database.bytes)})`,
    `- command: \`npm run bench:sweep -- ${process.argv.slice(2).join(' ')}\``,
    '',
    '| applications swept | 期限切れ却下 (補正期限) | 無効 (納付期限) | skipped | seconds | applications/s | rows written | rows written/s | CPU s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${result.examined.toLocaleString('en')} | ${result.expiredCorrections.toLocaleString('en')} | ${result.expiredPayments.toLocaleString('en')} | ${result.skipped} | ${summary.seconds} | ${summary.applicationsPerSecond.toLocaleString('en')} | ${rowsWritten.toLocaleString('en')} | ${summary.rowsWrittenPerSecond.toLocaleString('en')} | ${summary.cpuSeconds} |`,
    '',
    `- still past their deadline afterwards: ${after}`,
  ].join('\n');
  const files = save('sweep', summary, md);
  console.log(`\n${md}\n\nsaved ${files.json} and ${files.md}`);
  return after === 0 ? 0 : 3;
}

runMain('bench:sweep', main);
