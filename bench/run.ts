/**
 * npm run bench -- [options]
 *
 * Starts the production server on a generated database and measures each scenario with autocannon
 * from this (separate) process on loopback. See bench/README.md.
 */
import { parseArgs } from 'node:util';
import { gib, parseCount } from './lib/common.js';
import { machineLines, markdownTable, save } from './lib/report.js';
import { SCENARIO_KEYS, type ScenarioKey } from './lib/scenarios.js';
import { defaultDatabase, isPostgres, runSuite } from './lib/suite.js';
import { LOAD_OPTIONS, loadSettings, runMain } from './lib/cli.js';

const HELP = `Usage: npm run bench -- [options]

Builds dist/ if needed, starts the production server (node dist/src/cli.js serve, NODE_ENV=production,
DEMO_DATA=off, BENCH_ROUTES=1, LOG_LEVEL=warn, SWEEP_INTERVAL_SECONDS=0) on a generated database,
and measures from this process with autocannon, on loopback, each scenario for a fixed time:

  ceiling    GET /__bench/hello: a fixed small JSON from the same server process
  status     GET /inquiry/status: the logged-in status page, a different application's session each request
  login      POST /inquiry/login/password: login step 2 with the argon2id password check
  api-read   GET /api/v1/applications/:number (agency API, bearer token)
  api-event  POST /api/v1/applications/:number/events (the payment network records a payment)
  top        GET /: the portal top

Prints and saves (bench/results/<time>-bench.json and .md, and latest-bench.*) requests a second,
p50/p99 latency and the server's peak resident memory for each, and the status page's share of the
ceiling measured in the same run.

Options:
  --applications N  use data/bench/bench-N.sqlite (default 1000000), generated first if missing
  --db FILE|URL     another SQLite file, or postgres://… (data loaded by you; see bench/README.md)
  --postgres URL    then, in the same run, the ceiling and the status page again on this PostgreSQL
                    database (loaded with the same data: npm run bench:data -- --applications N
                    --postgres URL), and the ratio of the status page on PostgreSQL to on SQLite
  --duration S      measured seconds per scenario (default 10)
  --warmup S        unmeasured seconds before each (default 3)
  --connections C   concurrent connections (default 64)
  --sessions K      applications (and sessions) the status page rotates over (default 10000)
  --contacts S      the share of those applications (0 to 1) given a confirmed 連絡先メールアドレス of
                    their own for the run, as applicants register one (default 0; removed after the run)
  --repeat R        run the whole set R times; the tables show the median (default 1)
  --only LIST       comma-separated scenarios (default: all, in the order above)
  --workers W       server processes (WORKERS, node:cluster; default 1)
  --port P          server port (default: a free port)
  --no-build        do not rebuild dist/
  -h, --help        this help

The machine's load average (uptime) is recorded before and after each measurement: on a shared
machine, repeat (--repeat 3) and compare.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      applications: { type: 'string' },
      db: { type: 'string' },
      postgres: { type: 'string' },
      ...LOAD_OPTIONS,
      only: { type: 'string' },
      workers: { type: 'string' },
      'no-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const applications = parseCount(values.applications ?? '1000000', '--applications');
  const database = values.db ?? defaultDatabase(applications);
  const scenarios = (values.only ? values.only.split(',').map((s) => s.trim()) : [...SCENARIO_KEYS]) as ScenarioKey[];
  for (const s of scenarios) if (!SCENARIO_KEYS.includes(s)) throw new Error(`--only: unknown scenario ${s} (${SCENARIO_KEYS.join(', ')})`);
  if (values.postgres !== undefined && !isPostgres(values.postgres)) throw new Error(`--postgres: not a postgres:// URL: ${values.postgres}`);
  const settings = await loadSettings(values, 10);
  const workers = Math.max(1, parseCount(values.workers ?? '1', '--workers'));
  const result = await runSuite({
    database,
    generateApplications: values.db ? null : applications,
    scenarios,
    ...settings,
    workers,
    build: !values['no-build'],
    log: (l) => console.log(l),
  });
  // The same page on PostgreSQL, right after, by the same harness (issue 18: PostgreSQL ÷ SQLite in one run).
  const pg = values.postgres
    ? await runSuite({
        database: values.postgres,
        generateApplications: null,
        scenarios: ['ceiling', 'status'],
        ...settings,
        workers,
        build: false,
        log: (l) => console.log(`postgres: ${l}`),
      })
    : null;

  const status = result.summary.find((s) => s.key === 'status');
  const ratio = result.statusToCeiling.median;
  const checks: string[] = [];
  if (status) {
    checks.push(`- status page ÷ ceiling: ${ratio ?? '–'} % (each run: ${result.statusToCeiling.each.join(', ') || '–'}) — target ≥ 50 %: ${ratio !== null && ratio >= 50 ? 'met' : 'missed'}`);
    checks.push(`- status page p99: ${status.p99Ms} ms — target ≤ 20 ms: ${status.p99Ms <= 20 ? 'met' : 'missed'}`);
    checks.push(`- server peak RSS under the status load: ${status.peakRssMb} MB — target ≤ 200 MB: ${status.peakRssMb <= 200 ? 'met' : 'missed'}`);
  }
  const pgStatus = pg?.summary.find((s) => s.key === 'status');
  if (pg && status && pgStatus) {
    const share = Math.round((pgStatus.requestsPerSecond / status.requestsPerSecond) * 100) / 100;
    checks.push(`- status page on PostgreSQL ÷ on SQLite: ${share} (${pgStatus.requestsPerSecond.toLocaleString('en')} ÷ ${status.requestsPerSecond.toLocaleString('en')} a second; server CPU ${pgStatus.serverCpuMicrosPerRequest} µs ÷ ${status.serverCpuMicrosPerRequest} µs a page; PostgreSQL's own CPU ${pgStatus.databaseCpuMicrosPerRequest !== null ? `${pgStatus.databaseCpuMicrosPerRequest} µs a page more (its server's processes on this machine, whatever else used them)` : 'not counted (not on this machine)'}) — target ≥ 0.5: ${share >= 0.5 ? 'met' : 'missed'}`);
    checks.push(`- status page ÷ ceiling on PostgreSQL: ${pg.statusToCeiling.median ?? '–'} %`);
  }
  const login = result.summary.find((s) => s.key === 'login');
  if (login) checks.push(`- logins a second (argon2id m=19456 KiB, t=2, p=1): ${login.requestsPerSecond}`);
  const md = [
    `# npm run bench — ${result.startedAt}`,
    '',
    ...machineLines(result.machine),
    `- before: \`${result.uptimeBefore}\``,
    `- after: \`${result.uptimeAfter}\``,
    `- database: ${result.database.url}${result.database.applications ? `, ${result.database.applications.toLocaleString('en')} applications` : ''}${result.database.bytes ? `, ${gib(result.database.bytes)}` : ''}`,
    `- ${result.options.connections} connections, ${result.options.seconds} s measured after ${result.options.warmupSeconds} s of warm-up, ${result.options.repeat} run(s), ${result.options.workers} server process(es), ${result.options.sessions.toLocaleString('en')} sessions for the status page${result.options.contacts > 0 ? `, ${result.options.contacts} of their applications with a 連絡先メールアドレス (--contacts)` : ''}`,
    `- command: \`${['NODE_OPTIONS', 'KEI_OSS_HEAP_MB', 'STATUS_PAGE_CACHE_MB'].map((v) => (process.env[v] ? `${v}='${process.env[v]}' ` : '')).join('')}npm run bench -- ${process.argv.slice(2).join(' ')}\``,
    '',
    markdownTable(result.summary),
    '',
    ...(pg
      ? [
          `PostgreSQL, right after (${pg.database.url.replace(/\/\/[^@]*@/, '//…@')}; load before \`${pg.uptimeBefore}\`, after \`${pg.uptimeAfter}\`):`,
          '',
          markdownTable(pg.summary),
          '',
        ]
      : []),
    ...checks,
    ...result.skipped.map((s) => `- skipped ${s.key}: ${s.why}`),
    '',
    ...result.summary.map((s) => `- ${s.title}: ${result.phases.find((p) => p.key === s.key)?.note ?? ''}`),
  ].join('\n');
  const files = save(isPostgres(database) ? 'bench-postgres' : pg ? 'bench-sqlite-postgres' : 'bench', pg ? { ...result, postgres: pg } : result, md);
  console.log(`\n${md}\n\nsaved ${files.json} and ${files.md}`);
  return [...result.summary, ...(pg?.summary ?? [])].some((s) => s.unexpected > 0) ? 3 : 0;
}

runMain('bench', main);
