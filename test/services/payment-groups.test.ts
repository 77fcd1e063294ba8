import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../src/domain/application.js';
import { formatReceiptNumber } from '../../src/domain/receipt-number.js';
import { asJapanDate } from '../../src/domain/time.js';
import { accountRepository } from '../../src/store/accounts.repository.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { agencyTokens, json, type AgencyTokens } from '../web/api/support.js';
import { fileAndMove, filing, givenAccount, office } from './support.js';

/**
 * まとめ納付 across the applications of a 利用者ID (issue 16), on a real database: one number for
 * several applications, its payment reported through the agency API settling every one of them in
 * one transaction (or none), キャンセル, withdrawn applications, a deadline inside a group, and
 * another account's applications. Today is 2026-11-26 (Thursday) in Japan.
 */

const applicant = { kind: 'applicant' } as const;

describe('まとめ納付 across applications', () => {
  let t: TestApp;
  let a: AgencyTokens;
  let me = '';
  let them = '';

  /** 検査手数料等まとめ払い中 (¥1,500) with its own 納付期限. */
  async function inBulkPayment(dueOn = '2026-12-10', account = me): Promise<string> {
    const id = await fileAndMove(t.services, filing(), [
      [office(), { type: 'accept' }],
      [office(), { type: 'issueFees', dueOn: asJapanDate(dueOn) }],
      [applicant, { type: 'chooseBulkPayment' }],
    ]);
    await accountRepository(t.db.handle.db).addApplication(account, id, TEST_NOW);
    return id;
  }
  const read = async (id: string): Promise<Application> => (await t.services.statusInquiry.read(id))!.application;
  const events = async (id: string) => (await t.services.statusInquiry.history(id)).map((h) => h.event);
  const numberOf = (app: Application) => formatReceiptNumber(app.receiptNumber ?? app.arrivalNumber);
  const fees = (app: Application) => app.paymentLines.filter((l) => l.stage === 'inspectionFees').map((l) => [l.status, l.paymentNumber, l.paidOn]);
  const pay = (paymentNumber: string, paidOn = '2026-11-26') => a.payment.post('/api/v1/payments', { paymentNumber, paidOn });

  beforeAll(async () => {
    t = await createTestApp();
    a = await agencyTokens(t);
    me = (await givenAccount(t.db.handle)).id;
    them = (await givenAccount(t.db.handle)).id;
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('a group of 3: one number for ¥4,500; the API payment report makes every line 済 and moves each application on', async () => {
    const ids = [await inBulkPayment('2026-12-10'), await inBulkPayment('2026-12-03'), await inBulkPayment('2026-12-17')];
    const selectable = await t.services.paymentGroups.selectable(me);
    expect(selectable.map((c) => [c.collector.key, c.targets.length])).toEqual([['inspectionFees:00100', 3]]);

    const created = await t.services.paymentGroups.create(me, ids);
    if (!created.ok) throw new Error(created.refusal.message);
    const group = created.value;
    expect(group).toMatchObject({ total: 4500, dueOn: '2026-12-03', status: 'open' });
    expect(group.paymentNumber).toMatch(/^\d{20}$/);
    for (const id of ids) {
      const app = await read(id);
      expect(app.status).toBe('inspectionFeesBulkPayment');
      expect(app.paymentLines.filter((l) => l.stage === 'inspectionFees').map((l) => [l.paymentNumber, l.confirmationNumber, l.paymentCategory])).toEqual([
        [group.paymentNumber, group.confirmationNumber, 'まとめ納付'],
        [group.paymentNumber, group.confirmationNumber, 'まとめ納付'],
      ]);
      expect(await events(id)).toEqual(['arrive', 'accept', 'issueFees', 'chooseBulkPayment', 'joinPaymentGroup']);
    }
    expect(await t.services.paymentGroups.selectable(me)).toEqual([]);

    const res = await pay(group.paymentNumber);
    expect(res.statusCode, res.body).toBe(200);
    const out = json(res);
    expect(out).toMatchObject({ paymentNumber: group.paymentNumber, status: 'paid', total: 4500, dueOn: '2026-12-03', paidOn: '2026-11-26' });
    expect(out.applications.map((x: { status: string; statusLabel: string }) => [x.status, x.statusLabel])).toEqual([
      ['weightTaxDue', '自動車重量税納付待ち'],
      ['weightTaxDue', '自動車重量税納付待ち'],
      ['weightTaxDue', '自動車重量税納付待ち'],
    ]);
    for (const id of ids) {
      const app = await read(id);
      expect(app.status).toBe('weightTaxDue');
      expect(fees(app)).toEqual([
        ['paid', group.paymentNumber, '2026-11-26'],
        ['paid', group.paymentNumber, '2026-11-26'],
      ]);
      expect((await events(id)).at(-1)).toBe('recordPayment');
    }
    // The same report again: the number is paid already.
    const again = await pay(group.paymentNumber);
    expect(again.statusCode).toBe(409);
    expect(json(again).error).toEqual({ code: 'alreadyDone', message: 'この納付番号はすでに納付済です。' });
  });

  it('what follows each member’s move is written for every member, in the batch: its history, the mail to a confirmed address (with its own seq), a webhook per endpoint per move, the audit line and the 申請一覧 order', async () => {
    const dealer = (await givenAccount(t.db.handle)).id;
    const ids = [await inBulkPayment('2026-12-10', dealer), await inBulkPayment('2026-12-10', dealer), await inBulkPayment('2026-12-10', dealer)];
    const db = t.db.handle.db;
    // Two of the three have a confirmed 連絡先メールアドレス; the dealer has one webhook endpoint.
    for (const [i, id] of ids.slice(0, 2).entries()) {
      await db.insertInto('contact_addresses').values({ application_id: id, address: `owner${i}@example.jp`, confirmed_at: TEST_NOW.toISOString(), token_hash: null, token_expires_at: null, unsubscribed_at: null, unsubscribe_token: `unsub-${id}`, updated_at: TEST_NOW.toISOString() }).execute();
    }
    const endpoint = await t.services.webhooks.register(dealer, 'http://127.0.0.1:9/kei-hook');
    if (!endpoint.ok) throw new Error(endpoint.refusal.message);
    const created = await t.services.paymentGroups.create(dealer, ids);
    if (!created.ok) throw new Error(created.refusal.message);
    expect((await pay(created.value.paymentNumber)).statusCode).toBe(200);

    const apps = await Promise.all(ids.map(read));
    for (const app of apps) {
      expect(app.status).toBe('weightTaxDue');
      expect(await events(app.id)).toEqual(['arrive', 'accept', 'issueFees', 'chooseBulkPayment', 'joinPaymentGroup', 'recordPayment']);
    }
    // The mail of the payment (自動車重量税の納付のお願い) to the two confirmed addresses only, each after the application's earlier mails.
    const mails = await db.selectFrom('mail_outbox').select(['application_id', 'to_address', 'dedupe_key', 'seq']).where('application_id', 'in', ids).where('kind', '=', 'actionRequired').orderBy('to_address').execute();
    expect(mails.map((m) => [m.application_id, m.to_address, m.dedupe_key])).toEqual([
      [ids[0], 'owner0@example.jp', `status:${ids[0]}:${apps[0]!.version}`],
      [ids[1], 'owner1@example.jp', `status:${ids[1]}:${apps[1]!.version}`],
    ]);
    for (const m of mails) {
      const earlier = await db.selectFrom('mail_outbox').select('seq').where('application_id', '=', m.application_id!).where('dedupe_key', '!=', m.dedupe_key).execute();
      expect(m.seq).toBe(Math.max(0, ...earlier.map((e) => e.seq)) + 1);
    }
    // One webhook per member per move (joinPaymentGroup, recordPayment), with the version it produced.
    const hooks = await db.selectFrom('webhook_deliveries').select(['application_id', 'seq', 'endpoint_id']).where('application_id', 'in', ids).where('seq', '>=', apps[0]!.version - 1).orderBy('application_id').orderBy('seq').execute();
    expect(hooks).toEqual(
      [...ids].sort().flatMap((id) => {
        const v = apps.find((a) => a.id === id)!.version;
        return [
          { application_id: id, seq: v - 1, endpoint_id: endpoint.value.endpoint.id },
          { application_id: id, seq: v, endpoint_id: endpoint.value.endpoint.id },
        ];
      }),
    );
    // The API's audit line for each member, and the 申請一覧 order moved with the status.
    const audit = await db.selectFrom('audit_log').select(['application_id', 'detail']).where('application_id', 'in', ids).where('action', '=', 'apiEvent').execute();
    expect(audit.map((r) => r.application_id).sort()).toEqual([...ids].sort());
    expect(new Set(audit.map((r) => r.detail))).toEqual(new Set([`recordPayment（まとめ納付 ${created.value.paymentNumber}）`]));
    const listed = await db.selectFrom('account_applications').select(['application_id', 'status', 'list_rank', 'status_changed_at']).where('account_id', '=', dealer).orderBy('application_id').execute();
    expect(listed).toEqual([...ids].sort().map((id) => ({ application_id: id, status: 'weightTaxDue', list_rank: 0, status_changed_at: apps.find((a) => a.id === id)!.statusChangedAt.toISOString() })));
  });

  it('one application that cannot take the payment (made 無効 by its office) rolls back all: nothing is 済, the number stays unpaid', async () => {
    const ids = [await inBulkPayment(), await inBulkPayment(), await inBulkPayment()];
    const created = await t.services.paymentGroups.create(me, ids);
    if (!created.ok) throw new Error(created.refusal.message);
    const invalid = await read(ids[1]!);
    const r = await t.services.actOnApplication(ids[1]!, { type: 'invalidate', reasonTitle: '受付チェックエラー', reasonDetail: '' }, office());
    expect(r.ok).toBe(true);

    const res = await pay(created.value.paymentNumber);
    expect(res.statusCode).toBe(409);
    expect(json(res).error).toEqual({ code: 'statusDoesNotAllow', message: `受付番号 ${numberOf(invalid)}: この申請は「検査申請無効」のため、これ以上操作できません。` });
    for (const id of [ids[0]!, ids[2]!]) {
      const app = await read(id);
      expect(app.status).toBe('inspectionFeesBulkPayment');
      expect(fees(app)).toEqual([
        ['unpaid', created.value.paymentNumber, null],
        ['unpaid', created.value.paymentNumber, null],
      ]);
      expect((await events(id)).at(-1)).toBe('joinPaymentGroup');
    }
    const page = await t.services.paymentGroups.read(me, created.value.id);
    expect(page.ok && page.value.group.status).toBe('open');
  });

  it('a single payment report for an application in a group is refused: its lines are paid with the group number', async () => {
    const id = await inBulkPayment();
    const created = await t.services.paymentGroups.create(me, [id]);
    if (!created.ok) throw new Error(created.refusal.message);
    const res = await a.payment.event(numberOf(await read(id)).replace(/ /g, ''), { type: 'recordPayment', stage: 'inspectionFees', paidOn: '2026-11-26' });
    expect(res.statusCode).toBe(409);
    expect(json(res).error).toEqual({
      code: 'statusDoesNotAllow',
      message: `この申請の税・手数料はまとめ納付（納付番号 ${created.value.paymentNumber}）に含まれています。納付の報告は納付番号で POST /api/v1/payments に送ってください。`,
    });
  });

  it('キャンセル: the lines return to まとめ払い中 without a number, the number is invalid, 申請を取り下げる is possible again', async () => {
    const ids = [await inBulkPayment(), await inBulkPayment()];
    const created = await t.services.paymentGroups.create(me, ids);
    if (!created.ok) throw new Error(created.refusal.message);
    expect(await t.services.actOnApplication(ids[0]!, { type: 'withdraw' }, applicant)).toMatchObject({ ok: false, refusal: { code: 'paymentNumberTaken' } });

    const cancelled = await t.services.paymentGroups.cancel(me, created.value.id);
    expect(cancelled).toMatchObject({ ok: true, value: { status: 'cancelled' } });
    for (const id of ids) {
      const app = await read(id);
      expect(app.status).toBe('inspectionFeesBulkPayment');
      expect(fees(app)).toEqual([
        ['unpaid', null, null],
        ['unpaid', null, null],
      ]);
      expect((await events(id)).slice(-2)).toEqual(['joinPaymentGroup', 'leavePaymentGroup']);
    }
    const res = await pay(created.value.paymentNumber);
    expect(res.statusCode).toBe(409);
    expect(json(res).error).toEqual({ code: 'statusDoesNotAllow', message: 'この納付番号はキャンセル済（納付番号は無効）です。' });
    expect(await t.services.paymentGroups.cancel(me, created.value.id)).toEqual({ ok: false, refusal: { code: 'statusDoesNotAllow', message: 'この納付番号はキャンセル済（納付番号は無効）です。' } });
    expect((await t.services.actOnApplication(ids[0]!, { type: 'withdraw' }, applicant)).ok).toBe(true);
    // Withdrawn before it was selected again: never in a group.
    expect((await t.services.paymentGroups.selectable(me)).flatMap((c) => c.targets.map((x) => x.applicationId))).not.toContain(ids[0]);
    const refused = await t.services.paymentGroups.create(me, [ids[0]!, ids[1]!]);
    expect(refused).toEqual({
      ok: false,
      refusal: { code: 'statusDoesNotAllow', message: `受付番号 ${numberOf(await read(ids[0]!))} の申請は、まとめ納付の納付対象ではありません（現在の申請状況「検査申請取り下げ」）。画面を更新して、もう一度選択してください。` },
    });
    expect(fees(await read(ids[1]!))).toEqual([
      ['unpaid', null, null],
      ['unpaid', null, null],
    ]);
  });

  it('another account can neither select, see nor cancel them', async () => {
    const own = await inBulkPayment();
    const other = await inBulkPayment('2026-12-10', them);
    expect((await t.services.paymentGroups.selectable(them)).flatMap((c) => c.targets.map((x) => x.applicationId))).toEqual([other]);
    const mixed = await t.services.paymentGroups.create(them, [other, own]);
    expect(mixed).toEqual({ ok: false, refusal: { code: 'notFound', message: '選択された申請の中に、この利用者IDの申請ではないもの、または見つからないものがあります。' } });
    expect(fees(await read(other))).toEqual([
      ['unpaid', null, null],
      ['unpaid', null, null],
    ]);
    const created = await t.services.paymentGroups.create(me, [own]);
    if (!created.ok) throw new Error(created.refusal.message);
    const notFound = { ok: false, refusal: { code: 'notFound', message: '指定されたまとめ納付は見つかりません。' } };
    expect(await t.services.paymentGroups.read(them, created.value.id)).toEqual(notFound);
    expect(await t.services.paymentGroups.cancel(them, created.value.id)).toEqual(notFound);
    expect((await t.services.paymentGroups.list(them)).map((g) => g.id)).not.toContain(created.value.id);
    expect((await t.services.paymentGroups.list(me)).map((g) => g.id)).toContain(created.value.id);
  });

  it('a deadline inside a group: at the group’s 納付期限 the number expires; the member past its own deadline is 無効, the other is まとめ払い中 again; a payment made in time and reported late settles the first', async () => {
    const early = await inBulkPayment('2026-11-30');
    const late = await inBulkPayment('2026-12-24');
    const created = await t.services.paymentGroups.create(me, [early, late]);
    if (!created.ok) throw new Error(created.refusal.message);
    expect(created.value.dueOn).toBe('2026-11-30');

    t.clock.set('2026-11-30T14:59:59Z');
    await t.services.sweepDeadlines();
    expect((await read(early)).status).toBe('inspectionFeesBulkPayment');
    t.clock.set('2026-11-30T15:00:01Z');
    await t.services.sweepDeadlines();
    const page = await t.services.paymentGroups.read(me, created.value.id);
    expect(page.ok && page.value.group.status).toBe('expired');
    expect((await read(early)).status).toBe('invalidated');
    expect(fees(await read(early))).toEqual([
      ['unpaid', created.value.paymentNumber, null],
      ['unpaid', created.value.paymentNumber, null],
    ]);
    const released = await read(late);
    expect(released.status).toBe('inspectionFeesBulkPayment');
    expect(fees(released)).toEqual([
      ['unpaid', null, null],
      ['unpaid', null, null],
    ]);
    const history = await t.services.statusInquiry.history(late);
    expect(history.at(-1)).toMatchObject({ event: 'leavePaymentGroup', actorKind: 'clock', reason: 'まとめ納付の納付期限切れ（納付番号の失効）' });
    expect((await t.services.paymentGroups.selectable(me)).flatMap((c) => c.targets.map((x) => x.applicationId))).toContain(late);

    // Paid on 2026-11-30, reported after the sweep (decision 0005): the invalidation is undone.
    const tooLate = await pay(created.value.paymentNumber, '2026-12-01');
    expect(tooLate.statusCode).toBe(409);
    const res = await pay(created.value.paymentNumber, '2026-11-30');
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res).applications.map((x: { number: string; status: string }) => [x.number, x.status])).toEqual([[(await read(early)).receiptNumber, 'weightTaxDue']]);
    expect(fees(await read(late))).toEqual([
      ['unpaid', null, null],
      ['unpaid', null, null],
    ]);
    t.clock.set(TEST_NOW);
  });

  it('the report needs the payment network’s token and a valid number and date', async () => {
    const res = await a.tokyo.post('/api/v1/payments', { paymentNumber: '30000000000000000001', paidOn: '2026-11-26' });
    expect(res.statusCode).toBe(403);
    expect(json(res).error).toEqual({ code: 'actorNotAllowed', message: '軽自動車検査協会事務所等は納付を報告することができません。' });
    const unknown = await pay('39999999999999999999');
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown).error).toEqual({ code: 'notFound', message: '指定された納付番号のまとめ納付は見つかりません。' });
    const bad = await a.payment.post('/api/v1/payments', { paymentNumber: '123', paidOn: '2026-02-30' });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.code).toBe('invalidInput');
    const badDate = await pay('39999999999999999999', '2026-02-30');
    expect(badDate.statusCode).toBe(400);
    expect(json(badDate).error).toEqual({ code: 'invalidInput', message: '入力内容に誤りがあります。fields の各項目を確認してください。', fields: { paidOn: '納付日は存在する日付（YYYY-MM-DD）で指定してください。' } });
  });

  it('キャンセル and the payment report at the same moment: exactly one wins, and the applications agree with it', async () => {
    const ids = [await inBulkPayment(), await inBulkPayment()];
    const created = await t.services.paymentGroups.create(me, ids);
    if (!created.ok) throw new Error(created.refusal.message);
    const [cancelled, paid] = await Promise.all([t.services.paymentGroups.cancel(me, created.value.id), pay(created.value.paymentNumber)]);
    expect([cancelled.ok, paid.statusCode === 200].filter(Boolean)).toHaveLength(1);
    const statusesNow = await Promise.all(ids.map(async (id) => (await read(id)).status));
    expect(statusesNow).toEqual(cancelled.ok ? ['inspectionFeesBulkPayment', 'inspectionFeesBulkPayment'] : ['weightTaxDue', 'weightTaxDue']);
  });

  it('a retried report with the same Idempotency-Key gets the first answer again, and settles nothing twice', async () => {
    const ids = [await inBulkPayment(), await inBulkPayment()];
    const created = await t.services.paymentGroups.create(me, ids);
    if (!created.ok) throw new Error(created.refusal.message);
    const body = { paymentNumber: created.value.paymentNumber, paidOn: '2026-11-26' };
    const first = await a.payment.post('/api/v1/payments', body, { 'idempotency-key': 'group-report-1' });
    const again = await a.payment.post('/api/v1/payments', body, { 'idempotency-key': 'group-report-1' });
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    for (const id of ids) expect((await events(id)).filter((e) => e === 'recordPayment')).toHaveLength(1);
  });
});
