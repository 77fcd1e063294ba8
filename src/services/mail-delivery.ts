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
  // Longer than the longest send (10 s to connect, 10 s for the greeting, 30 s of socket silence).
  leaseMs: 60_000,
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
  /** Sends one message; what to record (nothing is written here). */
  async function attempt(message: OutboxMessage): Promise<{ message: OutboxMessage; outcome: 'sent' } | { message: OutboxMessage; outcome: 'retrying' | 'failed'; error: string }> {
    try {
      await transport.send(message);
      return { message, outcome: 'sent' };
    } catch (err) {
      const e = err instanceof MailSendError ? err : new MailSendError(String(err), false);
      return { message, outcome: e.permanent || message.attempts >= policy.maxAttempts ? 'failed' : 'retrying', error: e.message };
    }
  }

  return {
    async deliverDue(): Promise<DeliveryRun> {
      const now = deps.clock.now();
      const claimed = await transaction(deps, (tx) => mailRepository(tx, deps.database.dialect).claimDue(now, new Date(now.getTime() + policy.leaseMs), policy.batchSize));
      if (claimed.length === 0) return { claimed: 0, sent: 0, retrying: 0, failed: 0 };
      // At most one message per application is claimed, so they may all go at once. Each outcome is
      // written as soon as its send ends: the window in which a kill makes a sent message go again
      // (with the same Message-ID) is the commit after the SMTP server's reply, not the whole batch.
      const results = await Promise.all(
        claimed.map(async (message) => {
          const r = await attempt(message);
          const at = deps.clock.now();
          await transaction(deps, async (tx) => {
            const repo = mailRepository(tx, deps.database.dialect);
            if (r.outcome === 'sent') await repo.markSentAll([r.message.id], at);
            else if (r.outcome === 'retrying') await repo.markRetry(r.message.id, new Date(at.getTime() + retryDelayMs(policy, r.message.attempts)), r.error);
            else await repo.markFailed(r.message.id, r.error);
          });
          return r;
        }),
      );
      for (const r of results) {
        observer.mailOutcome(r.message.kind, r.outcome);
        if (r.outcome === 'failed') deps.logger.warn({ kind: r.message.kind, messageId: r.message.messageId, attempts: r.message.attempts, error: r.error }, 'mail failed');
      }
      const count = (o: string) => results.filter((r) => r.outcome === o).length;
      return { claimed: claimed.length, sent: count('sent'), retrying: count('retrying'), failed: count('failed') };
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
