import { DEMO_ACCOUNT_COPIES } from './demo/account.js';
import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { seedDemo } from './demo/seed.js';
import { systemClock, type Clock } from './domain/time.js';
import { createServices, loadServerSecrets, type Services } from './services/index.js';
import { randomIds } from './services/ids.js';
import { argon2Hasher } from './services/passwords.js';
import { makePendingPasswordCipher } from './services/pending-password-cipher.js';
import { startPasswordHasher } from './jobs/password-hasher.js';
import type { ServiceDeps } from './services/context.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './store/database.js';
import { buildApp } from './web/app.js';
import { startDeadlineSweeper } from './jobs/deadline-sweeper.js';
import { MAIL_LANES, startMailWorker } from './jobs/mail-worker.js';
import { makeWebhookDelivery } from './services/webhooks.js';
import { defaultDeliveryPolicy, makeMailDelivery } from './services/mail-delivery.js';
import { createMailTransport } from './services/mail-transport.js';
import { createMetrics, type Metrics } from './metrics.js';
import { offerToPrimary, startMetricsServer } from './web/metrics-server.js';

export interface Runtime {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly database: DatabaseHandle;
  /** The operator's metrics, when METRICS_PORT or METRICS_TOKEN is set. */
  readonly metrics: Metrics | null;
  stop(): Promise<void>;
}

/** Opens the database, runs migrations, seeds the demo when asked, and builds the app (not yet listening). */
export async function createRuntime(config: Config, logger: Logger, clock: Clock = systemClock, options: { benchRoutes?: boolean } = {}): Promise<Runtime> {
  const database = openDatabase(config.database, { poolSize: config.dbPoolSize, statementTimeoutMs: config.dbStatementTimeoutMs });
  const applied = await migrateToLatest(database);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  if (config.demoData) {
    const created = await seedDemo(database, { logger, accountCopies: DEMO_ACCOUNT_COPIES });
    if (created > 0) logger.info({ created }, 'demo applications created (see README for the logins)');
  }
  const deps: ServiceDeps = { database, clock, ids: randomIds, passwords: argon2Hasher, logger, mail: config.mail, production: config.production, twoFactorPolicy: config.twoFactorPolicy, pendingPasswords: config.pendingPasswordKey === null ? null : makePendingPasswordCipher(config.pendingPasswordKey) };
  const metrics = config.metricsPort !== null || config.metricsToken !== null ? createMetrics() : null;
  const secrets = await loadServerSecrets(deps);
  const services = createServices(deps, secrets, metrics?.observer);
  metrics?.attach({ figures: services.operationalFigures, database, logger });
  const app = await buildApp({
    services,
    cookieSecret: secrets.cookieSecret,
    logger,
    trustProxy: config.trustProxy,
    benchRoutes: options.benchRoutes ?? config.benchRoutes,
    statusPageCacheBytes: config.statusPageCacheMb * 1024 * 1024,
    metrics,
    metricsToken: config.metricsToken ?? undefined,
  });
  const sweeper = config.sweepIntervalMs > 0 ? startDeadlineSweeper(services, logger, config.sweepIntervalMs) : null;
  // Mail from the outbox (issue 15): a worker in every process, started and stopped with the sweeper.
  const transport = createMailTransport(config.mailTransport, logger);
  if (config.mailPollMs > 0) logger.info({ to: transport.description }, 'mail delivery');
  const mailWorker = config.mailPollMs > 0 ? startMailWorker(makeMailDelivery(deps, transport, defaultDeliveryPolicy, metrics?.observer), logger, config.mailPollMs, MAIL_LANES) : null;
  // Webhooks of the 利用者IDs (issue 17): their outbox, sent by the same worker loop as the mail.
  const webhookWorker = config.mailPollMs > 0 ? startMailWorker(makeWebhookDelivery(deps), logger, config.mailPollMs) : null;
  // Decision 0017: the passwords of bulk filings, hashed after the answer; at start, the leftovers of a process that died.
  const passwordHasher = deps.pendingPasswords ? startPasswordHasher(services.pendingPasswordHashing, logger) : null;
  if (!passwordHasher) {
    const left = await services.pendingPasswordHashing.pendingCount();
    if (left > 0) logger.error({ pending: left }, 'pending passwords wait for their hash, but PENDING_PASSWORD_KEY is not set: their applications cannot log in until it is');
  }
  return {
    app,
    services,
    database,
    metrics,
    async stop() {
      passwordHasher?.stop();
      sweeper?.stop();
      mailWorker?.stop();
      webhookWorker?.stop();
      // Finishes the requests in flight (new ones get 503), then closes the database.
      await app.close();
      await passwordHasher?.idle();
      await sweeper?.idle();
      await mailWorker?.idle();
      await webhookWorker?.idle();
      transport.close();
      await database.close();
    },
  };
}

/** `kei-oss serve`: listens, and stops gracefully on SIGTERM/SIGINT. */
export async function serve(config: Config, logger: Logger, options: { benchRoutes?: boolean } = {}): Promise<Runtime> {
  const runtime = await createRuntime(config, logger, systemClock, options);
  await runtime.app.listen({ port: config.port, host: config.host });
  // METRICS_PORT: this process serves its own metrics there; a worker of --workers N offers them to the primary, which serves them all.
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | null = null;
  if (runtime.metrics && config.metricsPort !== null) {
    const registry = runtime.metrics.registry;
    if (cluster.isWorker) offerToPrimary(registry);
    else {
      metricsServer = await startMetricsServer({ port: config.metricsPort, host: config.metricsHost, token: config.metricsToken, collect: () => registry.metrics(), onError: (err) => logger.error({ err }, 'metrics: could not collect') });
      logger.info({ url: `http://${config.metricsHost}:${metricsServer.port}/metrics` }, 'metrics listening');
    }
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    Promise.all([runtime.stop(), metricsServer?.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // \`on\`, not \`once\`: a signal sent twice (by a terminal to the process group and passed on by the
  // first process of src/cli/heap.ts) must not end the graceful stop half-way.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return runtime;
}
