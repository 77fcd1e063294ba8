import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios } from '../../src/demo/scenarios.js';
import { statuses, type StatusCode, type StatusDefinition } from '../../src/domain/statuses.js';
import { officeActionOrder } from '../../src/domain/work-queue.js';
import { workListRepository } from '../../src/store/work-list.repository.js';
import type { Database } from '../../src/store/schema.js';
import { createTestApp, type TestApp } from '../support/app.js';

describe('the office work list (作業一覧)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const tokyoScenarios = demoScenarios.filter((s) => (s.filing.officeCode ?? 'tokyo') === 'tokyo');
  const open = (s: (typeof demoScenarios)[number]) => !(statuses[s.expectedStatus] as StatusDefinition).terminal;

  it('lists only the office\'s own applications, open ones by default: what the office must act on first (受付審査中 first), oldest arrival first, then the rest by deadline (issue 14)', async () => {
    const list = await t.services.workList.list('tokyo', { status: 'open', procedure: null, deadline: 'any', page: 1 });
    expect(list.total).toBe(tokyoScenarios.filter(open).length);
    expect(list.pageSize).toBe(20);
    const all = [...list.items, ...(await t.services.workList.list('tokyo', { status: 'open', procedure: null, deadline: 'any', page: 2 })).items];
    expect(all).toHaveLength(list.total);
    // The office's own work, in officeActionOrder, each status oldest arrival first.
    const acting = all.filter((i) => i.needsOfficeAction);
    expect(acting.length).toBeGreaterThan(0);
    expect(all.slice(0, acting.length)).toEqual(acting);
    expect(all[0]!.status).toBe('awaitingAcceptance');
    const rank = (i: (typeof all)[number]) => officeActionOrder.indexOf(i.status);
    expect(acting.map(rank)).toEqual([...acting.map(rank)].sort((a, b) => a - b));
    for (const status of officeActionOrder) {
      const filed = acting.filter((i) => i.status === status).map((i) => i.filedAt.getTime());
      expect(filed, status).toEqual([...filed].sort((a, b) => a - b));
    }
    // Then the rest: deadlines soonest first, no deadline last.
    const rest = all.slice(acting.length);
    expect(rest.every((i) => !i.needsOfficeAction)).toBe(true);
    const deadlines = rest.map((i) => i.deadline?.date ?? null);
    const firstNull = deadlines.indexOf(null);
    expect(deadlines.slice(firstNull).every((d) => d === null)).toBe(true);
    const dated = deadlines.slice(0, firstNull) as string[];
    expect(dated).toEqual([...dated].sort());
    expect(dated[0]).toBe('2026-11-27');
    const nerima = await t.services.workList.list('nerima', { status: 'all', procedure: null, deadline: 'any', page: 1 });
    expect(nerima.items.map((i) => i.applicantName)).toEqual(['長原モータース']);
  });

  it('filters by status, procedure and deadline', async () => {
    const corrections = await t.services.workList.list('tokyo', { status: 'inspectionCorrectionRequested', procedure: null, deadline: 'any', page: 1 });
    expect(corrections.items.map((i) => i.status)).toEqual(corrections.items.map(() => 'inspectionCorrectionRequested'));
    expect(corrections.total).toBe(tokyoScenarios.filter((s) => s.expectedStatus === 'inspectionCorrectionRequested').length);
    const newCars = await t.services.workList.list('tokyo', { status: 'all', procedure: 'newVehicle', deadline: 'any', page: 1 });
    expect(newCars.total).toBe(tokyoScenarios.filter((s) => s.procedure === 'newVehicle').length);
    const soon = await t.services.workList.list('tokyo', { status: 'open', procedure: null, deadline: 'within3', page: 1 });
    expect(soon.items.length).toBeGreaterThan(0);
    expect(soon.items.every((i) => i.deadline !== null && i.deadline.date <= '2026-11-29')).toBe(true);
    expect((await t.services.workList.list('tokyo', { status: 'open', procedure: null, deadline: 'overdue', page: 1 })).total).toBe(0);
  });

  it('a page past the end shows the last page', async () => {
    const last = await t.services.workList.list('tokyo', { status: 'all', procedure: null, deadline: 'any', page: 999 });
    expect(last.page).toBe(last.pageCount);
    expect(last.items.length).toBeGreaterThan(0);
  });

  it('reads through applications_office_status_idx (office_code, status, deadline_at)', async () => {
    const captured: CompiledQuery[] = [];
    const handle = t.db.handle;
    const logging = new Kysely<Database>({
      dialect: handle.dialect === 'sqlite' ? new SqliteDialect({ database: handle.sqlite! }) : new PostgresDialect({ pool: handle.pool! }),
      log: (e) => {
        if (e.level === 'query') captured.push(e.query);
      },
    });
    const open: StatusCode[] = ['inspectionCorrectionRequested', 'inspectionFeesDue', 'awaitingAcceptance'];
    await workListRepository(logging).page({ officeCode: 'tokyo', statuses: open, procedure: null, deadlineBefore: null, officeFirst: officeActionOrder, limit: 20, offset: 0 });
    const q = captured.find((c) => c.sql.includes('office_code'))!;
    if (handle.dialect === 'sqlite') {
      const plan = (handle.sqlite!.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[]).map((p) => p.detail).join(' | ');
      expect(plan).toContain('USING INDEX applications_office_status_idx (office_code=? AND status=?)');
    } else {
      await handle.db.transaction().execute(async (tx) => {
        await tx.executeQuery(CompiledQuery.raw('set local enable_seqscan = off'));
        const plan = await tx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('applications_office_status_idx');
      });
    }
  });
});
