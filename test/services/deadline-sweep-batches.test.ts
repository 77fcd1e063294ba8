import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationRepository } from '../../src/store/applications.repository.js';
import { TEST_NOW, createTestApp, type TestApp } from '../support/app.js';
import { insertDueApplications, type DueApplications } from '../multiprocess/support/due-applications.js';

const SWEEP_AT = new Date(TEST_NOW.getTime() + 90 * 24 * 60 * 60 * 1000);

async function expiryCounts(t: TestApp): Promise<number[]> {
  const rows = await t.db.handle.db
    .selectFrom('status_history')
    .select(['application_id', (eb) => eb.fn.countAll().as('n')])
    .where('event', 'in', ['expireCorrection', 'expirePayment'])
    .groupBy('application_id')
    .execute();
  return rows.map((r) => Number(r.n));
}

describe('期限切れ: the sweep in batches, on both databases', () => {
  let t: TestApp;
  let due: DueApplications;
  beforeAll(async () => {
    t = await createTestApp({ now: SWEEP_AT });
    due = await insertDueApplications(t.db.handle, 250, TEST_NOW);
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('two sweeps at once over 250 due applications (three batches each) expire each one once', async () => {
    const [first, second] = await Promise.all([t.services.sweepDeadlines(), t.services.sweepDeadlines()]);
    expect(first.expiredCorrections + second.expiredCorrections).toBe(due.corrections);
    expect(first.expiredPayments + second.expiredPayments).toBe(due.payments);
    const counts = await expiryCounts(t);
    expect(counts).toHaveLength(250);
    expect(counts.every((n) => n === 1)).toBe(true);
    expect(await applicationRepository(t.db.handle.db, t.db.handle.dialect).dueForSweep(SWEEP_AT, 10)).toEqual([]);
    expect(await t.services.sweepDeadlines()).toEqual({ examined: 0, expiredCorrections: 0, expiredPayments: 0, skipped: 0 });
  });

  it('gives the SQLite connection its page cache and checkpoint interval back after a sweep', async () => {
    const sqlite = t.db.handle.sqlite;
    if (!sqlite) return; // PostgreSQL: nothing is changed on the connection
    const before = [sqlite.pragma('cache_size', { simple: true }), sqlite.pragma('wal_autocheckpoint', { simple: true })];
    await insertDueApplications(t.db.handle, 2, TEST_NOW);
    const result = await t.services.sweepDeadlines();
    expect(result.expiredCorrections + result.expiredPayments).toBe(2);
    expect([sqlite.pragma('cache_size', { simple: true }), sqlite.pragma('wal_autocheckpoint', { simple: true })]).toEqual(before);
    expect(before).toEqual([-8192, 1000]);
  });

  it('leaves an application it cannot move for the next run, moves the others, and ends', async () => {
    const more = await insertDueApplications(t.db.handle, 3, TEST_NOW);
    // A row that looks due but whose status has no deadline (as a bug or a hand edit could leave it).
    const [stuck] = more.ids;
    await t.db.handle.db.updateTable('applications').set({ status: 'inspectionUnderExamination' }).where('id', '=', stuck!).execute();
    const result = await t.services.sweepDeadlines();
    expect(result.examined).toBe(3);
    expect(result.skipped).toBe(1);
    expect(result.expiredCorrections + result.expiredPayments).toBe(2);
    // The next run examines it again (it is still due) and still leaves it.
    expect(await t.services.sweepDeadlines()).toEqual({ examined: 1, expiredCorrections: 0, expiredPayments: 0, skipped: 1 });
    const row = await t.db.handle.db.selectFrom('applications').select(['status', 'deadline_at']).where('id', '=', stuck!).executeTakeFirstOrThrow();
    expect(row.status).toBe('inspectionUnderExamination');
    expect(row.deadline_at).not.toBeNull();
  });
});
