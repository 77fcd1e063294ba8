import type { Executor } from './database.js';
import type { LoginLocksTable } from './login-throttle.repository.js';

export interface StatusCount {
  readonly procedure: string;
  readonly status: string;
  readonly count: number;
}

/** Read-only counts for the operator's metrics (GET /metrics): each one indexed or one small grouping. */
export function metricsRepository(executor: Executor) {
  const db = executor.withTables<{ login_locks: LoginLocksTable }>();
  return {
    /** Applications by procedure and status. */
    async countByProcedureAndStatus(): Promise<StatusCount[]> {
      const rows = await db
        .selectFrom('applications')
        .select(['procedure', 'status', (eb) => eb.fn.countAll<string | number>().as('n')])
        .groupBy(['procedure', 'status'])
        .execute();
      return rows.map((r) => ({ procedure: r.procedure, status: r.status, count: Number(r.n) }));
    },

    /** Running deadlines that pass in (from, to] (the partial index on deadline_at). */
    async countDeadlinesBetween(from: Date, to: Date): Promise<number> {
      const row = await db
        .selectFrom('applications')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('deadline_at', 'is not', null)
        .where('deadline_at', '>', from.toISOString())
        .where('deadline_at', '<=', to.toISOString())
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Deadlines already passed that no sweeper has applied yet: how many, and the oldest. */
    async overdueDeadlines(now: Date): Promise<{ count: number; oldest: Date | null }> {
      const row = await db
        .selectFrom('applications')
        .select((eb) => [eb.fn.countAll<string | number>().as('n'), eb.fn.min<string | null>('deadline_at').as('oldest')])
        .where('deadline_at', 'is not', null)
        .where('deadline_at', '<=', now.toISOString())
        .executeTakeFirstOrThrow();
      return { count: Number(row.n), oldest: row.oldest ? new Date(row.oldest) : null };
    },

    /** Login locks in force now, by scope (applicant, staff). */
    async activeLoginLocks(now: Date): Promise<{ scope: string; count: number }[]> {
      const rows = await db
        .selectFrom('login_locks')
        .select(['scope', (eb) => eb.fn.countAll<string | number>().as('n')])
        .where('locked_until', '>', now.toISOString())
        .groupBy('scope')
        .execute();
      return rows.map((r) => ({ scope: r.scope, count: Number(r.n) }));
    },
  };
}
