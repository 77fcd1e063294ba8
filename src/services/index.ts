import { randomBytes } from 'node:crypto';
import { secretRepository } from '../store/secrets.repository.js';
import { makeApplicantAuth } from './applicant-auth.js';
import { makeActOnApplication, makeFindApplicationId, makeRegisterApplication } from './application-events.js';
import type { ServiceDeps } from './context.js';
import { makeCollectionCodes } from './collection-codes.js';
import { makeOpenApplicationsForVehicle } from './duplicates.js';
import { makeSweepDeadlines } from './deadline-sweep.js';
import { makeLoginThrottle } from './login-throttle.js';
import { makeSessions } from './sessions.js';
import { makeStatusInquiry } from './status-inquiry.js';
import { makeApiTokens } from './api-tokens.js';
import { makeIdempotency } from './idempotency.js';
import { makeStaffAuth } from './staff-auth.js';
import { makeWorkList } from './work-list.js';
import { noObserver, observeAct, observeLoginThrottle, observeSweep, type ServiceObserver } from './observer.js';
import { makeOperationalFigures } from './operational-figures.js';
import { makeAudit } from './audit.js';
import { makeHealth } from './health.js';
import { makeAgency } from './agency.js';
import { makePasswordSeal } from './password-seal.js';
import { makeMailOperations } from './mail-delivery.js';
import { makeAccountApi } from './account-api.js';
import { makeAccountFiling } from './account-filing.js';
import { makeWebhooks } from './webhooks.js';
import { makeContactAddresses, makeSendReminders } from './mail-notify.js';
import { makePaymentGroups } from './payment-groups.js';
import { makeAccounts } from './accounts.js';
import { makeAccountList } from './account-list.js';
import { makeFilingActivity, makePendingPasswordHashing } from './pending-passwords.js';

export interface ServerSecrets {
  /** Signs cookies (CSRF secret, login step carry-over). */
  readonly cookieSecret: string;
  /** Keys the procedure shown at login for unknown numbers. */
  readonly disguiseKey: string;
  /** Signs 受取者認証兼受取車両個別申告用二次元コード. */
  readonly collectionCodeKey: string;
}

/** Secrets from the database (created on first use), shared by every process of a deployment. */
export async function loadServerSecrets(deps: ServiceDeps): Promise<ServerSecrets> {
  const repo = secretRepository(deps.database.db);
  const gen = () => randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  return {
    cookieSecret: await repo.getOrCreate('cookie', gen, now),
    disguiseKey: await repo.getOrCreate('login-disguise', gen, now),
    collectionCodeKey: await repo.getOrCreate('collection-code', gen, now),
  };
}

/**
 * Every use case, wired by hand. What it returns is all the web sees: use cases only, never the
 * database, the clock or the secrets (the composition root, src/server.ts, gives the cookie secret
 * to buildApp itself). The observer (the metrics, issue 19) hears of conflicts, login outcomes and sweeps.
 */
export function createServices(deps: ServiceDeps, secrets: ServerSecrets, observer: ServiceObserver = noObserver) {
  const sessions = makeSessions(deps);
  const actOnApplication = observeAct(makeActOnApplication(deps), observer);
  const registerApplication = makeRegisterApplication(deps);
  const statusInquiry = makeStatusInquiry(deps);
  const idempotency = makeIdempotency(deps);
  // Login throttling (issue 5): per receipt number / login id and per client address, in the database.
  const loginThrottle = observeLoginThrottle(makeLoginThrottle(deps, secrets.disguiseKey), observer);
  // まとめ納付 across the applications of a 利用者ID (issue 16): create, cancel, settle, expire.
  const paymentGroups = makePaymentGroups(deps);
  // Bulk filings in flight in this process: the background hasher slows down meanwhile (decision 0017).
  const filings = makeFilingActivity();
  return {
    health: makeHealth(deps),
    sessions,
    applicantAuth: makeApplicantAuth(deps, sessions, secrets, loginThrottle),
    loginThrottle,
    statusInquiry,
    actOnApplication,
    registerApplication,
    // 初回申請: the 申請用パスワード sealed for its trip through the check page.
    passwordSeal: makePasswordSeal(secrets.cookieSecret, deps.clock),
    findApplicationId: makeFindApplicationId(deps),
    // Issue 14: other open applications for the same 車台番号 (the warning at 申請を行う).
    openApplicationsForVehicle: makeOpenApplicationsForVehicle(deps),
    sweepDeadlines: observeSweep(makeSweepDeadlines(deps, () => paymentGroups.expireOverdue()), observer, () => deps.clock.now()),
    paymentGroups,
    collectionCodes: makeCollectionCodes(deps, secrets.collectionCodeKey, actOnApplication),
    // Agency side (issue 3): staff UI logins, API tokens, safe retries, the office work list.
    staffAuth: makeStaffAuth(deps, sessions, loginThrottle),
    apiTokens: makeApiTokens(deps),
    idempotency,
    workList: makeWorkList(deps),
    // Operator's figures for GET /metrics (issue 19): counts read from the database at each scrape.
    operationalFigures: makeOperationalFigures(deps),
    // The audit trail (issue 19): read by a supervisor (監督者); written by the use cases themselves.
    audit: makeAudit(deps),
    // Every agency read and write by number (API tokens and office clerks): one call each, the office scope checked once.
    agency: makeAgency(deps, actOnApplication, registerApplication, statusInquiry, paymentGroups),
    // Mail from the outbox (issue 15): what waits, what failed, sending the failed ones again.
    mailOperations: makeMailOperations(deps),
    // The 一括申請 API of a 利用者ID (issue 17): its tokens, changes feed, bulk status and filing.
    accountApi: makeAccountApi(deps),
    accountFiling: makeAccountFiling(deps, idempotency, filings),
    // Decision 0017: the passwords of bulk-filed rows, hashed after the answer by the background hasher.
    pendingPasswordHashing: makePendingPasswordHashing(deps, filings),
    webhooks: makeWebhooks(deps),
    contactAddresses: makeContactAddresses(deps),
    // Reminders before running deadlines, run with each deadline sweep.
    sendReminders: makeSendReminders(deps),
    // 利用者ID (issue 16): the account, its applications and its 申請一覧.
    accounts: makeAccounts(deps, sessions, loginThrottle),
    accountList: makeAccountList(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
