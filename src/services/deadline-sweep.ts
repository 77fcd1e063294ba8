import type { Actor } from '../domain/actors.js';
import { applyExpiry, decideExpiry, type Expiry } from '../domain/expiry.js';
import { mayMail } from '../domain/mail.js';
import { expiryMailNeedsApplication, type MailNaming } from '../domain/mail-content.js';
import { deadlineDateOf } from '../domain/time.js';
import { applicationRepository } from '../store/applications.repository.js';
import { isAbortedTransaction, isDatabaseUnavailable, withBulkWrites, withSavepoint, type BulkWriteSettings, type Tx } from '../store/database.js';
import { expiryRepository } from '../store/expiries.repository.js';
import { historyRepository } from '../store/history.repository.js';
import { mailRepository } from '../store/mail.repository.js';
import { webhookRepository } from '../store/account-api-webhooks.repository.js';
import { transaction, type ServiceDeps } from './context.js';
import { actWithin } from './application-events.js';
import { notifyExpiries } from './mail-notify.js';
import { enqueueWebhooksMany } from './webhooks.js';

export interface SweepResult {
  readonly examined: number;
  readonly expiredCorrections: number;
  readonly expiredPayments: number;
  readonly skipped: number;
}

const CLOCK: Actor = { kind: 'clock' };

type Outcome = 'correction' | 'payment' | 'skipped';

const outcomeOf = (x: Expiry): Outcome => (x.plan.event === 'expireCorrection' ? 'correction' : 'payment');

/**
 * The batch's expiries written, inside the caller's transaction (decision 0018): what `actWithin`
 * writes for one expiry, for all of them in a few statements: the applications, notices and
 * 利用者ID lists by the plan (`expiryRepository.apply`, version-checked: an application changed
 * since the claim is not written and is absent from the answer), the history rows, the mails of
 * the applications that have a 連絡先, rendered by the domain from what the claim read of each
 * (`expiryMails`: its number and procedure, `naming`), and the webhooks of the few whose 利用者ID has
 * an endpoint: those alone are loaded whole, so that the domain renders their payload (and their
 * mail) from the application after its expiry (`applyExpiry`, the rule `applyEvent` applies). What
 * follows every move must be added here as in `actWithin` (test/services/deadline-sweep-expiry.test.ts
 * compares the rows of both).
 */
async function expireWithin(deps: ServiceDeps, tx: Tx, expiries: readonly Expiry[], naming: ReadonlyMap<string, MailNaming>, at: Date): Promise<Set<string>> {
  const dialect = deps.database.dialect;
  const ids = expiries.map((x) => x.applicationId);
  const [contacts, endpoints] = [await mailRepository(tx, dialect).contacts(ids), await webhookRepository(tx, dialect).endpointsForMany(ids)];
  const needsWhole = (x: Expiry) => endpoints.has(x.applicationId) || (expiryMailNeedsApplication(x) && mayMail(contacts.get(x.applicationId) ?? null));
  const whole = await applicationRepository(tx, dialect).loadManyForUpdate(expiries.filter(needsWhole).map((x) => x.applicationId));
  const written = await expiryRepository(tx, dialect).apply(expiries, at);
  const done = expiries.filter((x) => written.has(x.applicationId));
  await historyRepository(tx, dialect).appendMany(done.map((x) => ({ applicationId: x.applicationId, seq: x.version, draft: x.history, id: deps.ids.id() })));
  await notifyExpiries(deps, tx, done.map((x) => ({ expiry: x, naming: naming.get(x.applicationId)!, before: whole.get(x.applicationId) ?? null })), contacts);
  const moves = done.flatMap((x) => {
    const before = whole.get(x.applicationId);
    return before && endpoints.has(x.applicationId) ? [{ app: { ...applyExpiry(before, x), version: x.version }, seq: x.version, history: x.history }] : [];
  });
  await enqueueWebhooksMany(deps, tx, moves);
  return written;
}

/**
 * Applications moved per transaction: one commit (one wait for the disk) per batch, not per
 * application. 2,000 since decision 0018 (a batch holds one `Expiry` each, not whole applications):
 * measured on 1,000,000 / 100,000 due, 14.2 CPU s and 4.0 GiB against 15.2 and 4.2 for 500 and
 * 15.3 and 4.2 for 5,000. On SQLite a batch holds the one writer's lock (and the process's
 * connection) for its length, a few hundred milliseconds: larger would only lengthen that.
 */
export const SWEEP_BATCH_SIZE = 2_000;

