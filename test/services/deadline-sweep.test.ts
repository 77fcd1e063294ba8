import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asJapanDate } from '../../src/domain/time.js';
import { createServices } from '../../src/services/index.js';
import { applicationRepository } from '../../src/store/applications.repository.js';
import type { Database } from '../../src/store/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { fileAndMove, filing, office, payEasy } from './support.js';

/**
 * 期限切れ: the sweeper finds applications past their 補正期限 or 納付期限 through the partial index
 * on deadline_at, and two sweeps running at once change each application exactly once.
 */
describe('deadline sweeper', () => {
  let t: TestApp;
  const corrections: string[] = [];
  const payments: string[] = [];
  const notDue: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    const s = t.services;
    for (let i = 0; i < 12; i++) {
      corrections.push(
        await fileAndMove(s, filing(), [
          [office(), { type: 'accept' }],
          [office(), { type: 'issueFees', dueOn: asJapanDate('2026-12-10') }],
          [payEasy, { type: 'recordPayment', stage: 'inspectionFees', paidOn: asJapanDate('2026-11-26') }],
          [payEasy, { type: 'recordPayment', stage: 'weightTax', paidOn: asJapanDate('2026-11-26') }],
          [office(), { type: 'requestCorrection', reasonTitle: '不備', reasonDetail: '', deadline: asJapanDate('2026-11-30') }],
        ]),
      );
      payments.push(await fileAndMove(s, filing(), [[office(), { type: 'accept' }], [office(), { type: 'issueFees', dueOn: asJapanDate('2026-11-27') }]]));
    }
    for (let i = 0; i < 3; i++) notDue.push(await fileAndMove(s, filing(), [[office(), { type: 'accept' }], [office(), { type: 'issueFees', dueOn: asJapanDate('2026-12-24') }]]));
    // 2026-12-01 00:00:01 JST: both deadlines have passed, the third one has not.
    t.clock.set('2026-11-30T15:00:01Z');
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('two sweeps at once (the server\'s job and `kei-oss sweep-deadlines`) change each application exactly once', async () => {
    const other = createServices(t.deps, t.secrets);
    const [r1, r2] = await Promise.all([t.services.sweepDeadlines(5), other.sweepDeadlines(5)]);
    expect(r1.expiredCorrections + r2.expiredCorrections).toBe(12);
    expect(r1.expiredPayments + r2.expiredPayments).toBe(12);

    const db = t.db.handle.db;
    const expiries = await db
      .selectFrom('status_history')
      .select(['application_id', 'event', (eb) => eb.fn.countAll().as('n')])
      .where('event', 'in', ['expireCorrection', 'expirePayment'])
      .groupBy(['application_id', 'event'])
      .execute();
    expect(expiries).toHaveLength(24);
    expect(expiries.every((e) => Number(e.n) === 1)).toBe(true);
    expect(new Set(expiries.filter((e) => e.event === 'expireCorrection').map((e) => e.application_id))).toEqual(new Set(corrections));
    expect(new Set(expiries.filter((e) => e.event === 'expirePayment').map((e) => e.application_id))).toEqual(new Set(payments));

    const statuses = await db.selectFrom('applications').select(['id', 'status', 'version', 'deadline_at']).execute();
    const byId = new Map(statuses.map((r) => [r.id, r]));
    for (const id of corrections) expect(byId.get(id)).toMatchObject({ status: 'rejected', deadline_at: null, version: 7 });
    for (const id of payments) expect(byId.get(id)).toMatchObject({ status: 'invalidated', deadline_at: null, version: 4 });
    for (const id of notDue) expect(byId.get(id)).toMatchObject({ status: 'inspectionFeesDue', version: 3 });

    // Nothing is left for a third sweep.
    expect(await t.services.sweepDeadlines()).toEqual({ examined: 0, expiredCorrections: 0, expiredPayments: 0, skipped: 0 });
  });

  it('reads through the partial index applications_deadline_idx (deadline_at, id) alone, never the table', async () => {
    // Capture the exact SQL the sweeper's query compiles to, then ask the database for its plan.
    const captured: CompiledQuery[] = [];
    const handle = t.db.handle;
    const logging = new Kysely<Database>({
      dialect: handle.dialect === 'sqlite' ? new SqliteDialect({ database: handle.sqlite! }) : new PostgresDialect({ pool: handle.pool! }),
      log: (e) => {
        if (e.level === 'query') captured.push(e.query);
      },
    });
    // Kysely is not destroyed: it shares the test database's connection (or pool).
    // The read of a round's due ids (src/services/deadline-sweep.ts).
    await applicationRepository(logging, handle.dialect).dueIds(t.clock.now(), 100);
    const q = captured.find((c) => c.sql.includes('deadline_at'))!;
    if (handle.dialect === 'sqlite') {
      const plan = handle.sqlite!.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[];
      const details = plan.map((p) => p.detail).join(' | ');
      // COVERING: the ids come from the index (migration 0029), not from each due row.
      expect(details).toMatch(/^SEARCH applications USING COVERING INDEX applications_deadline_idx \(deadline_at>\? AND deadline_at<\?\)$/);
    } else {
      // A tiny test table would be scanned whatever the indexes: ask which index the planner can use.
      await handle.db.transaction().execute(async (tx) => {
        await tx.executeQuery(CompiledQuery.raw('set local enable_seqscan = off'));
        await tx.executeQuery(CompiledQuery.raw('set local enable_bitmapscan = off'));
        const plan = await tx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(text).toContain('applications_deadline_idx');
        expect(text).not.toContain('Seq Scan');
        // From the index alone, in its order: no row read for its id, no sort (the due ids of a round come soonest deadline first).
        expect(text).toContain('Index Only Scan using applications_deadline_idx');
        expect(text).not.toContain('Sort');
      });
    }
  });
});
