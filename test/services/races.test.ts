import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actors.js';
import type { JapanDate } from '../../src/domain/time.js';
import type { ActEvent } from '../../src/services/application-events.js';
import type { Services } from '../../src/services/index.js';
import { consistencyReport } from '../../src/store/maintenance.js';
import { testDatabaseKind } from '../support/database.js';
import { OFFICE_ACTOR, createSecurityApp, givenApplication, type SecurityApp } from '../support/security.js';

const APPLICANT: Actor = { kind: 'applicant' };
const OFFICE = OFFICE_ACTOR('tokyo');

type Write = { actor: Actor; event: ActEvent };
type Outcome = { ok: boolean; code: string | null; event: string };

/**
 * 200 writes at once. On PostgreSQL they go through four connection pools (four "processes"), so
 * the row locks and version checks really race. On SQLite one process has one connection, which
 * runs transactions one at a time; the race between processes is shown by scripts/crash-test.ts.
 */
describe('races: 200 concurrent conflicting writes to one application through the services', () => {
  let t: SecurityApp;
  let workers: Services[];
  beforeAll(async () => {
    t = await createSecurityApp();
    workers = [t.services];
    if (testDatabaseKind() === 'postgres') for (let i = 0; i < 3; i++) workers.push((await t.another()).services);
  });
  afterAll(async () => {
    await t.close();
  });

  async function race(id: string, writes: Write[], expectedVersion: number | undefined): Promise<Outcome[]> {
    return Promise.all(
      writes.map(async (w, i) => {
        const r = await (workers[i % workers.length] as Services).actOnApplication(id, w.event, w.actor, { expectedVersion });
        return { ok: r.ok, code: r.ok ? null : r.refusal.code, event: w.event.type };
      }),
    );
  }

  /** One history entry per successful write, versions 1..n without a gap, the last leading to the current status. */
  async function expectHistoryMatches(id: string, versionBefore: number, winners: Outcome[]) {
    const snapshot = await t.services.statusInquiry.read(id);
    const history = await t.services.statusInquiry.history(id);
    expect(snapshot?.application.version).toBe(versionBefore + winners.length);
    expect(history.map((h) => h.seq)).toEqual(Array.from({ length: versionBefore + winners.length }, (_, i) => i + 1));
    expect(history.slice(versionBefore).map((h) => h.event)).toEqual(winners.map((w) => w.event));
    expect(history.at(-1)?.toStatus).toBe(snapshot?.application.status);
    const report = await consistencyReport(t.db.handle);
    expect(report.problems).toEqual([]);
  }

  it('withdrawal (申請者) against the office’s rejection (却下), each with the version it read: exactly one wins, 199 get a conflict', async () => {
    const { id } = await givenApplication(t.services, { to: 'correctionRequested', chassis: 'RACE-0000001' });
    const before = (await t.services.statusInquiry.read(id))!.application.version;
    const writes: Write[] = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0 ? { actor: APPLICANT, event: { type: 'withdraw' } } : { actor: OFFICE, event: { type: 'reject', reasonTitle: '審査による却下', reasonDetail: '保安基準に適合しません。' } },
    );
    const outcomes = await race(id, writes, before);
    const winners = outcomes.filter((o) => o.ok);
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).every((o) => o.code === 'versionConflict')).toBe(true);
    const status = (await t.services.statusInquiry.read(id))!.application.status;
    expect(status).toBe(winners[0]!.event === 'withdraw' ? 'withdrawn' : 'rejected');
    await expectHistoryMatches(id, before, winners);
  });

  it('the same race without a version (blind writes): the first wins, the 199 others are refused by the new status', async () => {
    const { id } = await givenApplication(t.services, { to: 'correctionRequested', chassis: 'RACE-0000002' });
    const before = (await t.services.statusInquiry.read(id))!.application.version;
    const writes: Write[] = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0 ? { actor: APPLICANT, event: { type: 'withdraw' } } : { actor: OFFICE, event: { type: 'reject', reasonTitle: '審査による却下', reasonDetail: '保安基準に適合しません。' } },
    );
    const outcomes = await race(id, writes, undefined);
    const winners = outcomes.filter((o) => o.ok);
    expect(winners).toHaveLength(1);
    expect(new Set(outcomes.filter((o) => !o.ok).map((o) => o.code))).toEqual(new Set(['statusDoesNotAllow']));
    await expectHistoryMatches(id, before, winners);
  });

  it('two office decisions in 検査申請審査中 (補正の通知 against 審査完了 against 却下): exactly one wins', async () => {
    const { id } = await givenApplication(t.services, { to: 'underExamination', chassis: 'RACE-0000003' });
    // 審査完了 needs the attachments: acquire them first, so that every decision is allowed on its own.
    for (const kind of ['insuranceCertificate', 'safetyStandardCertificate'] as const) {
      const r = await t.services.actOnApplication(id, { type: 'acquireAttachment', kind }, { kind: 'attachmentSource', id: 'race', label: '添付書類' });
      expect(r.ok).toBe(true);
    }
    const before = (await t.services.statusInquiry.read(id))!.application.version;
    const decisions: ActEvent[] = [
      { type: 'requestCorrection', reasonTitle: '申請書の不備', reasonDetail: '住所を確認してください。', deadline: '2026-12-04' as JapanDate },
      { type: 'completeExamination', completedOn: '2026-11-26' as JapanDate },
      { type: 'reject', reasonTitle: '審査による却下', reasonDetail: '保安基準に適合しません。' },
    ];
    const clerks = [OFFICE, { ...OFFICE, id: 'test-tokyo-2', label: '東京 審査担当2' } as Actor];
    const writes: Write[] = Array.from({ length: 200 }, (_, i) => ({ actor: clerks[i % 2] as Actor, event: decisions[i % 3] as ActEvent }));
    const outcomes = await race(id, writes, before);
    const winners = outcomes.filter((o) => o.ok);
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).every((o) => o.code === 'versionConflict')).toBe(true);
    await expectHistoryMatches(id, before, winners);
  });

  it('200 writes at once to 200 different applications all succeed: no false conflict', async () => {
    const apps = [];
    for (let i = 0; i < 200; i++) apps.push(await givenApplication(t.services, { to: 'awaitingAcceptance', chassis: `RACE-1${String(i).padStart(6, '0')}` }));
    const outcomes = await Promise.all(
      apps.map(async (a, i) => {
        const r = await (workers[i % workers.length] as Services).actOnApplication(a.id, { type: 'accept' }, OFFICE, { expectedVersion: 1 });
        return r.ok;
      }),
    );
    expect(outcomes.every(Boolean)).toBe(true);
    const report = await consistencyReport(t.db.handle);
    expect(report.problems).toEqual([]);
  }, 120_000);
});
