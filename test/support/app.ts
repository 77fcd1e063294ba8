import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { seedDemo } from '../../src/demo/seed.js';
import type { TwoFactorPolicy } from '../../src/domain/accounts.js';
import { fixedClock } from '../../src/domain/time.js';
import type { ServiceDeps } from '../../src/services/context.js';
import { randomIds } from '../../src/services/ids.js';
import { createServices, loadServerSecrets, type ServerSecrets, type Services } from '../../src/services/index.js';
import { argon2Hasher } from '../../src/services/passwords.js';
import { makePendingPasswordCipher } from '../../src/services/pending-password-cipher.js';
import { buildApp } from '../../src/web/app.js';
import type { Metrics } from '../../src/metrics.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const silentLogger = pino({ level: 'silent' });

/** 2026-11-26 10:00 JST, a Thursday and a business day: tests stand on a known day. */
export const TEST_NOW = new Date('2026-11-26T01:00:00Z');

export interface TestApp {
  readonly app: FastifyInstance;
  readonly services: Services;
  /** What the services were built from (the web never sees these). */
  readonly deps: ServiceDeps;
  readonly secrets: ServerSecrets;
  readonly db: TestDatabase;
  readonly clock: ReturnType<typeof fixedClock>;
  close(): Promise<void>;
}

/**
 * The whole HTTP application on a real, fresh database, with a clock the test controls.
 * `seed: true` loads the demo applications (relative to the clock's day) by replaying their events.
 */
/**
 * `pendingPasswordKey`: bulk filings keep their passwords encrypted for the background hasher
 * (decision 0017; no hasher runs unless the test starts one); `logger`: a captured one.
 */
export async function createTestApp(options: { seed?: boolean; now?: Date; metrics?: Metrics; metricsToken?: string; twoFactorPolicy?: TwoFactorPolicy; pendingPasswordKey?: string; logger?: Logger } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const clock = fixedClock(options.now ?? TEST_NOW);
  if (options.seed) await seedDemo(db.handle, { logger: silentLogger, now: clock.now() });
  const logger = options.logger ?? silentLogger;
  const pendingPasswords = options.pendingPasswordKey === undefined ? null : makePendingPasswordCipher(options.pendingPasswordKey);
  const deps: ServiceDeps = { database: db.handle, clock, ids: randomIds, passwords: argon2Hasher, logger, twoFactorPolicy: options.twoFactorPolicy, pendingPasswords };
  const secrets = await loadServerSecrets(deps);
  const services = createServices(deps, secrets, options.metrics?.observer);
  options.metrics?.attach({ figures: services.operationalFigures, database: db.handle, logger });
  const app = await buildApp({ services, cookieSecret: secrets.cookieSecret, logger, metrics: options.metrics, metricsToken: options.metricsToken });
  await app.ready();
  return {
    app,
    services,
    deps,
    secrets,
    db,
    clock,
    async close() {
      await app.close();
      await db.destroy();
    },
  };
}

/** A second server process on the test app's database (its own connection, services and app): what one process changes, the other must see. */
export interface SecondProcess {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly handle: TestApp['deps']['database'];
  close(): Promise<void>;
}

export async function openSecondProcess(t: TestApp): Promise<SecondProcess> {
  const handle = t.db.reopen();
  const deps: ServiceDeps = { ...t.deps, database: handle };
  const secrets = await loadServerSecrets(deps);
  const services = createServices(deps, secrets);
  const app = await buildApp({ services, cookieSecret: secrets.cookieSecret, logger: silentLogger });
  await app.ready();
  return {
    app,
    services,
    handle,
    async close() {
      await app.close();
      await handle.close();
    },
  };
}
