import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statuses, type StatusCode } from '../../src/domain/statuses.js';
import { TEST_NOW, createTestApp, type TestApp } from '../support/app.js';
import { insertDueApplications, type DueApplications } from '../multiprocess/support/due-applications.js';

const SWEEP_AT = new Date(TEST_NOW.getTime() + 90 * 24 * 60 * 60 * 1000);

/** Makes every history append of one application fail, as a bug or a full disk would, after its row was already updated. */
async function failHistoryOf(t: TestApp, applicationId: string): Promise<void> {
  const db = t.db.handle.db;
  if (t.db.handle.dialect === 'sqlite') {
    await sql.raw(`create trigger fail_history before insert on status_history when new.application_id = '${applicationId}' begin select raise(abort, 'history refused'); end`).execute(db);
  } else {
    await sql.raw(`create function fail_history() returns trigger language plpgsql as $$ begin if new.application_id = '${applicationId}' then raise exception 'history refused'; end if; return new; end $$`).execute(db);
    await sql.raw('create trigger fail_history before insert on status_history for each row execute function fail_history()').execute(db);
  }
}

describe('期限切れ in batches: many applications a transaction, each one atomic, on both databases', () => {
  let t: TestApp;
  let due: DueApplications;
  let before: Map<string, { status: string; version: number; history: number }>;

  beforeAll(async () => {
    t = await createTestApp({ now: SWEEP_AT });
    due = await insertDueApplications(t.db.handle, 120, TEST_NOW);
    const rows = await t.db.handle.db.selectFrom('applications').select(['id', 'status', 'version']).where('id', 'in', due.ids).execute();
    const history = await t.db.handle.db.selectFrom('status_history').select(['application_id', (eb) => eb.fn.countAll().as('n')]).where('application_id', 'in', due.ids).groupBy('application_id').execute();
    const counts = new Map(history.map((h) => [h.application_id, Number(h.n)]));
    before = new Map(rows.map((r) => [r.id, { status: r.status, version: r.version, history: counts.get(r.id) ?? 0 }]));
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('moves every due application once, with one history row each, and undoes the one that fails alone', async () => {
    const failing = due.ids[37]!;
    await failHistoryOf(t, failing);
    const failingParts = await t.db.handle.db.selectFrom('payment_lines').selectAll().where('application_id', '=', failing).orderBy('position').execute();

    // Batches of 50: the failing application shares its batch with others, which commit with it.
    const result = await t.services.sweepDeadlines(50);
    const others = [...before].filter(([id]) => id !== failing).map(([, b]) => statuses[b.status as StatusCode].deadline);
    expect(result).toEqual({ examined: 120, expiredCorrections: others.filter((d) => d === 'correction').length, expiredPayments: others.filter((d) => d === 'payment').length, skipped: 1 });
    expect(result.expiredCorrections + result.expiredPayments).toBe(119);
    expect(due.corrections + due.payments).toBe(120);

    const after = await t.db.handle.db.selectFrom('applications').select(['id', 'status', 'version', 'deadline_at']).where('id', 'in', due.ids).execute();
    const expiries = await t.db.handle.db
      .selectFrom('status_history')
      .select(['application_id', 'seq', 'event', 'from_status', 'to_status'])
      .where('application_id', 'in', due.ids)
      .where('event', 'in', ['expireCorrection', 'expirePayment'])
      .execute();
    for (const row of after) {
      const was = before.get(row.id)!;
      const mine = expiries.filter((e) => e.application_id === row.id);
      if (row.id === failing) {
        // Its update was undone with its savepoint: the same status and version, no expiry, the same payment lines.
        expect(row).toMatchObject({ status: was.status, version: was.version });
        expect(row.deadline_at).not.toBeNull();
        expect(mine).toEqual([]);
        continue;
      }
      expect(mine, row.id).toHaveLength(1);
      expect(mine[0]).toMatchObject({ seq: was.version + 1, from_status: was.status, to_status: row.status });
      expect(row.version).toBe(was.version + 1);
      expect(row.status).not.toBe(was.status);
      expect(row.deadline_at).toBeNull();
    }
    const historyCounts = await t.db.handle.db.selectFrom('status_history').select(['application_id', (eb) => eb.fn.countAll().as('n')]).where('application_id', 'in', due.ids).groupBy('application_id').execute();
    for (const h of historyCounts) expect(Number(h.n), h.application_id).toBe(before.get(h.application_id)!.history + (h.application_id === failing ? 0 : 1));
    expect(await t.db.handle.db.selectFrom('payment_lines').selectAll().where('application_id', '=', failing).orderBy('position').execute()).toEqual(failingParts);

    // The next run takes the failing one again (still due), and nothing else.
    expect(await t.services.sweepDeadlines(50)).toEqual({ examined: 1, expiredCorrections: 0, expiredPayments: 0, skipped: 1 });
  });
});
