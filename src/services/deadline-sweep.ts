import type { Actor } from '../domain/actors.js';
import type { Application } from '../domain/application.js';
import { statuses } from '../domain/statuses.js';
import { applicationRepository } from '../store/applications.repository.js';
import { isAbortedTransaction, isDatabaseUnavailable, withBulkWrites, withSavepoint, type BulkWriteSettings } from '../store/database.js';
import { transaction, type ServiceDeps } from './context.js';
import { actManyWithin, actWithin, type BatchEvent } from './application-events.js';

export interface SweepResult {
  readonly examined: number;
  readonly expiredCorrections: number;
  readonly expiredPayments: number;
  readonly skipped: number;
}

const CLOCK: Actor = { kind: 'clock' };

type Outcome = 'correction' | 'payment' | 'skipped';

/** Applications moved per transaction: one commit (one wait for the disk) per batch, not per application. */
export const SWEEP_BATCH_SIZE = 500;

/**
 * SQLite, for the time of a sweep (`withBulkWrites`): a page cache of 64 MiB instead of 16, which
 * holds what a batch of 500 changes until its commit (about seven pages an application, 14 MiB),
 * and a checkpoint every 64 MiB of log instead of every 4 MiB. Given back at the end of the run.
 * Measured (docs/benchmarks.md): with UUIDv7 row ids, 5.3 GiB written for 100,000 applications
 * instead of 7.1; CPU unchanged. Larger batches (2,000, 5,000) and a memory map changed neither.
 */
const SWEEP_SQLITE_SETTINGS: BulkWriteSettings = { cacheMb: 64, checkpointPages: 16_384 };

/**
 * 期限切れ: applies the clock's events to every application whose running deadline has passed.
 *
 * One indexed pass: each batch takes the next due applications, with their status, from the
 * partial index on deadline_at (never a full scan), loads them in four statements
 * (`loadManyForUpdate`), and moves them in ONE transaction by `actManyWithin`: the domain decides
 * each move in memory (the same rule as every other event), and the batch is written in
 * multi-row statements (the new states with each one's version check, history, mails, webhooks).
 * An application changed meanwhile is not written and stays due for the next run. Should the
 * batch's statements fail (a bug, a trigger), its savepoint is undone and the batch is redone one
 * application at a time through `actWithin`, each in a savepoint of its own, so that the one that
 * fails is undone alone. The sweep of one application stays atomic; the batch commits once.
 *
 * Several sweepers may run at once (several processes, several machines, a cron job):
 * - PostgreSQL: a batch claims its rows with `FOR UPDATE SKIP LOCKED`, so two sweepers take
 *   different rows, never wait for each other, and a row one of them moved is no longer due for the
 *   other once it commits.
 * - SQLite: one writer at a time (`BEGIN IMMEDIATE`): the batches of two sweepers take turns.
 * Either way the door's rules would refuse a second expiry: each application moves once.
 *
 * Before the applications, the まとめ納付 numbers past their 納付期限 expire (src/services/payment-groups.ts).
 *
 * One application that fails (a bug, not a refusal) is logged and left for the next run; it does
 * not stop the others. Losing the database stops the run (the scheduler retries later).
 */
export function makeSweepDeadlines(deps: ServiceDeps, expirePaymentGroups: () => Promise<number> = () => Promise.resolve(0)) {
  return (batchSize = SWEEP_BATCH_SIZE) => withBulkWrites(deps.database, SWEEP_SQLITE_SETTINGS, () => sweep(batchSize));

  async function sweep(batchSize: number): Promise<SweepResult> {
    let examined = 0;
    let expiredCorrections = 0;
    let expiredPayments = 0;
    let skipped = 0;
    // まとめ納付 numbers past their 納付期限 first (decision 0010): members whose own deadline is later get their lines back before any application is expired.
    const groups = await expirePaymentGroups();
    if (groups > 0) deps.logger.info({ paymentGroups: groups }, 'deadline sweep: まとめ納付 numbers expired');
    // Applications this run could not move stay due; they are not taken again in this run.
    const left = new Set<string>();

    for (;;) {
      const now = deps.clock.now();
      // Counted once the batch has committed.
      const outcomes = await transaction(deps, async (tx) => {
        const repo = applicationRepository(tx, deps.database.dialect);
        const due = (await repo.claimDue(now, batchSize + left.size)).filter((r) => !left.has(r.id)).slice(0, batchSize);
        const done: [string, Outcome][] = [];
        const moves: { application: Application; event: BatchEvent; deadline: 'correction' | 'payment' }[] = [];
        const loaded = await repo.loadManyForUpdate(due.map((d) => d.id));
        for (const { id } of due) {
          const application = loaded.get(id);
          const deadline = application ? statuses[application.status].deadline : null;
          if (!application || deadline === null) done.push([id, 'skipped']);
          else moves.push({ application, deadline, event: { type: deadline === 'correction' ? 'expireCorrection' : 'expirePayment' } });
        }
        if (moves.length === 0) return done;
        try {
          // The whole batch in multi-row statements, in a savepoint: a failure undoes it all, and it is redone one by one below.
          const results = await withSavepoint(tx, () => actManyWithin(deps, tx, moves, CLOCK));
          for (const m of moves) done.push([m.application.id, results.get(m.application.id)?.ok ? m.deadline : 'skipped']);
          return done;
        } catch (err) {
          if (isDatabaseUnavailable(err) || isAbortedTransaction(err)) throw err;
          deps.logger.warn({ err, applications: moves.length }, 'deadline sweep: the batch failed; moving its applications one by one');
        }
        for (const { application, event, deadline } of moves) {
          const id = application.id;
          try {
            const result = await withSavepoint(tx, () => actWithin(deps, tx, id, event, CLOCK, { loaded: application }));
            done.push([id, result.ok ? deadline : 'skipped']);
          } catch (err) {
            // The database itself failing ends the run (and rolls the batch back).
            if (isDatabaseUnavailable(err) || isAbortedTransaction(err)) throw err;
            deps.logger.error({ err, applicationId: id }, 'deadline sweep: could not move this application');
            done.push([id, 'skipped']);
          }
        }
        return done;
      });
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
  }
}
