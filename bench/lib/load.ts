import autocannon from 'autocannon';
import { load, round1, round2 } from './common.js';
import type { ServerHandle } from './server.js';

/**
 * One measured scenario: autocannon (in this process, not the server's) on loopback, a fixed
 * number of connections for a fixed time, after an unmeasured warm-up. Every request may differ
 * (`next` is called per request: a different session, number or address each time).
 */
export interface Scenario {
  readonly key: string;
  readonly title: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** The status every response should have (anything else is counted as unexpected). */
  readonly expect: number;
  /** The per-request part: headers, body, and the path when it varies. */
  readonly next: () => { path?: string; headers?: Record<string, string>; body?: string };
  /** Why this scenario is shaped as it is (printed in the report). */
  readonly note: string;
}

export interface PhaseResult {
  readonly key: string;
  readonly title: string;
  readonly requestsPerSecond: number;
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  readonly responses: number;
  readonly expected: number;
  readonly unexpected: number;
  readonly statusCodes: Record<string, number>;
  readonly errors: number;
  readonly timeouts: number;
  /** Server CPU time (user + system) per response, in microseconds: what a request costs, whatever else runs. */
  readonly serverCpuMicrosPerRequest: number;
  /** The database server's CPU time per response (PostgreSQL on this machine, `LoadOptions.databaseCpuSeconds`), in microseconds; null when not measured. */
  readonly databaseCpuMicrosPerRequest: number | null;
  /** Share of one core the server used during the measurement (1 = one core busy all the time). */
  readonly serverCores: number;
  /** Share of one core the load generator (this process) used. */
  readonly loadGeneratorCores: number;
  readonly peakRssBytes: number;
  readonly rssAfterBytes: number;
  readonly seconds: number;
  readonly connections: number;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
  readonly note: string;
}

export interface LoadOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** The database server's CPU seconds so far (PostgreSQL on this machine), to count its share of a request; absent for SQLite (in the server's process). */
  readonly databaseCpuSeconds?: (() => number) | undefined;
}

function run(server: ServerHandle, s: Scenario, connections: number, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolveRun, reject) => {
    autocannon(
      {
        url: server.baseUrl,
        connections,
        duration: seconds,
        pipelining: 1,
        timeout: 30,
        requests: [
          {
            method: s.method,
            path: s.path,
            setupRequest: (req) => {
              const n = s.next();
              return { ...req, ...(n.path ? { path: n.path } : {}), headers: { ...(req.headers ?? {}), ...(n.headers ?? {}) }, ...(n.body !== undefined ? { body: n.body } : {}) };
            },
          },
        ],
      },
      (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolveRun(result)),
    );
  });
}

export async function measure(server: ServerHandle, s: Scenario, o: LoadOptions): Promise<PhaseResult> {
  if (o.warmupSeconds > 0) await run(server, s, o.connections, o.warmupSeconds);
  const loadBefore = load();
  server.resetPeak();
  let sampled = server.rss();
  const timer = setInterval(() => {
    sampled = Math.max(sampled, server.rss());
  }, 100);
  const serverCpu0 = server.cpuSeconds();
  const databaseCpu0 = o.databaseCpuSeconds?.() ?? 0;
  const selfCpu0 = process.cpuUsage();
  const r = await run(server, s, o.connections, o.seconds);
  const serverCpu = server.cpuSeconds() - serverCpu0;
  const databaseCpu = o.databaseCpuSeconds ? o.databaseCpuSeconds() - databaseCpu0 : null;
  const selfCpu = process.cpuUsage(selfCpu0);
  clearInterval(timer);
  const peak = Math.max(sampled, server.peak());
  const codes: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) codes[code] = v.count ?? 0;
  const responses = Object.values(codes).reduce((a, b) => a + b, 0) || r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  const expected = codes[String(s.expect)] ?? 0;
  return {
    key: s.key,
    title: s.title,
    requestsPerSecond: Math.round(responses / r.duration),
    latencyMs: { p50: round2(r.latency.p50), p90: round2(r.latency.p90), p99: round2(r.latency.p99), max: round2(r.latency.max), mean: round2(r.latency.mean) },
    responses,
    expected,
    unexpected: responses - expected,
    statusCodes: codes,
    errors: r.errors,
    timeouts: r.timeouts,
    serverCpuMicrosPerRequest: responses > 0 ? Math.round((serverCpu * 1e6) / responses) : 0,
    databaseCpuMicrosPerRequest: databaseCpu !== null && responses > 0 ? Math.round((databaseCpu * 1e6) / responses) : null,
    serverCores: round2(serverCpu / r.duration),
    loadGeneratorCores: round2((selfCpu.user + selfCpu.system) / 1e6 / r.duration),
    peakRssBytes: peak,
    rssAfterBytes: server.rss(),
    seconds: round1(r.duration),
    connections: o.connections,
    loadBefore,
    loadAfter: load(),
    note: s.note,
  };
}
