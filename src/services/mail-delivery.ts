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
  /** Messages claimed at once (sent concurrently over the transport's pooled connections). */
  readonly batchSize: number;
  /**
   * Group commit: how long an outcome (SMTP's reply) may wait for others before they are all
   * written in one transaction. Part of the in-doubt window (reply received, "sent" not yet
   * committed), with the commit itself.
   */
  readonly commitDelayMs: number;
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
  batchSize: 200,
  commitDelayMs: 25,
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

type Outcome = { message: OutboxMessage; outcome: 'sent' } | { message: OutboxMessage; outcome: 'retrying' | 'failed'; error: string };

/**
 * Group commit of the outcomes: each one waits at most `commitDelayMs` (and the commit in progress,
 * if any) for the others that end meanwhile, then all of them are written in one transaction — the
 * sent ones in one UPDATE … WHERE id IN (…). A commit a mail instead of a commit a batch: a kill
 * resends only the mails whose reply came in the last few milliseconds, at a fraction of the commits.
 */
function outcomeRecorder(deps: ServiceDeps, policy: DeliveryPolicy) {
  let pending: { r: Outcome; at: Date; done: (err?: unknown) => void }[] = [];
  let writing = false;
  let timer: NodeJS.Timeout | null = null;

  async function write(batch: typeof pending): Promise<void> {
    const at = batch.reduce((latest, b) => (b.at > latest ? b.at : latest), batch[0]!.at);
    await transaction(deps, async (tx) => {
      const repo = mailRepository(tx, deps.database.dialect);
      await repo.markSentAll(
        batch.filter((b) => b.r.outcome === 'sent').map((b) => b.r.message.id),
        at,
      );
      for (const { r, at: when } of batch) {
        if (r.outcome === 'retrying') await repo.markRetry(r.message.id, new Date(when.getTime() + retryDelayMs(policy, r.message.attempts)), r.error);
        else if (r.outcome === 'failed') await repo.markFailed(r.message.id, r.error);
      }
    });
  }

  function flush(): void {
    timer = null;
    const batch = pending;
    pending = [];
    writing = true;
    write(batch).then(
      () => batch.forEach((b) => b.done()),
      (err: unknown) => batch.forEach((b) => b.done(err)),
    ).finally(() => {
      writing = false;
      // The outcomes that came in during the commit go next, at once: they have waited long enough.
      if (pending.length > 0) flush();
    });
  }

  return (r: Outcome): Promise<void> =>
    new Promise((resolve, reject) => {
      pending.push({ r, at: deps.clock.now(), done: (err) => (err === undefined ? resolve() : reject(err instanceof Error ? err : new Error(String(err)))) });
      if (!writing && timer === null) timer = setTimeout(flush, policy.commitDelayMs);
    });
}

/**
 * The delivery worker's one step: claim due messages (in a short transaction of their own: never
 * one held open across SMTP), send them concurrently, record each outcome within milliseconds of
 * its reply (group commit). A send whose outcome is unknown (the process died) is sent again when
 * its lease ends, with the same Message-ID.
 */
export function makeMailDelivery(deps: ServiceDeps, transport: MailTransport, policy: DeliveryPolicy = defaultDeliveryPolicy, observer: ServiceObserver = noObserver) {
  /** Sends one message; what to record (nothing is written here). */
  async function attempt(message: OutboxMessage): Promise<Outcome> {
    try {
      await transport.send(message);
      return { message, outcome: 'sent' };
    } catch (err) {
      const e = err instanceof MailSendError ? err : new MailSendError(String(err), false);
      return { message, outcome: e.permanent || message.attempts >= policy.maxAttempts ? 'failed' : 'retrying', error: e.message };
    }
  }
  const record = outcomeRecorder(deps, policy);

  return {
    async deliverDue(): Promise<DeliveryRun> {
      const now = deps.clock.now();
      const claimed = await transaction(deps, (tx) => mailRepository(tx, deps.database.dialect).claimDue(now, new Date(now.getTime() + policy.leaseMs), policy.batchSize));
      if (claimed.length === 0) return { claimed: 0, sent: 0, retrying: 0, failed: 0 };
      // At most one message per application is claimed, so they may all go at once (the transport's
      // pool spreads them over its connections). Each outcome is committed within commitDelayMs of
      // the SMTP server's reply, together with the others that ended meanwhile, not with the batch.
      const results = await Promise.all(
        claimed.map(async (message) => {
          const r = await attempt(message);
          await record(r);
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
