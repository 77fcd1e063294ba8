import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Logger } from 'pino';
import type { Actor } from '../../src/domain/actors.js';
import { validateFiling } from '../../src/domain/filing.js';
import type { OfficeCode } from '../../src/domain/offices.js';
import type { JapanDate } from '../../src/domain/time.js';
import type { ActEvent } from '../../src/services/application-events.js';
import { seedDemo } from '../../src/demo/seed.js';
import { createLogger } from '../../src/logger.js';
import { fixedClock } from '../../src/domain/time.js';
import type { ServiceDeps } from '../../src/services/context.js';
import { randomIds } from '../../src/services/ids.js';
import { createServices, loadServerSecrets, type Services } from '../../src/services/index.js';
import { argon2Hasher, type PasswordHasher } from '../../src/services/passwords.js';
import type { DatabaseHandle } from '../../src/store/database.js';
import { buildApp } from '../../src/web/app.js';
import { TEST_NOW, silentLogger } from './app.js';
import { csrfTokenOf } from './browser.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/** argon2id, counting how many passwords were verified (the brute-force evidence). */
export function countingHasher(inner: PasswordHasher = argon2Hasher): PasswordHasher & { verifications: number } {
  const counter = {
    verifications: 0,
    hash: (p: string) => inner.hash(p),
    verify: async (h: string, p: string) => {
      counter.verifications += 1;
      return inner.verify(h, p);
    },
  };
  return counter;
}

/** Log lines captured as parsed JSON objects (and the raw text, to search for leaks). */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  raw = '';
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      const text = chunk.toString('utf8');
      this.raw += text;
      for (const line of text.split('\n')) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  /** A logger configured as in production (redaction included) that writes here. */
  logger(level = 'info'): Logger {
    return createLogger(level, this.stream);
  }
}

export interface SecurityApp {
  readonly app: FastifyInstance;
  readonly services: Services;
  /** Signs the cookies of this app (for a test that builds another app on the same services). */
  readonly cookieSecret: string;
  readonly db: TestDatabase;
  readonly clock: ReturnType<typeof fixedClock>;
  /** Another app (a second server process) on the same database. */
  another(options?: { trustProxy?: string[] }): Promise<{ app: FastifyInstance; services: Services; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface SecurityAppOptions {
  readonly seed?: boolean;
  readonly now?: Date;
  readonly trustProxy?: string[];
  readonly logger?: Logger;
  readonly passwords?: PasswordHasher;
}

async function servicesOn(handle: DatabaseHandle, clock: ReturnType<typeof fixedClock>, passwords: PasswordHasher, logger: Logger): Promise<{ services: Services; cookieSecret: string }> {
  const deps: ServiceDeps = { database: handle, clock, ids: randomIds, passwords, logger };
  const secrets = await loadServerSecrets(deps);
  return { services: createServices(deps, secrets), cookieSecret: secrets.cookieSecret };
}

/** Like createTestApp, with the options the security tests need (trusted proxies, a log capture, a counting hasher). */
export async function createSecurityApp(options: SecurityAppOptions = {}): Promise<SecurityApp> {
  const db = await createTestDatabase();
  const clock = fixedClock(options.now ?? TEST_NOW);
  if (options.seed) await seedDemo(db.handle, { logger: silentLogger, now: clock.now() });
  const logger = options.logger ?? silentLogger;
  const passwords = options.passwords ?? argon2Hasher;
  const { services, cookieSecret } = await servicesOn(db.handle, clock, passwords, logger);
  const app = await buildApp({ services, cookieSecret, logger, trustProxy: options.trustProxy });
  await app.ready();
  const others: (() => Promise<void>)[] = [];
  return {
    app,
    services,
    cookieSecret,
    db,
    clock,
    async another(more = {}) {
      const handle = db.reopen();
      const s = await servicesOn(handle, clock, passwords, logger);
      const a = await buildApp({ services: s.services, cookieSecret: s.cookieSecret, logger, trustProxy: more.trustProxy ?? options.trustProxy });
      await a.ready();
      const close = async () => {
        await a.close();
        await handle.close();
      };
      others.push(close);
      return { app: a, services: s.services, close };
    },
    async close() {
      for (const c of others) await c().catch(() => undefined);
      await app.close();
      await db.destroy();
    },
  };
}

/** A CSRF cookie and token for anonymous forms (the login steps), to post many times without reloading. */
export async function anonymousForm(app: FastifyInstance, url = '/inquiry/login'): Promise<{ cookie: string; csrf: string }> {
  const res = await app.inject({ method: 'GET', url });
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  return { cookie, csrf: csrfTokenOf(res.body) };
}

export function postForm(
  app: FastifyInstance,
  url: string,
  form: Record<string, string>,
  options: { cookie?: string; remoteAddress?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams(form).toString(),
    remoteAddress: options.remoteAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(options.cookie ? { cookie: options.cookie } : {}), ...(options.headers ?? {}) },
  });
}


