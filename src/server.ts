import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { seedDemo } from './demo/seed.js';
import { systemClock, type Clock } from './domain/time.js';
import { createServices, loadServerSecrets, type Services } from './services/index.js';
import { randomIds } from './services/ids.js';
import { argon2Hasher } from './services/passwords.js';
import type { ServiceDeps } from './services/context.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './store/database.js';
import { buildApp } from './web/app.js';
import { startDeadlineSweeper } from './jobs/deadline-sweeper.js';

export interface Runtime {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly database: DatabaseHandle;
  stop(): Promise<void>;
}

/** Opens the database, runs migrations, seeds the demo when asked, and builds the app (not yet listening). */
export async function createRuntime(config: Config, logger: Logger, clock: Clock = systemClock, options: { benchRoutes?: boolean } = {}): Promise<Runtime> {
  const database = openDatabase(config.database, { poolSize: config.dbPoolSize, statementTimeoutMs: config.dbStatementTimeoutMs });
  const applied = await migrateToLatest(database);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  if (config.demoData) {
    const created = await seedDemo(database, { logger });
    if (created > 0) logger.info({ created }, 'demo applications created (see README for the logins)');
  }
  const deps: ServiceDeps = { database, clock, ids: randomIds, passwords: argon2Hasher, logger };
  const services = createServices(deps, await loadServerSecrets(deps));
  const app = await buildApp({ services, logger, trustProxy: config.trustProxy, benchRoutes: options.benchRoutes ?? config.benchRoutes });
  const sweeper = config.sweepIntervalMs > 0 ? startDeadlineSweeper(services, logger, config.sweepIntervalMs) : null;
  return {
    app,
    services,
    database,
    async stop() {
      sweeper?.stop();
      // Finishes the requests in flight (new ones get 503), then closes the database.
      await app.close();
      await sweeper?.idle();
      await database.close();
    },
  };
}

/** `kei-oss serve`: listens, and stops gracefully on SIGTERM/SIGINT. */
export async function serve(config: Config, logger: Logger, options: { benchRoutes?: boolean } = {}): Promise<Runtime> {
  const runtime = await createRuntime(config, logger, systemClock, options);
  await runtime.app.listen({ port: config.port, host: config.host });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    runtime.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return runtime;
}
