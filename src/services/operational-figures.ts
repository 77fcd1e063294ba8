import { addBusinessDays, deadlinePassesAt, japanDateOf } from '../domain/time.js';
import { applicationRepository } from '../store/applications.repository.js';
import { mailRepository, type OutboxCounts } from '../store/mail.repository.js';
import { metricsRepository, type StatusCount } from '../store/metrics.repository.js';
import type { ServiceDeps } from './context.js';

/** What the database says at a scrape of /metrics (read-only; a few indexed counts). */
export interface OperationalFigures {
  readonly applications: readonly StatusCount[];
  /** Running deadlines (補正期限, 納付期限) that pass between now and the end of the next business day. */
  readonly deadlinesDueByNextBusinessDay: number;
  /** Deadlines passed that no sweeper has applied yet. */
  readonly overdueDeadlines: number;
  /** How far behind the sweeper is: seconds since the oldest deadline it has not applied (0 when none). */
  readonly sweepBehindSeconds: number;
  /** Login locks in force, by scope. */
  readonly activeLoginLocks: readonly { scope: string; count: number }[];
  /** The mail outbox by state (issue 15). */
  readonly mailOutbox: OutboxCounts;
  /** Seconds the oldest queued mail has waited (0 when none waits). */
  readonly mailOldestWaitingSeconds: number;
  /** Passwords of bulk-filed rows still waiting for the background hasher (decision 0017). */
  readonly passwordHashesPending: number;
}

export function makeOperationalFigures(deps: ServiceDeps) {
  return async function operationalFigures(): Promise<OperationalFigures> {
    const repo = metricsRepository(deps.database.db);
    const now = deps.clock.now();
    const endOfNextBusinessDay = deadlinePassesAt(addBusinessDays(japanDateOf(now), 1));
    const [applications, due, overdue, locks, mailOutbox, passwordHashesPending] = await Promise.all([
      repo.countByProcedureAndStatus(),
      repo.countDeadlinesBetween(now, endOfNextBusinessDay),
      repo.overdueDeadlines(now),
      repo.activeLoginLocks(now),
      mailRepository(deps.database.db, deps.database.dialect).counts(),
      applicationRepository(deps.database.db, deps.database.dialect).countPendingPasswords(),
    ]);
    return {
      applications,
      deadlinesDueByNextBusinessDay: due,
      overdueDeadlines: overdue.count,
      sweepBehindSeconds: overdue.oldest ? Math.max(0, (now.getTime() - overdue.oldest.getTime()) / 1000) : 0,
      activeLoginLocks: locks,
      mailOutbox,
      mailOldestWaitingSeconds: mailOutbox.oldestWaitingSince ? Math.max(0, (now.getTime() - mailOutbox.oldestWaitingSince.getTime()) / 1000) : 0,
      passwordHashesPending,
    };
  };
}
