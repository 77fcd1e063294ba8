import type { Logger } from 'pino';
import type { TwoFactorPolicy } from '../domain/accounts.js';
import type { IdSource } from '../domain/events.js';
import type { Clock } from '../domain/time.js';
import type { DatabaseHandle, Tx } from '../store/database.js';
import { flushListBumps } from '../store/accounts.repository.js';
import type { PasswordHasher } from './passwords.js';
import type { PendingPasswordCipher } from './pending-password-cipher.js';

/** What every use case is given: passed in by hand, so a test can stand on a deadline's last second. */
export interface ServiceDeps {
  readonly database: DatabaseHandle;
  readonly clock: Clock;
  readonly ids: IdSource & { digits(n: number): string };
  readonly passwords: PasswordHasher;
  readonly logger: Logger;
  /** Mail to applicants (issue 15): links and reminders; defaults when absent (tests, tools). */
  readonly mail?: MailSettings | undefined;
  /** NODE_ENV=production: webhooks go only to public addresses (issue 17, SSRF); false when absent. */
  readonly production?: boolean | undefined;
  /** ACCOUNT_TOTP_REQUIRED: 二要素認証 required of 利用者IDs holding more than one application; off when absent. */
  readonly twoFactorPolicy?: TwoFactorPolicy | undefined;
  /**
   * PENDING_PASSWORD_KEY (decision 0017): bulk filings keep each row's password encrypted under it
   * until the background hasher writes the hash; absent: they hash inside the request (decision 0014).
   */
  readonly pendingPasswords?: PendingPasswordCipher | null | undefined;
}

/** What the mails need to know of the deployment. */
export interface MailSettings {
  /** The public address of the portal (BASE_URL), for the links in mails. */
  readonly baseUrl: string;
  /** Business days before a running deadline on which a reminder goes out (default 3 and 1). */
  readonly reminderDays: readonly number[];
  /** The right-hand side of every Message-ID (the host of BASE_URL). */
  readonly messageIdDomain: string;
}

export const defaultMailSettings: MailSettings = { baseUrl: 'http://127.0.0.1:3000', reminderDays: [3, 1], messageIdDomain: 'kei-oss.localhost' };

export function mailSettings(deps: ServiceDeps): MailSettings {
  return deps.mail ?? defaultMailSettings;
}

/**
 * Work a caller adds to a use case's own transaction: `begin` runs first, `end` last with the use
 * case's result, before the commit. The idempotency service uses it to store the answer of a keyed
 * request in the same transaction as its write (src/services/idempotency.ts).
 */
export interface TransactionHook<T> {
  begin(tx: Tx): Promise<void>;
  end(tx: Tx, result: T): Promise<void>;
}

/**
 * One use case, one transaction (with the caller's hook, if any, inside it). Last, the 申請一覧 list
 * versions the writes owe (store/accounts.repository.ts: an account's row locked only for the commit).
 */
export function transaction<T>(deps: ServiceDeps, work: (tx: Tx) => Promise<T>, hook?: TransactionHook<T>): Promise<T> {
  return deps.database.db.transaction().execute(async (tx) => {
    if (hook) await hook.begin(tx);
    const result = await work(tx);
    if (hook) await hook.end(tx, result);
    await flushListBumps(tx);
    return result;
  });
}
