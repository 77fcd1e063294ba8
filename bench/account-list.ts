/**
 * npm run bench:account-list -- [--applications 1000000] [--held 10000]
 *
 * A 利用者ID holding `held` applications among `applications`: the first page of 申請一覧 at one
 * connection (p99) and at 64 (pages a second), a search by 車台番号, and the CSV of the whole list.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import calculateLuhnModN from 'calculate-luhn-mod-n';
import { sql } from 'kysely';
import { listGroupOf, listGroupOrder } from '../src/domain/status-view.js';
import { statusCodes } from '../src/domain/statuses.js';
import { argon2Hasher } from '../src/services/passwords.js';
import { migrateToLatest } from '../src/store/database.js';
import { heapFlags } from '../src/cli/heap.js';
import { ensureDir, load, machineInfo, mib, parseCount, RESULTS_DIR, round1, timestamp } from './lib/common.js';
import { formatSummary, summariseProfile } from './lib/cpuprofile.js';
import { LOAD_OPTIONS, loadSettings, runMain } from './lib/cli.js';
import { csrfPair, openBench } from './lib/fixtures.js';
import { BENCH_PASSWORD } from './lib/generator.js';
import { measure, type PhaseResult, type Scenario } from './lib/load.js';
import { machineLines, save } from './lib/report.js';
import { buildIfNeeded, startServer } from './lib/server.js';
import { defaultDatabase, ensureData, uptime } from './lib/suite.js';

const HELP = `Usage: npm run bench:account-list -- [options]

Adds (once) a 利用者ID to the benchmark database (generated when missing, as npm run bench does)
holding --held applications picked at random, starts the production server on it, logs in, and
measures with autocannon on loopback:
  - the first page of 申請一覧 (the account's applications, those that need the user first) at one
    connection (latency p99) and at --connections (pages a second): the page kept per list version;
  - the same page asked as /account/applications?status=all, rendered at every request (what a first
    view after a change of the list costs), at --connections;
  - a search by 車台番号 (a different held application each request) at one connection;
  - the CSV of the whole list, once: seconds, bytes, the server's peak memory.
Prints and saves (bench/results/) the figures.

Options:
  --applications N   size of the generated database (default 1000000)
  --database URL     a database file or postgres:// URL instead (default data/bench/bench-N.sqlite)
  --held K           applications the 利用者ID holds (default 10000)
  --duration S       measured seconds a phase (default 10)
  --warmup S         unmeasured warm-up seconds (default 3)
  --connections C    connections of the throughput phase (default 64)
  --port P           the server's port (default: a free one)
  --profile PAGE     kept | rendered: only that page at --connections, the server under node --cpu-prof;
                     prints where its CPU time went (the profile is kept in bench/results/profiles/)
  -h, --help         this help`;

const luhn = (digits: string) => calculateLuhnModN((c) => Number(c), (n) => String(n), 10, digits);
/** The benchmark's 利用者ID: 11 fixed digits and their check digit. */
const BENCH_USER_ID = `90000000016${luhn('90000000016')}`;

