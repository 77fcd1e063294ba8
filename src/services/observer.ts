import type { SweepResult } from './deadline-sweep.js';
import type { LoginStep, PasswordScope } from './login-throttle.js';
import type { Result } from '../domain/result.js';

/**
 * What the services tell an observer (the metrics, src/metrics.ts) as they work. Optional: without
 * one, nothing is counted. The services never depend on what the observer does with it.
 */
export interface ServiceObserver {
  /** A password attempt: accepted, wrong, refused because the subject is locked, or the wrong one that locked it. */
  loginAttempt(scope: PasswordScope, outcome: 'ok' | 'failed' | 'refusedLocked' | 'lockedNow'): void;
  /** A login request refused because its client address sent too many (429). */
  addressRateLimited(step: LoginStep): void;
  /** An event refused because the application changed since the caller read it (409). */
  versionConflict(refusal: object): void;
  /** A deadline sweep finished (ok) or failed. */
  sweepFinished(at: Date, outcome: { ok: true; result: SweepResult } | { ok: false }): void;
  /** One attempt to send a mail ended: sent, to be retried, or failed for good. */
  mailOutcome(kind: string, outcome: 'sent' | 'retrying' | 'failed'): void;
}

export const noObserver: ServiceObserver = {
  loginAttempt() {},
  addressRateLimited() {},
  versionConflict() {},
  sweepFinished() {},
  mailOutcome() {},
};

/** actOnApplication, telling the observer of each version conflict it returns. */
export function observeAct<A extends unknown[], R extends Result<unknown>>(act: (...args: A) => Promise<R>, observer: ServiceObserver): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const result = await act(...args);
    if (!result.ok && result.refusal.code === 'versionConflict') observer.versionConflict(result.refusal);
    return result;
  };
}

interface Throttle {
  guardPassword<T>(scope: PasswordScope, subject: string, verify: () => Promise<T | null>, log?: never): Promise<{ readonly kind: 'ok' | 'failed' | 'locked' }>;
  checkAddress(step: LoginStep, address: string, log?: never): Promise<{ readonly allowed: boolean }>;
}

/** The login throttle, telling the observer of each attempt's outcome and each address refused. */
export function observeLoginThrottle<T extends Throttle>(throttle: T, observer: ServiceObserver): T {
  const guardPassword: Throttle['guardPassword'] = async (scope, subject, verify, log) => {
    let verified = false;
    const attempt = await throttle.guardPassword(
      scope,
      subject,
      () => {
        verified = true;
        return verify();
      },
      log,
    );
    // Locked after its password was checked: this attempt was the one that locked the subject.
    observer.loginAttempt(scope, attempt.kind === 'ok' ? 'ok' : attempt.kind === 'failed' ? 'failed' : verified ? 'lockedNow' : 'refusedLocked');
    return attempt;
  };
  const checkAddress: Throttle['checkAddress'] = async (step, address, log) => {
    const check = await throttle.checkAddress(step, address, log);
    if (!check.allowed) observer.addressRateLimited(step);
    return check;
  };
  return { ...throttle, guardPassword, checkAddress } as T;
}

/** The deadline sweep, telling the observer when each run ended and how. */
export function observeSweep<F extends (batchSize?: number, roundSize?: number) => Promise<SweepResult>>(sweep: F, observer: ServiceObserver, now: () => Date): F {
  return (async (batchSize?: number, roundSize?: number) => {
    try {
      const result = await sweep(batchSize, roundSize);
      observer.sweepFinished(now(), { ok: true, result });
      return result;
    } catch (err) {
      observer.sweepFinished(now(), { ok: false });
      throw err;
    }
  }) as F;
}
