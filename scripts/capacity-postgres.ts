/**
 * npx tsx scripts/capacity-postgres.ts --db postgres://… [--scenario status|api-event] [--requests N] [--connections C] [--workers W]
 *
 * The cost of one status page on PostgreSQL, for the capacity plan of docs/deployment.md: starts
 * the built server (dist/src/cli.js serve, NODE_ENV=production) on a database that already holds
 * applications (e.g. loaded with `kei-oss copy-database` from `npm run bench:data`), logs in
 * --sessions applications by writing their sessions, sends N status-page requests with autocannon
 * (a different session each time), or N payments through the agency API (api-event: recordPayment
 * for N applications awaiting one, each once, with a payment-network token), and reports, besides requests a second and latency, the CPU time
 * the server processes and the PostgreSQL backends serving them spent per request: read from /proc,
 * so run it on the database's machine, as root or as the postgres user. CPU per request changes
 * much less than requests a second when other work shares the machine.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createApiToken, createSessions, paymentTargets, revokeApiToken, sampleApplications } from '../bench/lib/fixtures.js';
import { japanDateOf } from '../src/domain/time.js';
import { openDatabase, parseDatabaseUrl } from '../src/store/database.js';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const TICKS = 100; // clock ticks a second (getconf CLK_TCK on Linux)

function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function main() {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      requests: { type: 'string', default: '4000' },
      connections: { type: 'string', default: '16' },
      sessions: { type: 'string', default: '1000' },
      workers: { type: 'string', default: '1' },
      port: { type: 'string', default: '3190' },
      scenario: { type: 'string', default: 'status' },
    },
  });
  const url = values.db;
  if (!url || !/^postgres/.test(url)) throw new Error('--db postgres://… is required');
  const appName = `kei-oss-capacity-${process.pid}`;
  const withName = new URL(url);
  withName.searchParams.set('application_name', appName);

  const handle = openDatabase(parseDatabaseUrl(url), { poolSize: 2, statementTimeoutMs: 600_000 });
  const apps = await sampleApplications(handle, Number(values.sessions));
  const tokens = await createSessions(handle, apps);
  const size = await handle.pool!.query<{ bytes: string; applications: string }>(
    `select (select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and c.relkind = 'r') as bytes,
            (select count(*) from applications) as applications`,
  );

  const server = spawn(process.execPath, [join(ROOT, 'dist/src/cli.js'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: withName.toString(), PORT: values.port, NODE_ENV: 'production', LOG_LEVEL: 'warn', SWEEP_INTERVAL_SECONDS: '0', DEMO_DATA: 'off', WORKERS: values.workers },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${values.port}`;
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  let k = 0;
  const writes = values.scenario === 'api-event';
  // One payment per application awaiting one, each application once (never wrapping around), so
  // that every request is a write that succeeds. The applications move on: rerun on fresh data.
  const warmup = Math.min(writes ? 300 : 1000, Number(values.requests));
  const wanted = warmup + Number(values.requests);
  const targets = writes ? (await paymentTargets(handle, wanted * 2)).slice(0, wanted) : [];
  if (writes && targets.length < wanted) throw new Error(`only ${targets.length} applications await a payment; ask for fewer --requests`);
  const apiToken = writes ? createApiToken(withName.toString(), 'paymentNetwork', `capacity-${process.pid}`) : null;
  if (writes && (!apiToken || targets.length === 0)) throw new Error('no agency API token or no application awaiting a payment');
  const paidOn = japanDateOf(new Date());
  const request: autocannon.Request = writes
    ? {
        method: 'POST',
        path: '/api/v1/applications/x/events',
        setupRequest: (req) => {
          const t = targets[k++ % targets.length]!;
          return {
            ...req,
            path: `/api/v1/applications/${t.number}/events`,
            headers: { ...(req.headers ?? {}), authorization: `Bearer ${apiToken!.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'recordPayment', stage: t.stage, paidOn }),
          };
        },
      }
    : { method: 'GET', path: '/inquiry/status', setupRequest: (req) => ({ ...req, headers: { ...(req.headers ?? {}), cookie: `kei_session=${tokens[k++ % tokens.length]}` } }) };
  const fire = (amount: number) =>
    new Promise<autocannon.Result>((resolve, reject) =>
      autocannon({ url: base, connections: Number(values.connections), amount, requests: [request] }, (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res))),
    );
  await fire(warmup); // warm-up: JIT, pool, caches

  const serverPids = () => [server.pid!, ...childrenOf(server.pid!)];
  const backendPids = async () => (await handle.pool!.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [appName])).rows.map((r) => r.pid);
  const pgBefore = new Map((await backendPids()).map((p) => [p, cpuSeconds(p)]));
  const appBefore = new Map(serverPids().map((p) => [p, cpuSeconds(p)]));
  const load = loadavg()[0]!;
  const result = await fire(Number(values.requests));
  const appCpu = serverPids().reduce((s, p) => s + cpuSeconds(p) - (appBefore.get(p) ?? 0), 0);
  const pgCpu = (await backendPids()).reduce((s, p) => s + cpuSeconds(p) - (pgBefore.get(p) ?? 0), 0);
  const ok = result['2xx'];
  const report = {
    scenario: writes ? 'api-event (POST recordPayment)' : 'status (GET /inquiry/status)',
    applications: Number(size.rows[0]?.applications),
    databaseBytes: Number(size.rows[0]?.bytes),
    workers: Number(values.workers),
    connections: Number(values.connections),
    requests: ok + result.non2xx,
    non2xx: result.non2xx,
    requestsPerSecond: Math.round((ok + result.non2xx) / result.duration),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, v]) => [code, v.count])),
    serverCpuMsPerRequest: Math.round((appCpu * 1000 * 100) / (ok + result.non2xx)) / 100,
    postgresCpuMsPerRequest: Math.round((pgCpu * 1000 * 100) / (ok + result.non2xx)) / 100,
    loadAverageBefore: Math.round(load * 100) / 100,
    loadAverageAfter: Math.round(loadavg()[0]! * 100) / 100,
  };
  console.log(JSON.stringify(report, null, 2));

  if (apiToken) revokeApiToken(withName.toString(), apiToken.id);
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await handle.db.deleteFrom('sessions').where('kind', '=', 'applicant').execute();
  await handle.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
