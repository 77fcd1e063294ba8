import client from 'prom-client';
import type { Logger } from 'pino';
import type { ServiceObserver } from './services/observer.js';
import type { OperationalFigures } from './services/operational-figures.js';
import type { DatabaseHandle } from './store/database.js';

/** Latency buckets (seconds): a status page takes about 2–20 ms; anything past 1 s is a problem. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The database figures are read at most this often per process, whatever the scrape interval: the
 * count by procedure and status reads the whole applications table (an index-only scan at best).
 */
export const FIGURES_MAX_AGE_MS = 30_000;

/** What the metrics read from outside at each scrape; attached once the services exist. */
export interface MetricsSources {
  readonly figures: () => Promise<OperationalFigures>;
  readonly database: DatabaseHandle;
  readonly logger: Logger;
}

/**
 * The operator's Prometheus metrics (prom-client), in a registry of their own (never the global one,
 * so every app a test builds counts for itself). Counters are per process; the database figures are
 * read at each scrape. With `--workers N` the primary aggregates the workers' registries
 * (src/web/metrics-server.ts): counters are summed, database figures taken once (`max`: every worker
 * reads the same database).
 */
export function createMetrics(options: { processMetrics?: boolean; figuresMaxAgeMs?: number } = {}) {
  const figuresMaxAgeMs = options.figuresMaxAgeMs ?? FIGURES_MAX_AGE_MS;
  const registry = new client.Registry();
  if (options.processMetrics !== false) client.collectDefaultMetrics({ register: registry });
  let sources: MetricsSources | null = null;

  const httpRequests = new client.Counter({ name: 'keioss_http_requests_total', help: 'HTTP requests by method, route pattern and status code', labelNames: ['method', 'route', 'status_code'], registers: [registry] });
  const httpErrors = new client.Counter({ name: 'keioss_http_server_errors_total', help: 'HTTP responses with a 5xx status, by method and route pattern', labelNames: ['method', 'route'], registers: [registry] });
  const httpDuration = new client.Histogram({ name: 'keioss_http_request_duration_seconds', help: 'HTTP response time by method and route pattern', labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers: [registry] });
  const apiRequests = new client.Counter({ name: 'keioss_api_requests_total', help: 'Agency API (/api/v1) requests by token role (none: no valid token) and status code', labelNames: ['role', 'status_code'], registers: [registry] });
  const csrfRefusals = new client.Counter({ name: 'keioss_csrf_refusals_total', help: 'Form posts refused for a missing or wrong CSRF token (403), by area', labelNames: ['area'], registers: [registry] });
  const versionConflicts = new client.Counter({ name: 'keioss_version_conflicts_total', help: 'Actions refused because the application changed since it was read (409)', registers: [registry] });
  const loginAttempts = new client.Counter({ name: 'keioss_login_attempts_total', help: 'Password attempts by scope (applicant, staff) and outcome (ok, failed, lockedNow, refusedLocked)', labelNames: ['scope', 'outcome'], registers: [registry] });
  const loginLocks = new client.Counter({ name: 'keioss_login_locks_total', help: 'Login locks imposed (a 5th wrong password within 15 minutes), by scope', labelNames: ['scope'], registers: [registry] });
  const rateLimited = new client.Counter({ name: 'keioss_login_rate_limited_total', help: 'Login requests refused with 429 because their client address sent too many, by login step', labelNames: ['step'], registers: [registry] });
  const sweeps = new client.Counter({ name: 'keioss_deadline_sweeps_total', help: 'Deadline sweeps run by this process, by outcome (ok, failed)', labelNames: ['outcome'], registers: [registry] });
  const sweptExpired = new client.Counter({ name: 'keioss_deadline_sweep_expired_total', help: 'Applications expired by the sweeps of this process, by deadline (correction, payment)', labelNames: ['deadline'], registers: [registry] });
  const sweepLastRun = new client.Gauge({ name: 'keioss_deadline_sweep_last_run_timestamp_seconds', help: 'When a sweep of this process last finished (Unix time; 0: none yet)', registers: [registry], aggregator: 'max' });
  const sweepLastSuccess = new client.Gauge({ name: 'keioss_deadline_sweep_last_success_timestamp_seconds', help: 'When a sweep of this process last finished without error (Unix time; 0: none yet)', registers: [registry], aggregator: 'max' });

  const mailAttempts = new client.Counter({ name: 'keioss_mail_attempts_total', help: 'Attempts to send a mail by this process, by kind and outcome (sent, retrying, failed)', labelNames: ['kind', 'outcome'], registers: [registry] });

  // Read from the database once for all the gauges below (collected together at a scrape), then kept figuresMaxAgeMs.
  let latest: { promise: Promise<OperationalFigures | null>; at: number } | null = null;
  const figures = () => {
    if (!sources) return Promise.resolve(null);
    const from = sources;
    const now = performance.now();
    if (latest && (latest.at === -1 || now - latest.at < figuresMaxAgeMs)) return latest.promise;
    const entry: { promise: Promise<OperationalFigures | null>; at: number } = { promise: Promise.resolve(null), at: -1 };
    entry.promise = from.figures().then(
      (f) => {
        entry.at = performance.now();
        return f;
      },
      (err: unknown) => {
        from.logger.warn({ err }, 'metrics: could not read the figures from the database');
        // Not kept: the next scrape tries again.
        latest = null;
        return null;
      },
    );
    latest = entry;
    return entry.promise;
  };
  const fromFigures = (name: string, help: string, labelNames: string[], set: (g: client.Gauge, f: OperationalFigures) => void) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      aggregator: 'max',
      async collect() {
        const f = await figures();
        if (!f) return;
        this.reset();
        set(this, f);
      },
    });
  fromFigures('keioss_applications', 'Applications by procedure and status (from the database)', ['procedure', 'status'], (g, f) => {
    for (const row of f.applications) g.set({ procedure: row.procedure, status: row.status }, row.count);
  });
  fromFigures('keioss_deadlines_due_next_business_day', 'Running deadlines (補正期限, 納付期限) that pass between now and the end of the next business day', [], (g, f) => g.set(f.deadlinesDueByNextBusinessDay));
  fromFigures('keioss_deadlines_overdue', 'Deadlines passed that no sweep has applied yet', [], (g, f) => g.set(f.overdueDeadlines));
  fromFigures('keioss_deadline_sweep_behind_seconds', 'How far behind the sweeper is: seconds since the oldest deadline not yet applied (0: up to date)', [], (g, f) => g.set(f.sweepBehindSeconds));
  fromFigures('keioss_mail_outbox', 'Mails in the outbox by state (queued, retrying: queued after a failed attempt, sent, failed), from the database', ['state'], (g, f) => {
    for (const state of ['queued', 'retrying', 'sent', 'failed'] as const) g.set({ state }, f.mailOutbox[state]);
  });
  fromFigures('keioss_mail_oldest_waiting_seconds', 'Seconds the oldest queued mail has waited (0: none waiting)', [], (g, f) => g.set(f.mailOldestWaitingSeconds));
  fromFigures('keioss_password_hashes_pending', 'Passwords of bulk-filed applications still waiting for the background hasher (decision 0017; seconds at most when it runs)', [], (g, f) => g.set(f.passwordHashesPending));
  fromFigures('keioss_login_locks_active', 'Login locks in force now, by scope (from the database, all processes)', ['scope'], (g, f) => {
    for (const row of f.activeLoginLocks) g.set({ scope: row.scope }, row.count);
  });

  // The database: the pg pool, or the time SQLite writers waited for the write lock.
  new client.Gauge({
    name: 'keioss_db_pool_connections',
    help: 'PostgreSQL pool of this process: connections by state (total, idle, waiting: requests waiting for one)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const pool = sources?.database.pool;
      if (!pool) return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  new client.Counter({
    name: 'keioss_sqlite_busy_seconds_total',
    help: 'SQLite: time this process waited to begin a writing transaction (BEGIN IMMEDIATE, another writer holding the lock)',
    registers: [registry],
    collect() {
      const stats = sources?.database.stats;
      if (!stats) return;
      this.reset();
      this.inc(stats.beginWaitSeconds);
    },
  });

  // Version conflicts are counted once each, whether the service or the page's own check found them.
  const countedConflicts = new WeakSet<object>();
  const observer: ServiceObserver = {
    loginAttempt(scope, outcome) {
      loginAttempts.inc({ scope, outcome });
      if (outcome === 'lockedNow') loginLocks.inc({ scope });
    },
    addressRateLimited(step) {
      rateLimited.inc({ step });
    },
    versionConflict(refusal) {
      if (countedConflicts.has(refusal)) return;
      countedConflicts.add(refusal);
      versionConflicts.inc();
    },
    sweepFinished(at, outcome) {
      const seconds = at.getTime() / 1000;
      sweepLastRun.set(seconds);
      sweeps.inc({ outcome: outcome.ok ? 'ok' : 'failed' });
      if (!outcome.ok) return;
      sweepLastSuccess.set(seconds);
      sweptExpired.inc({ deadline: 'correction' }, outcome.result.expiredCorrections);
      sweptExpired.inc({ deadline: 'payment' }, outcome.result.expiredPayments);
    },
    mailOutcome(kind, outcome) {
      mailAttempts.inc({ kind, outcome });
    },
  };

  return {
    registry,
    observer,
    attach(from: MetricsSources) {
      sources = from;
    },
    /** One HTTP response: route is the pattern (`/api/v1/applications/:number`), never the URL. */
    httpResponse(method: string, route: string, statusCode: number, seconds: number, apiRole: string | null) {
      const status = String(statusCode);
      httpRequests.inc({ method, route, status_code: status });
      httpDuration.observe({ method, route }, seconds);
      if (statusCode >= 500) httpErrors.inc({ method, route });
      if (apiRole !== null) apiRequests.inc({ role: apiRole, status_code: status });
    },
    csrfRefused(area: 'portal' | 'staff') {
      csrfRefusals.inc({ area });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
