import type { Actor } from '../domain/actors.js';
import { statuses } from '../domain/statuses.js';
import { applicationRepository } from '../store/applications.repository.js';
import { batchesClaimRows, batchTransaction, isAbortedTransaction, isDatabaseUnavailable, type DatabaseHandle } from '../store/database.js';
import type { ServiceDeps } from './context.js';
import { makeActOnApplication } from './application-events.js';

export interface SweepResult {
  readonly examined: number;
  readonly expiredCorrections: number;
  readonly expiredPayments: number;
  readonly skipped: number;
}

const CLOCK: Actor = { kind: 'clock' };

type Act = ReturnType<typeof makeActOnApplication>;
type Outcome = 'correction' | 'payment' | 'skipped';

/**
 * 期限切れ: applies the clock's events to every application whose running deadline has passed.
 * Finds them through the partial index on deadline_at (never a full scan), and moves each one by
 * the same door as every other event (load, version check, domain rule, save, history).
 *
 * Several sweepers may run at once (several processes, several machines, a cron job):
 * - PostgreSQL: each batch is one transaction that claims its rows with `FOR UPDATE SKIP LOCKED`
 *   and moves them inside it (each move a savepoint), so two sweepers take different rows, never
 *   wait for each other, and a row one of them moved is no longer due for the other.
 * - SQLite: one writer at a time (`BEGIN IMMEDIATE`); each move is its own transaction.
 * Either way the door's version check would refuse a second expiry: each application moves once.
 *
 * Before the applications, the まとめ納付 numbers past their 納付期限 expire (src/services/payment-groups.ts).
 *
 * One application that fails (a bug, not a refusal) is logged and left for the next run; it does
 * not stop the others. Losing the database stops the run (the scheduler retries later).
 */
export function makeSweepDeadlines(deps: ServiceDeps, act: Act, expirePaymentGroups: () => Promise<number> = () => Promise.resolve(0)) {
  async function expire(database: DatabaseHandle, actOn: Act, id: string): Promise<Outcome> {
    const app = await applicationRepository(database.db, database.dialect).load(id);
    if (!app) return 'skipped';
    const deadline = statuses[app.status].deadline;
    if (deadline === null) return 'skipped';
    const result = await actOn(id, { type: deadline === 'correction' ? 'expireCorrection' : 'expirePayment' }, CLOCK);
    return result.ok ? deadline : 'skipped';
  }

  return async function sweepDeadlines(batchSize = 100): Promise<SweepResult> {
    let examined = 0;
    let expiredCorrections = 0;
    let expiredPayments = 0;
    let skipped = 0;
    // まとめ納付 numbers past their 納付期限 first (decision 0010): members whose own deadline is later get their lines back before any application is expired.
    const groups = await expirePaymentGroups();
    if (groups > 0) deps.logger.info({ paymentGroups: groups }, 'deadline sweep: まとめ納付 numbers expired');
    // Applications this run could not move stay due; they are not taken again in this run.
    const left = new Set<string>();
    const attempt = async (database: DatabaseHandle, actOn: Act, id: string): Promise<[string, Outcome]> => {
      try {
        return [id, await expire(database, actOn, id)];
      } catch (err) {
        // The database itself failing ends the run (and, on PostgreSQL, rolls the batch back).
        if (isDatabaseUnavailable(err) || isAbortedTransaction(err)) throw err;
        deps.logger.error({ err, applicationId: id }, 'deadline sweep: could not move this application');
        return [id, 'skipped'];
      }
    };

    for (;;) {
      const now = deps.clock.now();
      const claim = async (database: DatabaseHandle) =>
        (await applicationRepository(database.db, database.dialect).dueForSweep(now, batchSize + left.size)).filter((id) => !left.has(id)).slice(0, batchSize);
      const outcomes: [string, Outcome][] = [];
      if (batchesClaimRows(deps.database)) {
        // Counted once the batch has committed.
        outcomes.push(
          ...(await batchTransaction(deps.database, async (batch) => {
            const actInBatch = makeActOnApplication({ ...deps, database: batch });
            const done: [string, Outcome][] = [];
            for (const id of await claim(batch)) done.push(await attempt(batch, actInBatch, id));
            return done;
          })),
        );
      } else {
        for (const id of await claim(deps.database)) outcomes.push(await attempt(deps.database, act, id));
      }
      if (outcomes.length === 0) break;
      for (const [id, outcome] of outcomes) {
        examined += 1;
        if (outcome === 'correction') expiredCorrections += 1;
        else if (outcome === 'payment') expiredPayments += 1;
        else {
          skipped += 1;
          left.add(id);
        }
      }
    }
    return { examined, expiredCorrections, expiredPayments, skipped };
  };
}