/**
 * Due applications read a round (their ids only, soonest deadline first, through the partial index
 * on deadline_at), then claimed in id order, `SWEEP_BATCH_SIZE` a transaction: about 7 MB of ids.
 * In id order a batch changes a contiguous slice of every index keyed by application id, so the
 * pages of those that hold many applications a page (the notices', the outbox's) are written in
 * one or two batches instead of in most of them: 3.67 → 2.88 GiB written for 100,000 with a mail
 * each (docs/benchmarks.md, round six: the sweep in id order). Rounds of 30,000 wrote more (3.01).
 */
export const SWEEP_ROUND_SIZE = 100_000;

/**
 * SQLite, for the time of a sweep (`withBulkWrites`): a page cache of 64 MiB instead of 16, which
 * holds what a batch of 2,000 changes until its commit (about five pages an application, 40 MiB),
 * and a checkpoint every 64 MiB of log instead of every 4 MiB; and the statement journals in
 * memory (`temp_store`). Given back at the end of the run. Measured (docs/benchmarks.md): with
 * UUIDv7 row ids, 5.3 GiB written for 100,000 applications instead of 7.1 (before decision 0018;
 * 4.0 GiB after it, 2.6 with the journals in memory, round five). A checkpoint every 1 GiB wrote
 * 0.45 GiB less without fewer CPU seconds (one run, loaded; every page read searches a longer log).
 */
const SWEEP_SQLITE_SETTINGS: BulkWriteSettings = { cacheMb: 64, checkpointPages: 16_384 };

/** Thrown out of a batch's transaction to roll it back when its set-based statements failed (the batch is then redone one by one). */
class BatchFailed extends Error {
  constructor(
    readonly err: unknown,
    readonly expiries: readonly Expiry[],
    /** The outcomes decided before the statements (the applications skipped). */
    readonly done: readonly [string, Outcome][],
  ) {
    super('deadline sweep: the batch failed');
  }
}

/**
 * 期限切れ: applies the clock's events to every application whose running deadline has passed.
 *
 * One indexed pass, in rounds (decision 0018, round six): a round reads the ids of the next
 * `SWEEP_ROUND_SIZE` due applications from the partial index on deadline_at (never a full scan)
 * and sorts them; each batch of `SWEEP_BATCH_SIZE` of them, in id order, is claimed again by its
 * primary key, still due at the batch's time, with what an expiry needs (status, version, running
 * deadline); the domain decides each one's expiry from that (`decideExpiry`, decision 0018: the
 * same rule `applyEvent` applies), and the batch is written in ONE transaction by a few set-based statements
 * (`expireWithin`): the plans' version-checked UPDATEs, notices, 申請一覧 rows, history, the
 * mails of the applications that have a 連絡先 (rendered from the claimed row) and the webhooks of
 * the few whose 利用者ID has an endpoint. Payment lines and attachments are neither read nor
 * written. An application changed meanwhile is not written and stays due for the next run. Should
 * the batch's statements fail (a bug, a trigger), its transaction is rolled back (it wrote nothing
 * else) and the batch is redone, in the next transaction, one application at a time through
 * `actWithin`, each in a savepoint of its own, so that the one that fails is undone alone. The
 * sweep of one application stays atomic; the batch commits once.
 *
 * Several sweepers may run at once (several processes, several machines, a cron job):
 * - PostgreSQL: a batch claims its rows with `FOR UPDATE SKIP LOCKED`, so two sweepers take
 *   different rows, never wait for each other, and a row one of them moved is no longer due for the
 *   other once it commits. Two sweepers read the same round of ids: a batch the other holds is
 *   skipped (claimed empty), one it committed is no longer due, so each takes the slices the other
 *   has not reached. A round in which nothing could be claimed ends the run (what is still due is
 *   held by the other sweeper, which moves it).
 * - SQLite: one writer at a time (`BEGIN IMMEDIATE`): the batches of two sweepers take turns.
 * Either way the door's rules would refuse a second expiry: each application moves once.
 *
 * Before the applications, the まとめ納付 numbers past their 納付期限 expire (src/services/payment-groups.ts).
 *
 * One application that fails (a bug, not a refusal) is logged and left for the next run; it does
 * not stop the others. Losing the database stops the run (the scheduler retries later).
 */