async function prepareAccount(databaseUrl: string, held: number, log: (l: string) => void): Promise<{ chassis: string[] }> {
  const handle = openBench(databaseUrl);
  try {
    await migrateToLatest(handle);
    const db = handle.db;
    let account = await db.selectFrom('accounts').select('id').where('user_id', '=', BENCH_USER_ID).executeTakeFirst();
    const now = new Date().toISOString();
    if (!account) {
      const id = '00000000-0000-4000-8000-00000000b016';
      await db.insertInto('accounts').values({ id, user_id: BENCH_USER_ID, kind: 'business', name: 'ベンチマーク販売店', mail_address: 'bench@kei-oss.example.jp', confirmed_at: now, password_hash: await argon2Hasher.hash(BENCH_PASSWORD), totp_secret: null, created_at: now, updated_at: now }).execute();
      account = { id };
    }
    const has = Number((await db.selectFrom('account_applications').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', account.id).executeTakeFirstOrThrow()).n);
    if (has !== held) {
      log(`account: attaching ${held.toLocaleString('en')} random applications (it held ${has.toLocaleString('en')})…`);
      await db.deleteFrom('account_applications').where('account_id', '=', account.id).execute();
      const started = performance.now();
      // The list's order on each row, as the store keeps it (accountListing): the domain's group of each status.
      const rank = sql.join(
        statusCodes.map((s) => sql`when ${s} then ${sql.lit(listGroupOrder.indexOf(listGroupOf(s)))}`),
        sql` `,
      );
      await sql`insert into account_applications (account_id, application_id, added_at, status, list_rank, sort_deadline, status_changed_at, procedure, office_code, filed_at)
        select ${account.id}, id, ${now}, status, case status ${rank} else 1 end, coalesce(deadline_at, '9999'), status_changed_at, procedure, office_code, filed_at
        from applications order by random() limit ${held}`.execute(db);
      log(`account: attached in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const chassis = await db.selectFrom('account_applications as aa').innerJoin('applications as a', 'a.id', 'aa.application_id').select('a.chassis_number').where('aa.account_id', '=', account.id).limit(1000).execute();
    return { chassis: chassis.map((r) => r.chassis_number) };
  } finally {
    await handle.close();
  }
}

async function login(baseUrl: string): Promise<string> {
  const { cookie, token } = await csrfPair(baseUrl);
  const res = await fetch(`${baseUrl}/account/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ userId: BENCH_USER_ID, password: BENCH_PASSWORD, totpCode: '', _csrf: token }).toString(),
  });
  const session = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('kei_session='));
  if (res.status !== 303 || !session) throw new Error(`login failed: ${res.status}`);
  return `${cookie}; ${session}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { ...LOAD_OPTIONS, applications: { type: 'string' }, database: { type: 'string' }, held: { type: 'string' }, profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const applications = parseCount(values.applications ?? '1000000', '--applications');
  const held = parseCount(values.held ?? '10000', '--held');
  const settings = await loadSettings(values, 10);
  const database = values.database ?? defaultDatabase(applications);
  const log = (l: string) => console.log(l);
  const uptimeBefore = uptime();
  log(`machine: ${uptimeBefore}`);
  await ensureData(database, values.database ? null : applications, log);
  const { chassis } = await prepareAccount(database, held, log);
  buildIfNeeded(log);
  const profile = values.profile;
  if (profile !== undefined && profile !== 'kept' && profile !== 'rendered') throw new Error('--profile: kept or rendered');
  const profileDir = join(RESULTS_DIR, 'profiles');
  const profileName = `${timestamp()}-account-list-${profile ?? ''}.cpuprofile`;
  let nodeArgs: string[] = [];
  if (profile) {
    ensureDir(profileDir);
    // Node started with a flag of its own (--cpu-prof) is not started again by serve: the heap limits it would have are given here.
    const heap = heapFlags(process.env, []);
    if ('error' in heap) throw new Error(heap.error);
    nodeArgs = [...(heap.flags ?? []), '--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', profileName];
  }
  const server = await startServer({ databaseUrl: database, port: settings.port, workers: 1, nodeArgs });
  const phases: PhaseResult[] = [];
  let csv: { seconds: number; bytes: number; rows: number; peakRssBytes: number } | undefined;
  try {
    const cookie = await login(server.baseUrl);
    let i = 0;
    const firstPage: Scenario = { key: 'account-list', title: '申請一覧 (first page)', method: 'GET', path: '/account/applications', expect: 200, next: () => ({ headers: { cookie } }), note: `a 利用者ID holding ${held.toLocaleString('en')} applications` };
    const search: Scenario = {
      key: 'account-search',
      title: '申請一覧, search by 車台番号',
      method: 'GET',
      path: '/account/applications',
      expect: 200,
      next: () => ({ path: `/account/applications?q=${encodeURIComponent(chassis[i++ % chassis.length]!)}`, headers: { cookie } }),
      note: 'a different held application each request',
    };
    if (profile) {
      const page = profile === 'kept' ? firstPage : { ...firstPage, path: '/account/applications?status=all' };
      const phase = await measure(server, page, { connections: settings.connections, seconds: settings.seconds, warmupSeconds: settings.warmupSeconds });
      await server.stop();
      const file = join(profileDir, profileName);
      if (!readdirSync(profileDir).includes(profileName)) throw new Error(`no profile was written at ${file}`);
      log(`\n${profile} first page at ${settings.connections} connections: ${phase.requestsPerSecond} pages/s, p99 ${phase.latencyMs.p99} ms (${uptime()})`);
      log(`profile: ${file} (the whole server process: start-up, warm-up and the measurement)\n`);
      log(formatSummary(summariseProfile(file, [], 30)));
      return 0;
    }
    phases.push(await measure(server, firstPage, { connections: 1, seconds: settings.seconds, warmupSeconds: settings.warmupSeconds }));
    phases.push(await measure(server, firstPage, { connections: settings.connections, seconds: settings.seconds, warmupSeconds: settings.warmupSeconds }));
    // The same page asked with a query: rendered at every request (the path of a first view after a change).
    const rendered: Scenario = { ...firstPage, key: 'account-list-rendered', title: '申請一覧 (first page, rendered: ?status=all)', path: '/account/applications?status=all', next: () => ({ headers: { cookie } }), note: 'the same page, never kept' };
    phases.push(await measure(server, rendered, { connections: settings.connections, seconds: settings.seconds, warmupSeconds: settings.warmupSeconds }));
    phases.push(await measure(server, search, { connections: 1, seconds: settings.seconds, warmupSeconds: settings.warmupSeconds }));
    server.resetPeak();
    const started = performance.now();
    const res = await fetch(`${server.baseUrl}/account/applications.csv`, { headers: { cookie } });
    const body = Buffer.from(await res.arrayBuffer());
    csv = { seconds: round1((performance.now() - started) / 1000), bytes: body.length, rows: body.toString('utf8').split('\r\n').filter((l) => l !== '').length - 1, peakRssBytes: server.peak() };
  } finally {
    await server.stop();
  }
  if (!csv) throw new Error('the CSV was not measured');
  const summary = { startedAt: new Date().toISOString(), machine: machineInfo(), uptimeBefore, uptimeAfter: uptime(), load: load(), database, applications, held, phases, csv };
  const md = [
    `# npm run bench:account-list — ${summary.startedAt}`,
    '',
    ...machineLines(summary.machine),
    `- before: \`${uptimeBefore}\``,
    `- after: \`${summary.uptimeAfter}\``,
    `- a 利用者ID holding ${held.toLocaleString('en')} of ${applications.toLocaleString('en')} applications (${database})`,
    '',
    '| phase | connections | pages/s | p50 ms | p99 ms | unexpected |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...phases.map((p) => `| ${p.title} | ${p.connections} | ${p.requestsPerSecond.toLocaleString('en')} | ${p.latencyMs.p50} | ${p.latencyMs.p99} | ${p.unexpected} |`),
    '',
    `- CSV of the whole list: ${csv.rows.toLocaleString('en')} rows, ${mib(csv.bytes)} in ${csv.seconds} s; the server's peak memory meanwhile ${mib(csv.peakRssBytes)}`,
  ].join('\n');
  const files = save('account-list', summary, md);
  console.log(`\n${md}\n\nsaved ${files.json} and ${files.md}`);
  return phases.every((p) => p.unexpected === 0) && csv.rows === held ? 0 : 3;
}

runMain('bench:account-list', main);
