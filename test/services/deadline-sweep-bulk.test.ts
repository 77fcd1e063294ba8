import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statuses, type StatusCode } from '../../src/domain/statuses.js';
import { CONFLICT_MESSAGE, actManyWithin } from '../../src/services/application-events.js';
import { applicationRepository } from '../../src/store/applications.repository.js';
import { TEST_NOW, createTestApp, type TestApp } from '../support/app.js';
import { insertDueApplications, type DueApplications } from '../multiprocess/support/due-applications.js';

const SWEEP_AT = new Date(TEST_NOW.getTime() + 90 * 24 * 60 * 60 * 1000);
const AT = TEST_NOW.toISOString();

/** The sweep writes a batch in multi-row statements (actManyWithin): the same rows as one move through actWithin. */
describe('期限切れ in bulk: history, お知らせ, 申請一覧, mail and webhook rows of each moved application, and none of one changed meanwhile', () => {
  let t: TestApp;
  let due: DueApplications;

  beforeAll(async () => {
    t = await createTestApp({ now: SWEEP_AT });
    due = await insertDueApplications(t.db.handle, 6, TEST_NOW);
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('writes one mail for a confirmed address (none when unsubscribed), one webhook per live endpoint (none when disabled), and the list row', async () => {
    const db = t.db.handle.db;
    const [mailed, unsubscribed, disabledHook] = due.ids as [string, string, string];
    const contact = (id: string, unsubscribedAt: string | null) => ({ application_id: id, address: `${id.slice(0, 8)}@example.jp`, confirmed_at: AT, token_hash: null, token_expires_at: null, unsubscribed_at: unsubscribedAt, unsubscribe_token: `u-${id}`, updated_at: AT });
    await db.insertInto('contact_addresses').values([contact(mailed, null), contact(unsubscribed, AT)]).execute();
    await db
      .insertInto('accounts')
      .values({ id: 'acc-1', user_id: '000000000001', kind: 'individual', name: '利用者', mail_address: 'acc@example.jp', confirmed_at: AT, password_hash: 'x', totp_secret: null, created_at: AT, updated_at: AT })
      .execute();
    const apps = await db.selectFrom('applications').selectAll().where('id', 'in', [mailed, disabledHook]).execute();
    await db
      .insertInto('account_applications')
      .values(apps.map((a) => ({ account_id: 'acc-1', application_id: a.id, added_at: AT, status: a.status, list_rank: 0, sort_deadline: a.deadline_at!, status_changed_at: a.status_changed_at, procedure: a.procedure, office_code: a.office_code, filed_at: a.filed_at })))
      .execute();
    await db.insertInto('webhook_endpoints').values({ id: 'ep-1', account_id: 'acc-1', url: 'https://example.jp/hook', secret: 'whsec_x', created_at: AT, failing_since: null, disabled_at: null, disabled_reason: null }).execute();
    const before = new Map((await db.selectFrom('applications').select(['id', 'status', 'version']).where('id', 'in', due.ids).execute()).map((r) => [r.id, r]));

    const result = await t.services.sweepDeadlines();
    expect(result.examined).toBe(6);
    expect(result.skipped).toBe(0);

    const after = new Map((await db.selectFrom('applications').select(['id', 'status', 'version', 'deadline_at', 'correction_deadline']).where('id', 'in', due.ids).execute()).map((r) => [r.id, r]));
    for (const id of due.ids) {
      const was = before.get(id)!;
      const now = after.get(id)!;
      expect(now.version).toBe(was.version + 1);
      expect(now.status).toBe(statuses[was.status as StatusCode].deadline === 'correction' ? 'rejected' : 'invalidated');
      expect(now.deadline_at).toBeNull();
      const history = await db.selectFrom('status_history').select(['seq', 'event', 'from_status', 'to_status', 'actor_kind']).where('application_id', '=', id).where('seq', '=', now.version).execute();
      expect(history).toEqual([{ seq: now.version, event: now.status === 'rejected' ? 'expireCorrection' : 'expirePayment', from_status: was.status, to_status: now.status, actor_kind: 'clock' }]);
      const notices = await db.selectFrom('notices').select(['reason_title']).where('application_id', '=', id).execute();
      expect(notices.map((n) => n.reason_title)).toContain(now.status === 'rejected' ? '期限切れ却下' : '納付期限切れ');
    }

    const mails = await db.selectFrom('mail_outbox').select(['application_id', 'kind', 'to_address', 'dedupe_key', 'state', 'seq', 'headers']).where('application_id', 'in', due.ids).execute();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ application_id: mailed, kind: 'outcome', to_address: `${mailed.slice(0, 8)}@example.jp`, dedupe_key: `status:${mailed}:${after.get(mailed)!.version}`, state: 'queued', seq: 1 });
    expect(JSON.parse(mails[0]!.headers)).toMatchObject({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });

    const hooks = await db.selectFrom('webhook_deliveries').select(['endpoint_id', 'application_id', 'seq', 'state']).execute();
    expect(hooks.sort((a, b) => a.application_id.localeCompare(b.application_id))).toEqual(
      [mailed, disabledHook].sort().map((id) => ({ endpoint_id: 'ep-1', application_id: id, seq: after.get(id)!.version, state: 'queued' })),
    );
    const listed = await db.selectFrom('account_applications').select(['application_id', 'status', 'sort_deadline', 'list_rank']).orderBy('application_id').execute();
    expect(listed).toEqual([mailed, disabledHook].sort().map((id) => ({ application_id: id, status: after.get(id)!.status, sort_deadline: '9999', list_rank: 2 })));
  });

  it('refuses with a conflict, and writes nothing of, an application whose version moved after it was read; the others are written', async () => {
    const more = await insertDueApplications(t.db.handle, 3, TEST_NOW);
    const db = t.db.handle.db;
    const [changed, ...others] = more.ids as [string, string, string];
    const results = await db.transaction().execute(async (tx) => {
      const loaded = await applicationRepository(tx, t.db.handle.dialect).loadManyForUpdate(more.ids);
      // Another writer's change after the read (a version bump).
      await tx.updateTable('applications').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', changed).execute();
      return actManyWithin(
        t.deps,
        tx,
        more.ids.map((id) => {
          const application = loaded.get(id)!;
          return { application, event: { type: statuses[application.status].deadline === 'correction' ? ('expireCorrection' as const) : ('expirePayment' as const) } };
        }),
        { kind: 'clock' },
      );
    });
    expect(results.get(changed)).toEqual({ ok: false, refusal: { code: 'versionConflict', message: CONFLICT_MESSAGE } });
    for (const id of others) expect(results.get(id)?.ok).toBe(true);
    const rows = await db.selectFrom('applications').select(['id', 'deadline_at']).where('id', 'in', more.ids).execute();
    expect(rows.find((r) => r.id === changed)!.deadline_at).not.toBeNull();
    for (const id of others) expect(rows.find((r) => r.id === id)!.deadline_at).toBeNull();
    const expiries = await db.selectFrom('status_history').select('application_id').where('application_id', 'in', more.ids).where('event', 'in', ['expireCorrection', 'expirePayment']).execute();
    expect(expiries.map((e) => e.application_id).sort()).toEqual([...others].sort());
  });
});