export function makeSweepDeadlines(deps: ServiceDeps, expirePaymentGroups: () => Promise<number> = () => Promise.resolve(0)) {
  return (batchSize = SWEEP_BATCH_SIZE, roundSize = SWEEP_ROUND_SIZE) => withBulkWrites(deps.database, SWEEP_SQLITE_SETTINGS, () => sweep(batchSize, Math.max(roundSize, batchSize)));

  async function sweep(batchSize: number, roundSize: number): Promise<SweepResult> {
    let examined = 0;
    let expiredCorrections = 0;
    let expiredPayments = 0;
    let skipped = 0;
    // まとめ納付 numbers past their 納付期限 first (decision 0010): members whose own deadline is later get their lines back before any application is expired.
    const groups = await expirePaymentGroups();
    if (groups > 0) deps.logger.info({ paymentGroups: groups }, 'deadline sweep: まとめ納付 numbers expired');
    // Applications this run could not move stay due; they are not taken again in this run.
    const left = new Set<string>();

    // Rounds: the ids of at most `roundSize` due applications (soonest deadline first), read through the partial index, claimed in id order.
    for (;;) {
      // One more than a round: fewer than that read means nothing else was due at the read.
      const limit = roundSize + left.size + 1;
      const read = await applicationRepository(deps.database.db, deps.database.dialect).dueIds(deps.clock.now(), limit);
      const ids = read
        .filter((id) => !left.has(id))
        .slice(0, roundSize)
        .sort();
      if (ids.length === 0) break;
      let examinedInRound = 0;
      for (let from = 0; from < ids.length; from += batchSize) {
        const outcomes = await sweepBatch(ids.slice(from, from + batchSize));
        examinedInRound += outcomes.length;
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
      // Nothing of the round could be claimed: what is still due is another sweeper's batch (PostgreSQL), which moves it.
      if (examinedInRound === 0) break;
      // A round shorter than asked for held everything due at its read: no other round (it would read the whole
      // due set again, a scan of the table on PostgreSQL, to find nothing); what fell due since is the next run's.
      if (read.length < limit) break;
    }
    return { examined, expiredCorrections, expiredPayments, skipped };
  }

  /** One batch: those of `ids` still due, claimed, decided and written in one transaction (or, should that fail, redone one by one in the next). */
  async function sweepBatch(ids: readonly string[]): Promise<readonly [string, Outcome][]> {
    const now = deps.clock.now();
    const batch = await transaction(deps, async (tx): Promise<[string, Outcome][]> => {
      // Claimed again by id: each still due at this batch's time, with the version the writes are checked against.
      const due = await applicationRepository(tx, deps.database.dialect).claimDueAmong(ids, now);
      const done: [string, Outcome][] = [];
      // The domain decides each expiry from what the claim read (status, version, running deadline).
      const expiries: Expiry[] = [];
      const naming = new Map<string, MailNaming>(due.map((d) => [d.id, d]));
      for (const d of due) {
        const expiry = decideExpiry({ id: d.id, status: d.status, version: d.version, deadline: deadlineDateOf(d.deadlineAt) }, now, () => deps.ids.id());
        if (expiry.ok) expiries.push(expiry.value);
        else done.push([d.id, 'skipped']);
      }
      if (expiries.length === 0) return done;
      try {
        // The whole batch in set-based statements. No savepoint: a failure rolls the whole transaction back (it wrote nothing else), and the batch is redone one by one in the next.
        const written = await expireWithin(deps, tx, expiries, naming, now);
        for (const x of expiries) done.push([x.applicationId, written.has(x.applicationId) ? outcomeOf(x) : 'skipped']);
        return done;
      } catch (err) {
        if (isDatabaseUnavailable(err) || isAbortedTransaction(err)) throw err;
        throw new BatchFailed(err, expiries, done);
      }
    }).catch((err: unknown) => {
      if (err instanceof BatchFailed) return err;
      throw err;
    });
    if (!(batch instanceof BatchFailed)) return batch;
    const { err, expiries, done } = batch;
    deps.logger.warn({ err, applications: expiries.length }, 'deadline sweep: the batch failed; moving its applications one by one');
    return transaction(deps, async (tx) => {
      const redone: [string, Outcome][] = [...done];
      for (const x of expiries) {
        const id = x.applicationId;
        try {
          // Each in its own savepoint: the one that fails is undone alone.
          const result = await withSavepoint(tx, () => actWithin(deps, tx, id, { type: x.plan.event }, CLOCK));
          redone.push([id, result.ok ? outcomeOf(x) : 'skipped']);
        } catch (e) {
          // The database itself failing ends the run (and rolls the batch back).
          if (isDatabaseUnavailable(e) || isAbortedTransaction(e)) throw e;
          deps.logger.error({ err: e, applicationId: id }, 'deadline sweep: could not move this application');
          redone.push([id, 'skipped']);
        }
      }
      return redone;
    });
  }
}
