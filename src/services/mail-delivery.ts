import type { OutboxMessage } from '../domain/mail.js';
import { mailRepository, type OutboxCounts } from '../store/mail.repository.js';
import { transaction, type ServiceDeps } from './context.js';
import { MailSendError, type MailTransport } from './mail-transport.js';
import { noObserver, type ServiceObserver } from './observer.js';

/** How the worker retries (docs/decisions/0007). */
export interface DeliveryPolicy {
  /** Attempts in all; after the last failed one the message is marked failed. */
  readonly maxAttempts: number;
  /** Delay after the first failure; doubled at each further one, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** How long a claimed message is reserved for its worker (longer than any send may take). */
  readonly leaseMs: number;
  /** Messages claimed at once. */
  readonly batchSize: number;
  /** A number in [0, 1) for the jitter. */
  readonly random: () => number;
}

export const defaultDeliveryPolicy: DeliveryPolicy = {
  // 30 s, 1, 2, 4, 8, 16, 32 min, then hourly: the 12th attempt comes about 5 hours after the first.
  maxAttempts: 12,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  leaseMs: 120_000,
  batchSize: 50,
  random: Math.random,
};

/** The wait before the next attempt after `attempts` failed ones: exponential, half of it random ("equal jitter"). */
export function retryDelayMs(policy: DeliveryPolicy, attempts: number): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full / 2 + (full / 2) * policy.random());
}

export interface DeliveryRun {
  readonly claimed: number;
  readonly sent: number;
  readonly retrying: number;
  readonly failed: number;
}

/**
 * The delivery worker's one step: claim due messages (in a short transaction of their own: never
 * one held open across SMTP), send them, record each outcome. A send whose outcome is unknown (the
 * process died) is sent again when its lease ends, with the same Message-ID.
 */
export function makeMailDelivery(deps: ServiceDeps, transport: MailTransport, policy: DeliveryPolicy = defaultDeliveryPolicy, observer: ServiceObserver = noObserver) {
  const repo = () => mailRepository(deps.database.db, deps.database.dialect);

  async function deliver(message: OutboxMessage): Promise<'sent' | 'retrying' | 'failed'> {
    try {
      await transport.send(message);
    } catch (err) {
      const e = err instanceof MailSendError ? err : new MailSendError(String(err), false);
      if (e.permanent || message.attempts >= policy.maxAttempts) {
        await repo().markFailed(message.id, e.message);
        observer.mailOutcome(message.kind, 'failed');
        deps.logger.warn({ kind: message.kind, messageId: message.messageId, attempts: message.attempts, error: e.message }, 'mail failed');
        return 'failed';
      }
      await repo().markRetry(message.id, new Date(deps.clock.now().getTime() + retryDelayMs(policy, message.attempts)), e.message);
      observer.mailOutcome(message.kind, 'retrying');
      return 'retrying';
    }
    await repo().markSent(message.id, deps.clock.now());
    observer.mailOutcome(message.kind, 'sent');
    return 'sent';
  }

  return {
    async deliverDue(): Promise<DeliveryRun> {
      const now = deps.clock.now();
      const claimed = await transaction(deps, (tx) => mailRepository(tx, deps.database.dialect).claimDue(now, new Date(now.getTime() + policy.leaseMs), policy.batchSize));
      // At most one message per application is claimed, so they may all go at once.
      const outcomes = await Promise.all(claimed.map(deliver));
      return {
        claimed: claimed.length,
        sent: outcomes.filter((o) => o === 'sent').length,
        retrying: outcomes.filter((o) => o === 'retrying').length,
        failed: outcomes.filter((o) => o === 'failed').length,
      };
    },
  };
}

export type MailDelivery = ReturnType<typeof makeMailDelivery>;

/** For operators: `kei-oss mail-status` and `kei-oss mail-retry`. */
export function makeMailOperations(deps: ServiceDeps) {
  return {
    status: (): Promise<OutboxCounts> => mailRepository(deps.database.db, deps.database.dialect).counts(),
    /** Queues the failed messages again (all, or one application's); how many. */
    retryFailed: (applicationId?: string): Promise<number> => transaction(deps, (tx) => mailRepository(tx, deps.database.dialect).requeueFailed(deps.clock.now(), applicationId)),
  };
}
