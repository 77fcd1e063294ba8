import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServices } from '../../src/services/index.js';
import { applicationRepository } from '../../src/store/applications.repository.js';
import { TEST_NOW, createTestApp, type TestApp } from '../support/app.js';
import { insertDueApplications, type DueApplications } from '../multiprocess/support/due-applications.js';

const SWEEP_AT = new Date(TEST_NOW.getTime() + 90 * 24 * 60 * 60 * 1000);

/** The expiries written, in the order the sweep wrote them (the history's feed position): application id and its due deadline before the sweep. */
async function expiriesInOrder(t: TestApp, deadlines: ReadonlyMap<string, string>): Promise<{ id: string; deadline: string; seq: number }[]> {
  const rows = await t.db.handle.db
    .selectFrom('status_history')
    .select(['application_id', 'seq'])
    .where('event', 'in', ['expireCorrection', 'expirePayment'])
    .where('application_id', 'in', [...deadlines.keys()])
    // PostgreSQL: one feed position a transaction (its id), so a batch's rows tie; by id within it.
    .orderBy('feed_position')
    .orderBy('application_id')
    .execute();
  return rows.map((r) => ({ id: r.application_id, deadline: deadlines.get(r.application_id)!, seq: r.seq }));
}

async function dueDeadlines(t: TestApp, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await t.db.handle.db.selectFrom('applications').select(['id', 'deadline_at']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.deadline_at!]));
}

/** Runs `change` once, right after the first query whose answer is a non-empty list of ids alone (the sweep's round read), before the sweep goes on. */
function afterTheIdRead(change: () => Promise<void>): KyselyPlugin {
  let done = false;
  return {
    transformQuery: (args: PluginTransformQueryArgs): RootOperationNode => args.node,
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const rows = args.result.rows;
      if (!done && rows.length > 0 && rows.every((r) => Object.keys(r).join() === 'id')) {
        done = true;
        await change();
      }
      return args.result;
    },
  };
}

/** Counts the due-id reads (the SELECT of applications ordered by deadline_at) the sweep runs. */
function countingDueReads(): KyselyPlugin & { reads: number } {
  const plugin = {
    reads: 0,
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      const node = args.node;
      if (node.kind === 'SelectQueryNode' && JSON.stringify(node.from).includes('"applications"') && JSON.stringify(node.orderBy ?? null).includes('"deadline_at"')) plugin.reads += 1;
      return node;
    },
    transformResult: (args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> => Promise.resolve(args.result),
  };
  return plugin;
}

