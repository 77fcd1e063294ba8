import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { formatJapanDateTime } from '../domain/format.js';
import type { Refusal } from '../domain/result.js';
import { loginThrottleRepository } from '../store/login-throttle.repository.js';
import { transaction, type ServiceDeps } from './context.js';

/** After this many wrong passwords within the window, the subject (receipt number, login id) is locked. */
export const LOGIN_FAILURE_LIMIT = 5;
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_LOCK_MS = 15 * 60 * 1000;
/** Per client address and per login step: at most this many requests in any sliding minute. */
export const LOGIN_RATE_LIMIT = 30;
export const LOGIN_RATE_WINDOW_MS = 60 * 1000;

/** Whose password is being tried: an applicant's receipt number, or an office clerk's login id. */
export type PasswordScope = 'applicant' | 'staff' | 'account';
/** Which login step an address is counted for. */
export type LoginStep = 'applicant-number' | 'applicant-password' | 'staff-login' | 'account-login' | 'account-add';

/** From this many wrong passwords on, the answer says how many tries are left (issue 14). */
export const LOGIN_WARN_FROM = 3;
/** お問い合わせ先, as the manual writes it. */
export const CONTACT_LINE = 'TEL：050-3364-0800（軽自動車OSS専用ダイヤル）';

/** What the applicant is told while a number is locked (Japan time), and whom to call. */
export function loginLockedMessage(until: Date): string {
  return `申請用パスワードの誤りが続いたため、この受付番号（到達番号）ではログインできないようにしています。${formatJapanDateTime(until)}以降に、もう一度ログインしてください。申請用パスワードがわからない場合や、お急ぎの場合は、お問い合わせ先（${CONTACT_LINE}）にお問い合わせください。`;
}

/** From the 3rd wrong password: how many tries are left and what happens next (the same for a number that does not exist). */
export function loginTriesLeftMessage(remaining: number): string {
  return `あと${remaining}回続けて誤ると、この受付番号（到達番号）では${LOGIN_LOCK_MS / 60_000}分間ログインできなくなります。`;
}

/** What a clerk is told while a login id is locked, and whom to ask. */
export function staffLoginLockedMessage(until: Date): string {
  return `パスワードの誤りが続いたため、このログインIDではログインできないようにしています。${formatJapanDateTime(until)}以降に、もう一度ログインしてください。お急ぎの場合は、事務所等のシステム管理者に連絡してください。`;
}

/** The clerk's warning from the 3rd wrong password. */
export function staffLoginTriesLeftMessage(remaining: number): string {
  return `あと${remaining}回続けて誤ると、このログインIDでは${LOGIN_LOCK_MS / 60_000}分間ログインできなくなります。`;
}

/** A login refused because the number or login id is locked: when it unlocks, and the seconds to say in Retry-After. */
export interface LockedLogin {
  readonly ok: false;
  readonly refusal: Refusal;
  readonly lockedUntil: Date;
  readonly retryAfterSeconds: number;
}

export function lockedLogin(message: string, until: Date, now: Date): LockedLogin {
  return { ok: false, refusal: { code: 'invalidCredentials', message }, lockedUntil: until, retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) };
}

/** A wrong password says how many more the subject may get wrong before it is locked. */
export type PasswordAttempt<T> = { readonly kind: 'ok'; readonly value: T } | { readonly kind: 'failed'; readonly remaining: number } | { readonly kind: 'locked'; readonly until: Date };

export type AddressCheck = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

type LogSink = Pick<Logger, 'warn'>;

/**
 * The address an attempt is counted against: an IPv4 address as it is, an IPv6 address by its
 * /64 network (one subscriber usually holds a whole /64 and could otherwise rotate through it).
 */
