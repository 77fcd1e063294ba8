import { existsSync, readFileSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { BENCH_PASSWORD, defaultWriters, generateSqlite } from './generator.js';
import { defaultDatabasePath, load, machineInfo, type MachineInfo } from './common.js';
import { createApiToken, createSessions, csrfPair, deleteApplicantSessions, giveContacts, openBench, removeContacts, touchApplicantSessions, paymentTargets, revokeApiToken, sampleApplications, viewEach, warmApplications, type ApiToken } from './fixtures.js';
import { measure, type PhaseResult, type Scenario } from './load.js';
import { ratios, summarise, type ScenarioSummary } from './report.js';
import { apiEvent, apiRead, ceiling, loginPassword, statusPage, topPage, type ScenarioKey } from './scenarios.js';
import { postgresCpuSeconds } from './postgres.js';
import { buildIfNeeded, startServer, type ServerHandle } from './server.js';

export interface SuiteOptions {
  /** A SQLite path or a postgres:// URL. */
  readonly database: string;
  /** For a missing SQLite file: generate this many applications first (null: fail instead). */
  readonly generateApplications: number | null;
  readonly scenarios: readonly ScenarioKey[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly sessions: number;
  /** The share of the status page's applications given a confirmed 連絡先 for the run (removed after it). */
  readonly contacts: number;
  readonly repeat: number;
  readonly port: number;
  readonly workers: number;
  readonly nodeArgs?: readonly string[];
  readonly build: boolean;
  readonly log: (line: string) => void;
}

export interface SuiteResult {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly uptimeBefore: string;
  readonly uptimeAfter: string;
  readonly machine: MachineInfo;
  readonly database: { readonly url: string; readonly bytes: number | null; readonly applications: number | null; readonly generated: unknown };
  readonly options: Omit<SuiteOptions, 'log'>;
  readonly phases: (PhaseResult & { repeat: number })[];
  readonly summary: ScenarioSummary[];
  /** status ÷ ceiling (percent), each repetition, and their median. */
  readonly statusToCeiling: { each: number[]; median: number | null };
  readonly skipped: { key: string; why: string }[];
  readonly serverExit: number | null;
}

export const isPostgres = (url: string) => /^postgres(ql)?:\/\//i.test(url);
/** A database URL on this machine (its server's CPU can be read from /proc). */
const isLocalUrl = (url: string) => ['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(url).hostname);

export function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${load().join(', ')}`;
  }
}

/** Makes sure the SQLite file exists (generating it when allowed). */
export async function ensureData(database: string, generateApplications: number | null, log: (l: string) => void): Promise<void> {
  if (isPostgres(database) || existsSync(database)) return;
  if (generateApplications === null) throw new Error(`${database} does not exist: run npm run bench:data -- --applications N --out ${database}`);
  log(`data: ${database} is missing; generating ${generateApplications.toLocaleString('en')} applications (npm run bench:data)…`);
  const r = await generateSqlite({
    applications: generateApplications,
    due: 0,
    out: database,
    seed: 'kei-oss-bench',
    now: new Date(),
    cacheMb: 1024,
    writers: defaultWriters(),
    deferIndexes: true,
    check: false,
    log: (l) => log(`  ${l}`),
  });
  log(`data: ${r.totalRows.toLocaleString('en')} rows in ${r.seconds.total} s`);
}

function manifestOf(database: string): { applications: number | null; generated: unknown } {
  try {
    const m = JSON.parse(readFileSync(`${database}.json`, 'utf8')) as { applications?: number };
    return { applications: m.applications ?? null, generated: m };
  } catch {
    return { applications: null, generated: null };
  }
}

const fmt = (p: PhaseResult) =>
  `${p.key.padEnd(10)} ${p.requestsPerSecond.toLocaleString('en').padStart(7)} req/s  p50 ${String(p.latencyMs.p50).padStart(6)} ms  p99 ${String(p.latencyMs.p99).padStart(6)} ms  peak RSS ${Math.round(p.peakRssBytes / 1024 ** 2)} MB  server ${p.serverCpuMicrosPerRequest} µs CPU/req${p.databaseCpuMicrosPerRequest !== null ? ` + PostgreSQL ${p.databaseCpuMicrosPerRequest} µs` : ''} (${p.serverCores} cores, load generator ${p.loadGeneratorCores})  ${p.unexpected ? `UNEXPECTED ${p.unexpected} (${JSON.stringify(p.statusCodes)}) ` : ''}(load ${p.loadBefore[0]} → ${p.loadAfter[0]})`;

/** Waits until the server answers the bench route quickly three times in a row (at most 120 s); returns the seconds waited. */
async function settle(server: ServerHandle): Promise<number> {
  const started = performance.now();
  let quick = 0;
  while (quick < 3 && performance.now() - started < 120_000) {
    const t0 = performance.now();
    try {
      await (await fetch(`${server.baseUrl}/__bench/hello`)).text();
    } catch {
      /* try again */
    }
    quick = performance.now() - t0 < 50 ? quick + 1 : 0;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (performance.now() - started) / 1000;
}

/** The tag of the 連絡先 a run gives (--contacts), removed at its end. */
const CONTACTS_TAG = 'status';

/**
 * Runs the chosen scenarios against one production server on one database, `repeat` times, and
 * returns every measurement. Sessions for the status page are created just before each status
 * measurement (so none is older than the minute after which a view also writes last_seen_at).
 */
export async function runSuite(o: SuiteOptions): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const uptimeBefore = uptime();
  o.log(`machine: ${uptimeBefore}`);
  if (o.build) buildIfNeeded(o.log);
  await ensureData(o.database, o.generateApplications, o.log);
  if (o.seconds + o.warmupSeconds >= 60 && o.scenarios.includes('status')) {
    o.log('note: warm-up + duration ≥ 60 s: some status-page views will also write last_seen_at (once a minute per session).');
  }
  const handle = openBench(o.database);
  const skipped: { key: string; why: string }[] = [];
  const phases: (PhaseResult & { repeat: number })[] = [];
  let server: ServerHandle | null = null;
  let token: ApiToken | null = null;
  let serverExit: number | null = null;
  try {
    const apps = await sampleApplications(handle, o.sessions);
    o.log(`data: ${o.database}, ${apps.length.toLocaleString('en')} applications sampled evenly over the table`);
    if (o.contacts > 0) {
      const given = await giveContacts(handle, apps.map((a) => a.id), o.contacts, CONTACTS_TAG);
      o.log(`data: ${given.toLocaleString('en')} of them given a confirmed 連絡先メールアドレス of their own for this run (--contacts ${o.contacts}; removed after it)`);
    }
    const cold = await warmApplications(handle, apps);
    o.log(`data: read them once in ${cold.toFixed(1)} s (${Math.round((cold * 1e6) / Math.max(1, apps.length))} µs each, from a cold cache if they were not read lately), so that the measurement is of applications in memory`);
    const wantsApi = o.scenarios.some((k) => k === 'api-read' || k === 'api-event');
    const targets = o.scenarios.includes('api-event') ? await paymentTargets(handle, 60_000) : [];
    // One queue of payments for all the runs: each application is paid once per stage.
    const paymentScenario = (t: ApiToken) => (paying ??= apiEvent(targets, t));
    let paying: Scenario | null = null;
    // PostgreSQL on this machine: its processes' CPU is counted too (a page's cost is the server's and the database's).
    const databaseCpuSeconds = isPostgres(o.database) && isLocalUrl(o.database) ? postgresCpuSeconds : undefined;
    const loadOptions = { connections: o.connections, seconds: o.seconds, warmupSeconds: o.warmupSeconds, databaseCpuSeconds };
    for (let repeat = 1; repeat <= o.repeat; repeat++) {
      if (o.repeat > 1) o.log(`-- run ${repeat} of ${o.repeat}`);
      // A fresh server for each run, so that no run inherits another's memory or caches.
      server = await startServer({ databaseUrl: o.database, port: o.port, workers: o.workers, ...(o.nodeArgs ? { nodeArgs: o.nodeArgs } : {}) });
      o.log(`server: pid ${server.pid} at ${server.baseUrl} (NODE_ENV=production, WORKERS=${o.workers}, RSS ${Math.round(server.rss() / 1024 ** 2)} MB at start)`);
      if (wantsApi && repeat === 1) {
        token = createApiToken(o.database, 'paymentNetwork', 'ベンチマーク 収納機関');
        if (!token) o.log('agency API: this build has no create-api-token command (or it failed): the API scenarios are skipped');
      }
      const csrf = await csrfPair(server.baseUrl);
      const csrfCookie = csrf.cookie.split('; ').find((c) => c.startsWith('kei_csrf='))!;
      for (const key of o.scenarios) {
        let scenario: Scenario | null = null;
        if (key === 'ceiling') scenario = ceiling();
        else if (key === 'status' || key === 'status-identity') {
          const tokens = await createSessions(handle, apps);
          const seconds = await viewEach(server.baseUrl, tokens, csrfCookie);
          await touchApplicantSessions(handle);
          o.log(`${key}: viewed each of the ${tokens.length.toLocaleString('en')} pages once first in ${seconds.toFixed(1)} s (first views, rendered and kept), then measured`);
          scenario = statusPage(tokens, csrfCookie, key === 'status');
        }
        else if (key === 'login') scenario = loginPassword(apps, BENCH_PASSWORD, csrf.cookie, csrf.token);
        else if (key === 'top') scenario = topPage();
        else if (key === 'api-read' && token) scenario = apiRead(apps, token);
        else if (key === 'api-event' && token) {
          if (targets.length === 0) {
            if (repeat === 1) skipped.push({ key, why: 'no application awaits a payment in this database' });
          } else scenario = paymentScenario(token);
        } else if (repeat === 1) skipped.push({ key, why: 'the agency API is not in this build' });
        if (!scenario) continue;
        const result = await measure(server, scenario, loadOptions);
        phases.push({ ...result, repeat });
        o.log(fmt(result));
        // Where the memory is, right after (process.memoryUsage() of the server: V8's heap, off-heap buffers).
        const memory = await fetch(`${server.baseUrl}/__bench/memory`).then(async (r) => (r.ok ? ((await r.json()) as Record<string, number>) : null)).catch(() => null);
        if (memory) o.log(`  memory after: ${['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'].map((k) => `${k} ${Math.round((memory[k] ?? 0) / 1024 ** 2)} MB`).join(', ')}`);
        // Requests still queued when the measurement ended (slow logins) finish before the next one starts.
        const waited = await settle(server);
        if (waited > 1) o.log(`  (the server took ${waited.toFixed(1)} s to finish the requests in flight)`);
      }
      serverExit = await server.stop();
      if (serverExit !== 0 && serverExit !== null) o.log(`server exited with ${serverExit}:\n${server.output().slice(-3000)}`);
      server = null;
      await deleteApplicantSessions(handle);
    }
  } finally {
    const left = server;
    if (left) serverExit = await left.stop();
    if (token) revokeApiToken(o.database, token.id);
    await deleteApplicantSessions(handle).catch(() => 0);
    if (o.contacts > 0) await removeContacts(handle, CONTACTS_TAG).catch(() => 0);
    await handle.close();
  }
  const each = ratios(phases, (p) => (p as PhaseResult & { repeat: number }).repeat);
  const sorted = [...each].sort((a, b) => a - b);
  const manifest = isPostgres(o.database) ? { applications: null, generated: null } : manifestOf(o.database);
  const { log: _log, ...options } = o;
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    uptimeBefore,
    uptimeAfter: uptime(),
    machine: machineInfo(),
    database: { url: o.database, bytes: isPostgres(o.database) ? null : statSync(o.database).size, ...manifest },
    options,
    phases,
    summary: summarise(phases),
    statusToCeiling: { each, median: sorted.length ? sorted[sorted.length >> 1]! : null },
    skipped,
    serverExit,
  };
}

export function defaultDatabase(applications: number): string {
  return defaultDatabasePath(applications);
}
