import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepResult } from '../../src/services/deadline-sweep.js';
import { TEST_NOW } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertDueApplications, type DueApplications } from './support/due-applications.js';
import { ROOT, startScript, type Child } from './support/processes.js';

const COUNT = 10_000;
/** Ninety days after the demo was seeded: every running deadline of the copies has passed. */
const SWEEP_AT = new Date(TEST_NOW.getTime() + 90 * 24 * 60 * 60 * 1000);

describe('期限切れ: the deadline sweeper from two processes at once on PostgreSQL', () => {
  let db: TestDatabase;
  let due: DueApplications;
  let sweepers: Child[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    due = await insertDueApplications(db.handle, COUNT, TEST_NOW);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(sweepers.map((s) => s.stop()));
    await db.destroy();
  });

  it(`expires each of ${COUNT.toLocaleString('en')} due applications exactly once: one expiry entry in each history, and the totals match`, async () => {
    const count = await db.handle.db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).where('deadline_at', '<=', SWEEP_AT.toISOString()).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(COUNT);
    expect(due.corrections).toBeGreaterThan(0);
    expect(due.payments).toBeGreaterThan(0);

    sweepers = [0, 1].map(() => startScript(join(ROOT, 'test/multiprocess/sweep-process.ts'), [db.where, SWEEP_AT.toISOString()], { TEST_DATABASE_URL: process.env.TEST_DATABASE_URL ?? '' }));
    await Promise.all(sweepers.map((s) => s.waitForLine((l) => l === 'ready')));
    const started = Date.now();
    for (const s of sweepers) s.process.stdin?.write('go\n');
    const outputs = await Promise.all(sweepers.map((s) => s.waitForLine((l) => l.startsWith('{"result"'), 240_000)));
    await Promise.all(sweepers.map((s) => s.exited));
    expect(sweepers.map((s) => s.exitCode)).toEqual([0, 0]);

    const results = outputs.map((o) => (JSON.parse(o) as { result: SweepResult }).result);
    // Printed for docs/deployment.md (not asserted: speed is for benchmarks).
    console.info(`sweeper split over two processes: ${results.map((r) => r.expiredCorrections + r.expiredPayments).join(' + ')} = ${COUNT}, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const total = (key: keyof SweepResult) => results.reduce((sum, r) => sum + r[key], 0);
    expect(total('expiredCorrections')).toBe(due.corrections);
    expect(total('expiredPayments')).toBe(due.payments);
    expect(total('skipped')).toBe(0);
    // Claimed rows are never seen by the other process: together they examined each application once.
    expect(total('examined')).toBe(COUNT);

    const expiries = await db.handle.db
      .selectFrom('status_history')
      .select(['application_id', (eb) => eb.fn.countAll().as('n')])
      .where('event', 'in', ['expireCorrection', 'expirePayment'])
      .groupBy('application_id')
      .execute();
    expect(expiries).toHaveLength(COUNT);
    expect(expiries.every((e) => Number(e.n) === 1)).toBe(true);
    expect(new Set(expiries.map((e) => e.application_id))).toEqual(new Set(due.ids));

    const byStatus = await db.handle.db.selectFrom('applications').select(['status', (eb) => eb.fn.countAll().as('n')]).groupBy('status').orderBy('status').execute();
    expect(byStatus.map((r) => [r.status, Number(r.n)])).toEqual([
      ['invalidated', due.payments],
      ['rejected', due.corrections],
    ]);
    const stillDue = await db.handle.db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).where('deadline_at', 'is not', null).executeTakeFirstOrThrow();
    expect(Number(stillDue.n)).toBe(0);

    // Each history ends at the application's version: nothing written twice, nothing lost.
    const mismatched = await sql<{ n: string }>`
      select count(*) as n from applications a
      where a.version <> (select max(h.seq) from status_history h where h.application_id = a.id)`.execute(db.handle.db);
    expect(Number(mismatched.rows[0]?.n)).toBe(0);
  }, 300_000);
});