export const OFFICE_ACTOR = (officeCode: OfficeCode = 'tokyo'): Actor => ({ kind: 'inspectionOffice', officeCode, id: `test-${officeCode}`, label: `${officeCode} 審査担当` });
export const PAYMENT_ACTOR: Actor = { kind: 'paymentNetwork', id: 'test-payeasy', label: 'Pay-easy' };

/**
 * Files a 継続検査 application and moves it by real events to 検査申請審査中 or 検査申請補正待ち.
 * Returns its id, 受付番号 and password.
 */
export async function givenApplication(
  services: Services,
  options: { officeCode?: OfficeCode; to?: 'awaitingAcceptance' | 'underExamination' | 'correctionRequested'; password?: string; chassis?: string } = {},
): Promise<{ id: string; number: string; password: string }> {
  const officeCode = options.officeCode ?? 'tokyo';
  const password = options.password ?? 'Race-passw0rd';
  const filing = validateFiling({
    procedure: 'continuousInspection',
    officeCode,
    applicantName: '競合テスト販売店',
    applicantAddress: '東京都品川区東大井1-1-1',
    userName: '競合 太郎',
    userAddress: '東京都品川区南大井3-2-1',
    vehicleNumber: '品川 580 さ 1234',
    chassisNumber: options.chassis ?? 'AX01-0000001',
    vehicleModel: '5BA-JF3',
    weightTaxBand: 'standard',
  });
  if (!filing.ok) throw new Error(JSON.stringify(filing.errors));
  const registered = await services.registerApplication(filing.value, password, { kind: 'applicant' });
  if (!registered.ok) throw new Error(registered.refusal.message);
  const id = registered.value.id;
  let number: string = registered.value.arrivalNumber;
  const to = options.to ?? 'correctionRequested';
  if (to === 'awaitingAcceptance') return { id, number, password };
  const office = OFFICE_ACTOR(officeCode);
  const steps: [Actor, ActEvent][] = [
    [office, { type: 'accept' }],
    [office, { type: 'issueFees', dueOn: '2026-12-10' as JapanDate }],
    [PAYMENT_ACTOR, { type: 'recordPayment', stage: 'inspectionFees', paidOn: '2026-11-26' as JapanDate }],
    [PAYMENT_ACTOR, { type: 'recordPayment', stage: 'weightTax', paidOn: '2026-11-26' as JapanDate }],
  ];
  if (to === 'correctionRequested') {
    steps.push([office, { type: 'requestCorrection', reasonTitle: '申請書の不備', reasonDetail: '使用者の住所を確認してください。', deadline: '2026-12-04' as JapanDate }]);
  }
  for (const [actor, event] of steps) {
    const r = await services.actOnApplication(id, event, actor);
    if (!r.ok) throw new Error(`${event.type}: ${r.refusal.message}`);
    number = r.value.application.receiptNumber ?? number;
  }
  return { id, number, password };
}