describe('期限切れ in rounds: due ids read through the deadline index, claimed in id order, on both databases', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ now: SWEEP_AT });
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    // Each test sweeps its own applications: nothing of the previous one is left due.
    expect(await applicationRepository(t.db.handle.db, t.db.handle.dialect).dueForSweep(SWEEP_AT, 10)).toEqual([]);
  });

  it('sweeps every due application once in rounds smaller than what is due: soonest deadlines first, each round in id order', async () => {
    const due: DueApplications = await insertDueApplications(t.db.handle, 23, TEST_NOW);
    const deadlines = await dueDeadlines(t, due.ids);
    // Rounds of 10 ids, batches of 4: rounds of 10, 10 and 3, in batches of 4, 4, 2.
    const result = await t.services.sweepDeadlines(4, 10);
    expect(result).toEqual({ examined: 23, expiredCorrections: due.corrections, expiredPayments: due.payments, skipped: 0 });
    const written = await expiriesInOrder(t, deadlines);
    expect(written.map((w) => w.id).sort()).toEqual([...due.ids].sort());
    const rounds = [written.slice(0, 10), written.slice(10, 20), written.slice(20)];
    for (const round of rounds) expect(round.map((w) => w.id)).toEqual(round.map((w) => w.id).sort());
    // A round holds the soonest deadlines of what was left.
    const latest = (ws: typeof written) => ws.map((w) => w.deadline).sort().at(-1)!;
    const soonest = (ws: typeof written) => ws.map((w) => w.deadline).sort()[0]!;
    expect(latest(rounds[0]!) <= soonest(rounds[1]!)).toBe(true);
    expect(latest(rounds[1]!) <= soonest(rounds[2]!)).toBe(true);
    expect(await t.services.sweepDeadlines(4, 10)).toEqual({ examined: 0, expiredCorrections: 0, expiredPayments: 0, skipped: 0 });
  });

  it('writes the same rows whatever the rounds and batches: each application moved once, to the same status and version', async () => {
    const first = await insertDueApplications(t.db.handle, 12, TEST_NOW);
    const before = new Map((await t.db.handle.db.selectFrom('applications').select(['id', 'version']).where('id', 'in', first.ids).execute()).map((r) => [r.id, r.version]));
    // A round smaller than a batch is read as one batch: rounds of 1 id.
    expect(await t.services.sweepDeadlines(5, 1)).toEqual({ examined: 12, expiredCorrections: first.corrections, expiredPayments: first.payments, skipped: 0 });
    const rows = await t.db.handle.db.selectFrom('applications').select(['id', 'status', 'version', 'deadline_at']).where('id', 'in', first.ids).orderBy('id').execute();
    expect(rows.map((r) => r.version)).toEqual(rows.map((r) => before.get(r.id)! + 1));
    expect(rows.every((r) => r.deadline_at === null && (r.status === 'rejected' || r.status === 'invalidated'))).toBe(true);
    const history = await t.db.handle.db.selectFrom('status_history').select(['application_id', 'seq']).where('application_id', 'in', first.ids).where('actor_kind', '=', 'clock').orderBy('application_id').execute();
    expect(history).toEqual(rows.map((r) => ({ application_id: r.id, seq: r.version })));
  });

  it('reads the due ids once when a round held everything due (a round as large as what is due included): no last read that finds nothing', async () => {
    const handle = t.db.handle;
    for (const [count, round, reads] of [
      [7, 10, 1],
      [7, 7, 1],
      [7, 4, 2],
    ] as const) {
      const due = await insertDueApplications(handle, count, TEST_NOW);
      const counter = countingDueReads();
      const services = createServices({ ...t.deps, database: { ...handle, db: handle.db.withPlugin(counter) } }, t.secrets);
      expect(await services.sweepDeadlines(3, round)).toEqual({ examined: count, expiredCorrections: due.corrections, expiredPayments: due.payments, skipped: 0 });
      expect([count, round, counter.reads]).toEqual([count, round, reads]);
    }
  });

  it('honours a change made between the id read and the batch: one moved meanwhile is not examined, one changed but still due expires from its new version', async () => {
    const due = await insertDueApplications(t.db.handle, 6, TEST_NOW);
    const [moved, bumped] = due.ids as [string, string];
    const versions = new Map((await t.db.handle.db.selectFrom('applications').select(['id', 'version']).where('id', 'in', due.ids).execute()).map((r) => [r.id, r.version]));
    const handle = t.db.handle;
    const change = async () => {
      // Another writer, after the sweep read the ids: one application is moved out of its deadline (as a payment would), one only changes (a new version).
      const moveOut = `update applications set status = 'inspectionUnderExamination', deadline_at = null, version = version + 1 where id = ${handle.dialect === 'postgres' ? '$1' : '?'}`;
      const bump = `update applications set version = version + 1 where id = ${handle.dialect === 'postgres' ? '$1' : '?'}`;
      if (handle.sqlite) {
        // The sweep's Kysely holds the one connection while it reads: the same connection, directly.
        handle.sqlite.prepare(moveOut).run(moved);
        handle.sqlite.prepare(bump).run(bumped);
      } else {
        await handle.pool!.query(moveOut, [moved]);
        await handle.pool!.query(bump, [bumped]);
      }
    };
    const services = createServices({ ...t.deps, database: { ...handle, db: handle.db.withPlugin(afterTheIdRead(change)) } }, t.secrets);
    const result = await services.sweepDeadlines();
    expect(result.examined).toBe(5);
    expect(result.skipped).toBe(0);
    const rows = new Map((await handle.db.selectFrom('applications').select(['id', 'status', 'version', 'deadline_at']).where('id', 'in', due.ids).execute()).map((r) => [r.id, r]));
    expect(rows.get(moved)).toEqual({ id: moved, status: 'inspectionUnderExamination', version: versions.get(moved)! + 1, deadline_at: null });
    expect(rows.get(bumped)).toMatchObject({ version: versions.get(bumped)! + 2, deadline_at: null });
    const history = await handle.db.selectFrom('status_history').select(['application_id', 'seq']).where('application_id', 'in', due.ids).where('actor_kind', '=', 'clock').orderBy('application_id').execute();
    expect(history).toEqual(
      due.ids
        .filter((id) => id !== moved)
        .sort()
        .map((id) => ({ application_id: id, seq: rows.get(id)!.version })),
    );
  });

  it('PostgreSQL: skips, without waiting, the applications another sweeper holds, ends, and leaves them to it', async () => {
    const handle = t.db.handle;
    if (handle.dialect !== 'postgres') return; // SQLite: one writer, the other sweeper's batch is waited for (BEGIN IMMEDIATE)
    const due = await insertDueApplications(handle, 8, TEST_NOW);
    const held = [...due.ids].sort().slice(0, 3);
    let release!: () => void;
    let claimed!: () => void;
    const holding = new Promise<void>((r) => (claimed = r));
    const other = handle.db.transaction().execute(async (tx) => {
      expect((await applicationRepository(tx, 'postgres').claimDueAmong(held, SWEEP_AT)).map((r) => r.id)).toEqual(held);
      claimed();
      await new Promise<void>((r) => (release = r));
    });
    await holding;
    // Batches of 2: the first is all held (claimed empty), the next ones are not; the second round finds only held ones and ends the run.
    const result = await t.services.sweepDeadlines(2, 100);
    expect(result.examined).toBe(5);
    release();
    await other;
    expect((await applicationRepository(handle.db, 'postgres').dueForSweep(SWEEP_AT, 10)).sort()).toEqual(held);
    expect((await t.services.sweepDeadlines()).examined).toBe(3);
  });
});
