import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiryPlan } from '../../src/domain/expiry.js';
import { statuses, type StatusCode } from '../../src/domain/statuses.js';
import { actWithin } from '../../src/services/application-events.js';
import { TEST_NOW, createTestApp, type TestApp } from '../support/app.js';
import { insertDueApplications, type DueApplications } from '../multiprocess/support/due-applications.js';

const SWEEP_AT = new Date(TEST_NOW.getTime() + 90 * 24 * 60 * 60 * 1000);
const AT = TEST_NOW.toISOString();
const COPIES = 2;

/**
 * Decision 0018: the sweep applies the domain's expiry plan in set-based statements. Two copies of
 * every due demo application (every status with a running deadline, both procedures): the first
 * copy is expired through `actWithin` (THE move of one application), the second by the sweep; each
 * pair must then hold the same rows, but for ids and numbers.
 */
describe('期限切れ set-based: the same rows as one move through actWithin, for every due status', () => {
  let t: TestApp;
  let one: DueApplications;
  let bulk: DueApplications;

  beforeAll(async () => {
    t = await createTestApp({ now: SWEEP_AT });
    // Enough copies that every due template appears (the helper cycles through them in order), twice over.
    one = await insertDueApplications(t.db.handle, 80, TEST_NOW);
    bulk = await insertDueApplications(t.db.handle, 80, TEST_NOW);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  async function holdInAccount(accountId: string, userId: string, ids: readonly string[], endpoint: boolean) {
    const db = t.db.handle.db;
    await db
      .insertInto('accounts')
      .values({ id: accountId, user_id: userId, kind: 'individual', name: '利用者', mail_address: `${accountId}@example.jp`, confirmed_at: AT, password_hash: 'x', totp_secret: null, created_at: AT, updated_at: AT })
      .execute();
    const apps = await db.selectFrom('applications').selectAll().where('id', 'in', ids).execute();
    await db
      .insertInto('account_applications')
      .values(apps.map((a) => ({ account_id: accountId, application_id: a.id, added_at: AT, status: a.status, list_rank: 0, sort_deadline: a.deadline_at!, status_changed_at: a.status_changed_at, procedure: a.procedure, office_code: a.office_code, filed_at: a.filed_at })))
      .execute();
    if (endpoint) await db.insertInto('webhook_endpoints').values({ id: `ep-${accountId}`, account_id: accountId, url: 'https://example.jp/hook', secret: 'whsec_x', created_at: AT, failing_since: null, disabled_at: null, disabled_reason: null }).execute();
  }

  async function rowsOf(id: string) {
    const db = t.db.handle.db;
    const strip = <R extends Record<string, unknown>>(r: R, keys: readonly string[]) => Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k)));
    // The copies differ by their id and their numbers (in mails and payloads, with or without spaces).
    const text = (s: unknown) => (typeof s === 'string' ? s.replaceAll(id, '<id>').replace(/\d{4} ?\d{4} ?\d{4} ?\d{5}/g, '<number>') : s);
    const application = strip(await db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow(), ['id', 'arrival_number', 'receipt_number', 'password_hash']);
    const notices = (await db.selectFrom('notices').selectAll().where('application_id', '=', id).orderBy('issued_at').orderBy('kind').execute()).map((r) => strip(r, ['id', 'application_id']));
    const lines = (await db.selectFrom('payment_lines').selectAll().where('application_id', '=', id).orderBy('position').execute()).map((r) => strip(r, ['id', 'application_id']));
    const attachments = (await db.selectFrom('attachments').selectAll().where('application_id', '=', id).orderBy('position').execute()).map((r) => strip(r, ['application_id']));
    const history = (await db.selectFrom('status_history').selectAll().where('application_id', '=', id).orderBy('seq').execute()).map((r) => strip(r, ['id', 'application_id', 'feed_position']));
    const listed = (await db.selectFrom('account_applications').selectAll().where('application_id', '=', id).execute()).map((r) => strip(r, ['application_id', 'account_id']));
    const mails = (await db.selectFrom('mail_outbox').select(['kind', 'to_address', 'subject', 'text_body', 'html_body', 'dedupe_key', 'state', 'seq', 'headers']).where('application_id', '=', id).execute()).map((m) => ({
      ...m,
      to_address: m.to_address.replace(/^[^@]+/, '<to>'),
      subject: text(m.subject),
      text_body: text(m.text_body),
      html_body: text(m.html_body),
      dedupe_key: text(m.dedupe_key),
      headers: text(m.headers),
    }));
    const hooks = (await db.selectFrom('webhook_deliveries').select(['seq', 'state', 'body']).where('application_id', '=', id).execute()).map((h) => ({ ...h, body: text(h.body) }));
    return { application, notices, lines, attachments, history, listed, mails, hooks };
  }

  it('writes, for each pair, the same application, notices, lines, attachments, history, 申請一覧 row, mail and webhook', async () => {
    const db = t.db.handle.db;
    // Pair i of `one` and of `bulk` are copies of the same demo application.
    const pairs = one.ids.map((id, i) => [id, bulk.ids[i]!] as const);
    const statusOf = new Map((await db.selectFrom('applications').select(['id', 'status']).where('id', 'in', [...one.ids, ...bulk.ids]).execute()).map((r) => [r.id, r.status as StatusCode]));
    for (const [a, b] of pairs) expect(statusOf.get(b)).toBe(statusOf.get(a));
    const dueStatuses = new Set([...statusOf.values()]);
    // Every status with a running deadline that the demo has, of both kinds.
    expect([...dueStatuses].every((s) => statuses[s].deadline !== null)).toBe(true);
    expect([...dueStatuses].some((s) => statuses[s].deadline === 'correction')).toBe(true);
    expect([...dueStatuses].some((s) => statuses[s].deadline === 'payment')).toBe(true);

    // A confirmed 連絡先 (a mail), and a 利用者ID with an endpoint (申請一覧 and a webhook), for the first pairs of each side.
    const contact = (id: string) => ({ application_id: id, address: `${id.slice(0, 8)}@example.jp`, confirmed_at: AT, token_hash: null, token_expires_at: null, unsubscribed_at: null, unsubscribe_token: `u-${id}`, updated_at: AT });
    await db.insertInto('contact_addresses').values(pairs.slice(0, COPIES * 10).flatMap(([a, b]) => [contact(a), contact(b)])).execute();
    await holdInAccount('acc-one', '000000000001', one.ids.slice(5, 25), true);
    await holdInAccount('acc-bulk', '000000000002', bulk.ids.slice(5, 25), true);

    // The first copies, one by one through actWithin (the clock's event, as the per-application path posts it).
    for (const id of one.ids) {
      const event = expiryPlan(statusOf.get(id)!)!.event;
      const result = await db.transaction().execute((tx) => actWithin(t.deps, tx, id, { type: event }, { kind: 'clock' }));
      expect(result.ok).toBe(true);
    }
    const versions = await db.selectFrom('accounts').select(['id', 'list_version']).where('id', 'in', ['acc-one', 'acc-bulk']).orderBy('id').execute();
    // The second copies: the sweep finds only them due.
    const result = await t.services.sweepDeadlines();
    expect(result).toEqual({ examined: bulk.ids.length, expiredCorrections: bulk.corrections, expiredPayments: bulk.payments, skipped: 0 });

    for (const [a, b] of pairs) {
      const [ra, rb] = [await rowsOf(a), await rowsOf(b)];
      expect(rb).toEqual(ra);
    }
    const mailed = await db.selectFrom('mail_outbox').select('application_id').where('application_id', 'in', bulk.ids).execute();
    expect(mailed.length).toBeGreaterThan(0);
    const hooked = await db.selectFrom('webhook_deliveries').select('application_id').where('application_id', 'in', bulk.ids).execute();
    expect(hooked).toHaveLength(20);
    // The list version of the 利用者ID holding the swept applications moved; the other's did not.
    const after = await db.selectFrom('accounts').select(['id', 'list_version']).where('id', 'in', ['acc-one', 'acc-bulk']).orderBy('id').execute();
    expect(after[0]!.list_version).toBeGreaterThan(versions[0]!.list_version);
    expect(after[1]!.list_version).toBe(versions[1]!.list_version);
  });
});