export function addressKey(address: string): string {
  const bare = address.trim().toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return bare.slice(0, 100);
  const [head = '', tail = ''] = bare.split('::');
  const h = head ? head.split(':') : [];
  const t = bare.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = bare.includes('::') ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Login throttling, with every counter in the database so that it holds across restarts and
 * across server processes:
 * - per application (its 受付番号 and its 到達番号 share one counter and one lock; the caller
 *   passes the application as the subject), per number for numbers that do not exist, per staff
 *   login id: after 5 wrong passwords within 15 minutes, locked for 15 minutes; during the lock
 *   every attempt is refused before the password is verified, the right password included.
 *   Unknown numbers are counted exactly like existing ones, so a lock never tells whether a number
 *   exists.
 * - per client address and login step: at most 30 requests in any minute (sliding window).
 * Subjects are stored as keyed hashes.
 */
export function makeLoginThrottle(deps: ServiceDeps, key: string) {
  const hash = (scope: string, subject: string) => createHmac('sha256', key).update(`login-throttle:${scope}:${subject}`).digest('base64url');
  const repo = (db: Parameters<typeof loginThrottleRepository>[0]) => loginThrottleRepository(db, deps.database.dialect);

  return {
    /**
     * Verifies a password unless the subject is locked. An attempt is counted (as pending) before
     * `verify` runs, so that parallel guesses cannot slip past the limit; a correct password clears
     * the count. `verify` returns the logged-in value, or null for a wrong password.
     */
    async guardPassword<T>(scope: PasswordScope, subject: string, verify: () => Promise<T | null>, log: LogSink = deps.logger): Promise<PasswordAttempt<T>> {
      const h = hash(scope, subject);
      const attemptId = deps.ids.id();
      const before = await transaction(deps, async (tx) => {
        const r = repo(tx);
        const now = deps.clock.now();
        await r.serialize(scope, h);
        const lockedUntil = await r.lockedUntil(scope, h);
        if (lockedUntil && lockedUntil > now) return { locked: lockedUntil, lockedNow: false };
        const attempts = await r.countSince(scope, h, new Date(now.getTime() - LOGIN_FAILURE_WINDOW_MS));
        if (attempts >= LOGIN_FAILURE_LIMIT) {
          // Only reached when attempts are still being verified in parallel (a burst): lock now.
          const until = new Date(now.getTime() + LOGIN_LOCK_MS);
          await r.setLock(scope, h, until, now);
          return { locked: until, lockedNow: true };
        }
        await r.record(attemptId, scope, h, now, 'pending');
        return null;
      });
      if (before) {
        if (before.lockedNow) log.warn({ event: 'login-locked', scope, subject, until: before.locked.toISOString(), reason: 'parallel attempts' }, 'login locked');
        return { kind: 'locked', until: before.locked };
      }

      const value = await verify();
      if (value !== null) {
        await transaction(deps, async (tx) => {
          await repo(tx).serialize(scope, h);
          await repo(tx).clear(scope, h);
        });
        return { kind: 'ok', value };
      }

      const lockedNow = await transaction(deps, async (tx) => {
        const r = repo(tx);
        const now = deps.clock.now();
        await r.serialize(scope, h);
        const lockedUntil = await r.lockedUntil(scope, h);
        await r.setOutcome(attemptId, 'failed');
        if (lockedUntil && lockedUntil > now) return { until: lockedUntil, remaining: 0 };
        const failures = await r.countSince(scope, h, new Date(now.getTime() - LOGIN_FAILURE_WINDOW_MS));
        if (failures < LOGIN_FAILURE_LIMIT) return { until: null, remaining: LOGIN_FAILURE_LIMIT - failures };
        const until = new Date(now.getTime() + LOGIN_LOCK_MS);
        await r.setLock(scope, h, until, now);
        log.warn({ event: 'login-locked', scope, subject, failures, until: until.toISOString() }, 'login locked');
        return { until, remaining: 0 };
      });
      return lockedNow.until ? { kind: 'locked', until: lockedNow.until } : { kind: 'failed', remaining: lockedNow.remaining };
    },

    /** Counts a request of a login step from a client address; refuses the 31st within a minute. */
    async checkAddress(step: LoginStep, address: string, log: LogSink = deps.logger): Promise<AddressCheck> {
      const scope = `address:${step}`;
      const client = addressKey(address);
      const h = hash(scope, client);
      const result = await transaction(deps, async (tx): Promise<AddressCheck> => {
        const r = repo(tx);
        const now = deps.clock.now();
        await r.serialize(scope, h);
        const since = new Date(now.getTime() - LOGIN_RATE_WINDOW_MS);
        const hits = await r.countSince(scope, h, since);
        if (hits >= LOGIN_RATE_LIMIT) {
          const oldest = (await r.oldestSince(scope, h, since)) ?? now;
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest.getTime() + LOGIN_RATE_WINDOW_MS - now.getTime()) / 1000)) };
        }
        await r.record(deps.ids.id(), scope, h, now, 'hit');
        return { allowed: true };
      });
      if (!result.allowed) log.warn({ event: 'login-rate-limited', step, client, retryAfterSeconds: result.retryAfterSeconds }, 'login rate limit hit');
      return result;
    },

    /** Deletes counters that can no longer matter (run by the deadline sweeper). */
    async purge(): Promise<number> {
      const now = deps.clock.now();
      const before = new Date(now.getTime() - Math.max(LOGIN_FAILURE_WINDOW_MS, LOGIN_RATE_WINDOW_MS, LOGIN_LOCK_MS));
      return transaction(deps, (tx) => repo(tx).purge(now, before));
    },
  };
}

export type LoginThrottle = ReturnType<typeof makeLoginThrottle>;
