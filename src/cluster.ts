import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError, type Config } from './config.js';
import { seedDemo } from './demo/seed.js';
import { serve } from './server.js';
import { migrateToLatest, openDatabase } from './store/database.js';
import { clusterCollector, startMetricsServer } from './web/metrics-server.js';

/** Set by the primary on the one worker that runs the deadline sweeper. */
const SWEEPER_ENV = 'KEI_OSS_SWEEPER';
/** Longest wait before a worker that keeps crashing is started again. */
const MAX_RESTART_DELAY_MS = 30_000;
/** A worker that lived this long had a real life: its replacement starts at once. */
const STABLE_AFTER_MS = 10_000;
/** How long the primary waits for its workers to finish their requests at shutdown. */
const SHUTDOWN_GRACE_MS = 30_000;

/** `--workers N` (or WORKERS): how many server processes on this machine. */
export function withWorkers(config: Config, option: unknown): Config {
  let workers = config.workers;
  if (option !== undefined) {
    const text = String(option).trim();
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 64) throw new ConfigError(`--workers は 1〜64 の整数で指定してください（指定値: ${String(option)}）。`);
    workers = Number(text);
  }
  if (workers > 1 && config.database.kind === 'sqlite' && config.database.path === ':memory:') {
    throw new ConfigError('DATABASE_URL が :memory: のときは、複数のプロセス（--workers / WORKERS）で起動できません。');
  }
  return { ...config, workers };
}

interface Slot {
  readonly index: number;
  readonly sweeper: boolean;
  failures: number;
  startedAt: number;
  listening: boolean;
  worker: Worker | null;
}

/**
 * `kei-oss serve --workers N`: N server processes on this machine sharing one port (node:cluster;
 * the primary hands each new connection to the next worker). Sessions, secrets, login throttling
 * and idempotency keys live in the database, so any worker serves any request.
 *
 * The primary runs the migrations (and the demo data) once, then forks the workers and replaces any
 * that dies, with a growing delay if it keeps dying at start. One worker runs the deadline sweeper
 * (another is given the role if it dies); the sweeper is also correct when several run, on one
 * machine or many. SIGTERM/SIGINT: each worker finishes its requests in flight, then the primary exits.
 */
export async function runCluster(config: Config, logger: Logger): Promise<void> {
  if (cluster.isWorker) return runWorker(config, logger);

  const database = openDatabase(config.database, { poolSize: 1, statementTimeoutMs: config.dbStatementTimeoutMs });
  try {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    if (config.demoData) {
      const created = await seedDemo(database, { logger });
      if (created > 0) logger.info({ created }, 'demo applications created (see README for the logins)');
    }
  } finally {
    await database.close();
  }

  const slots: Slot[] = Array.from({ length: config.workers }, (_, index) => ({ index, sweeper: index === 0, failures: 0, startedAt: 0, listening: false, worker: null }));
  const slotOf = (worker: Worker) => slots.find((s) => s.worker === worker);
  let stopping = false;
  let announced = false;

  const fork = (slot: Slot) => {
    slot.startedAt = Date.now();
    slot.listening = false;
    slot.worker = cluster.fork({ [SWEEPER_ENV]: slot.sweeper ? '1' : '0' });
  };

  cluster.on('listening', (worker, address: AddressInfo) => {
    const slot = slotOf(worker);
    if (slot) slot.listening = true;
    logger.info({ worker: worker.id, pid: worker.process.pid, sweeper: slot?.sweeper ?? false }, 'worker listening');
    if (!announced && slots.every((s) => s.listening)) {
      announced = true;
      logger.info({ url: `http://${config.host}:${address.port}/`, workers: config.workers }, 'kei-oss is listening');
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    const slot = slotOf(worker);
    if (!slot) return;
    slot.worker = null;
    slot.listening = false;
    if (stopping) {
      if (slots.every((s) => s.worker === null)) process.exit(0);
      return;
    }
    slot.failures = Date.now() - slot.startedAt < STABLE_AFTER_MS ? slot.failures + 1 : 0;
    const delay = slot.failures === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** slot.failures);
    logger.error({ worker: worker.id, code, signal, restartInMs: delay }, 'worker exited; starting another');
    setTimeout(() => {
      if (!stopping) fork(slot);
    }, delay).unref();
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down the workers');
    const running = slots.filter((s) => s.worker !== null);
    if (running.length === 0) process.exit(0);
    for (const s of running) s.worker?.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error('workers did not stop in time');
      for (const s of slots) s.worker?.process.kill('SIGKILL');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  for (const slot of slots) fork(slot);

  // METRICS_PORT: the primary serves every worker's metrics, aggregated (counters summed; see src/metrics.ts).
  if (config.metricsPort !== null) {
    const server = await startMetricsServer({ port: config.metricsPort, host: config.metricsHost, token: config.metricsToken, collect: clusterCollector(), onError: (err) => logger.error({ err }, 'metrics: could not collect') });
    logger.info({ url: `http://${config.metricsHost}:${server.port}/metrics`, workers: config.workers }, 'metrics listening (all workers)');
  }
}

/** A worker: the whole server, without the one-time work the primary did. */
async function runWorker(config: Config, logger: Logger): Promise<void> {
  const sweeper = process.env[SWEEPER_ENV] === '1';
  const workerLogger = logger.child({ worker: cluster.worker?.id });
  try {
    await serve({ ...config, demoData: false, sweepIntervalMs: sweeper ? config.sweepIntervalMs : 0 }, workerLogger);
  } catch (err) {
    // The IPC channel would keep a failed worker alive: exit, and let the primary start another.
    workerLogger.fatal({ err }, 'worker could not start');
    process.exit(1);
  }
}
