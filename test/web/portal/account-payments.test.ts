import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../../../src/domain/application.js';
import { formatPaymentNumber } from '../../../src/domain/format.js';
import { formatReceiptNumber } from '../../../src/domain/receipt-number.js';
import { asJapanDate } from '../../../src/domain/time.js';
import { argon2Hasher } from '../../../src/services/passwords.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';
import { fileAndMove, filing, givenAccount, office } from '../../services/support.js';
import { versionOf } from './actions/support.js';

/**
 * 納付を行う with a 利用者ID (issue 16): the まとめ払い lines of the account's applications by 収納機関,
 * 納付対象の選択 with labelled checkboxes, 納付番号を取得, the number's page, キャンセル; each
 * application's 納付情報 then; and another account's applications and numbers (nothing shown, nothing changed).
 */

const PASSWORD = 'kei dealer passphrase 2026';
const applicant = { kind: 'applicant' } as const;

describe('納付を行う (まとめ納付) in the portal', () => {
  let t: TestApp;
  let mine: string[] = [];
  let theirs: string[] = [];
  let me = { id: '', userId: '' };
  let them = { id: '', userId: '' };

  async function bulk(dueOn: string, procedure: 'continuousInspection' | 'newVehicle' = 'continuousInspection'): Promise<string> {
    const overrides = procedure === 'newVehicle' ? { procedure, ownerSameAsUser: true, acquisitionPrice: 1_650_000, environmentalTaxRate: 1, preferredNumber: false, vehicleNumber: undefined } : {};
    return fileAndMove(t.services, filing(overrides), [
      [office(), { type: 'accept' }],
      [office(), { type: 'issueFees', dueOn: asJapanDate(dueOn) }],
      [applicant, { type: 'chooseBulkPayment' }],
    ]);
  }
  const read = async (id: string): Promise<Application> => (await t.services.statusInquiry.read(id))!.application;
  const numberOf = async (id: string) => {
    const app = await read(id);
    return formatReceiptNumber(app.receiptNumber ?? app.arrivalNumber);
  };

  async function login(userId: string): Promise<TestBrowser> {
    const b = new TestBrowser(t.app);
    await b.get('/account/login');
    const res = await b.post('/account/login', { userId, password: PASSWORD, totpCode: '' });
    expect(res.statusCode, textOf(res.body)).toBe(303);
    return b;
  }

  beforeAll(async () => {
    t = await createTestApp();
    mine = [await bulk('2026-12-10'), await bulk('2026-12-03'), await bulk('2026-12-17'), await bulk('2026-12-10', 'newVehicle')];
    // 自動車重量税まとめ払い中: paid its inspection fees, then chose まとめ納付 for the weight tax.
    const weight = await fileAndMove(t.services, filing(), [
      [office(), { type: 'accept' }],
      [office(), { type: 'issueFees', dueOn: asJapanDate('2026-12-10') }],
      [{ kind: 'paymentNetwork', id: 'p', label: 'Pay-easy' }, { type: 'recordPayment', stage: 'inspectionFees', paidOn: asJapanDate('2026-11-26') }],
      [applicant, { type: 'chooseBulkPayment' }],
    ]);
    mine.push(weight);
    theirs = [await bulk('2026-12-10')];
    const passwordHash = await argon2Hasher.hash(PASSWORD);
    me = await givenAccount(t.db.handle, mine, { passwordHash });
    them = await givenAccount(t.db.handle, theirs, { passwordHash });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('lists the lines by 収納機関 and 納付区分, each with a labelled checkbox; another account’s are not there', async () => {
    const b = await login(me.userId);
    const page = await b.get('/account/payments');
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('納付を行う（まとめ納付）');
    expect(text).toContain('検査手数料・技術情報管理手数料（軽自動車検査協会・自動車技術総合機構）');
    expect(text).toContain('収納機関番号 00100、納付対象 4件、すべて選択した場合の合計 ¥ 6,000');
    expect(text).toContain('自動車重量税（国（自動車重量税））');
    expect(text).toContain('収納機関番号 00200、納付対象 1件、すべて選択した場合の合計 ¥ 6,600');
    // Nearest 納付期限 first; every checkbox has its label.
    const labels = [...page.body.matchAll(/<label for="(collector-0-target-\d+)">([^<]+)<\/label>/g)];
    expect(labels).toHaveLength(4);
    expect(labels[0]![2]).toContain(`受付番号 ${await numberOf(mine[1]!)}`);
    expect(labels[0]![2]).toContain('検査手数料・技術情報管理手数料 ¥ 1,500（納付期限 2026年 12月 03日）');
    for (const [, id] of labels) expect(page.body).toContain(`<input type="checkbox" id="${id}" name="target"`);
    expect(page.body).not.toContain(theirs[0]);
    expect(text).toContain('取得した納付番号はありません。');
  });

  it('納付番号を取得 for three applications: the number’s page, the members’ 納付情報 with 「まとめ納付」 and no 申請を取り下げる; キャンセル returns them', async () => {
    const b = await login(me.userId);
    await b.get('/account/payments');
    const res = await b.post('/account/payments', { collector: 'inspectionFees:00100', target: [mine[0]!, mine[1]!, mine[2]!] });
    expect(res.statusCode).toBe(303);
    const groupUrl = res.headers.location as string;
    expect(groupUrl).toMatch(/^\/account\/payments\/[0-9a-f-]{36}\?taken=1$/);
    const page = await b.follow(res);
    const text = textOf(page.body);
    const groupRead = await t.services.paymentGroups.read(me.id, groupUrl.split('/')[3]!.split('?')[0]!);
    if (!groupRead.ok) throw new Error(groupRead.refusal.message);
    const group = groupRead.value.group;
    expect(text).toContain('納付番号を取得しました。');
    expect(text).toContain(`納付番号 ${formatPaymentNumber(group.paymentNumber)}`);
    expect(text).toContain(`確認番号 ${group.confirmationNumber}`);
    expect(text).toContain('納付区分 まとめ納付（検査手数料・技術情報管理手数料）');
    expect(text).toContain('合計金額 ¥ 4,500');
    expect(text).toContain('納付期限 2026年 12月 03日');
    expect(text).toContain('納付状況 未納');
    expect(text).toContain('合計（3件） ¥ 4,500');
    expect(text).toContain(`${await numberOf(mine[0]!)} 検査手数料 ¥ 1,100、技術情報管理手数料 ¥ 400 ¥ 1,500 2026年 12月 10日 検査手数料等まとめ払い中`);

    // The member's own status page, opened from the list: the group's number, 「まとめ納付」, no part 7.
    expect((await b.get(`/account/open/${mine[0]}`)).statusCode).toBe(303);
    const status = textOf((await b.get('/inquiry/status')).body);
    expect(status).toContain(formatPaymentNumber(group.paymentNumber));
    expect(status).toContain('まとめ納付');
    expect(status).not.toContain('申請の取り下げが可能です');
    // Its 納付 page says the number pays the group's total, not its own ¥1,500.
    const pay = textOf((await b.get('/inquiry/payments/inspectionFees')).body);
    expect(pay).toContain('この税・手数料は、複数の申請のまとめ納付に含まれています。 利用者IDで取得したまとめ納付の納付番号です（3件、合計金額 ¥ 4,500、納付期限 2026年 12月 03日）。');
    expect(pay).not.toContain('Pay-easy（ペイジー）での納付方法');

    // The two remaining 検査手数料等 lines are still selectable; the list shows the number.
    const after = textOf((await b.get('/account/payments')).body);
    expect(after).toContain('収納機関番号 00100、納付対象 1件');
    expect(after).toContain(`${formatPaymentNumber(group.paymentNumber)} 検査手数料・技術情報管理手数料（軽自動車検査協会・自動車技術総合機構） 3件 ¥ 4,500 2026年 12月 03日 未納`);

    await b.get(groupUrl);
    const cancel = await b.post(`/account/payments/${group.id}/cancel`, {});
    expect(cancel.statusCode).toBe(303);
    const cancelled = textOf((await b.follow(cancel)).body);
    expect(cancelled).toContain('まとめ納付をキャンセルしました。');
    expect(cancelled).toContain('収納機関番号 00100、納付対象 4件');
    expect(cancelled).toContain('キャンセル済（納付番号は無効）');
    expect((await read(mine[0]!)).paymentLines.filter((l) => l.stage === 'inspectionFees').every((l) => l.paymentNumber === null)).toBe(true);
    // The account's own log (利用者情報) records both.
    const log = textOf((await b.get('/account')).body);
    expect(log).toContain('まとめ納付の納付番号取得');
    expect(log).toContain('まとめ納付のキャンセル');
  });

  it('refuses an empty selection and lines of two 収納機関 with the reason on the form', async () => {
    const b = await login(me.userId);
    await b.get('/account/payments');
    const empty = await b.post('/account/payments', { collector: 'inspectionFees:00100' });
    expect(empty.statusCode).toBe(400);
    expect(textOf(empty.body)).toContain('入力内容にエラーがあります 納付対象を選択してください。');
    const mixed = await b.post('/account/payments', { collector: 'inspectionFees:00100', target: [mine[0]!, mine[4]!] });
    expect(mixed.statusCode).toBe(400);
    expect(textOf(mixed.body)).toContain('収納機関または納付区分の異なる納付対象は、一つの納付番号にまとめられません。収納機関ごとに選択してください。');
  });

  it('another 利用者ID can neither select, see nor cancel them (nothing shown, nothing changed)', async () => {
    const owner = await login(me.userId);
    await owner.get('/account/payments');
    const res = await owner.post('/account/payments', { collector: 'inspectionFees:00100', target: [mine[3]!] });
    const groupUrl = res.headers.location as string;
    const groupId = groupUrl.split('/')[3]!.split('?')[0]!;
    const read0 = await t.services.paymentGroups.read(me.id, groupId);
    if (!read0.ok) throw new Error(read0.refusal.message);
    const { paymentNumber } = read0.value.group;

    const other = await login(them.userId);
    const page = await other.get('/account/payments');
    expect(page.body).not.toContain(mine[3]);
    expect(page.body).not.toContain(paymentNumber);
    const select = await other.post('/account/payments', { collector: 'inspectionFees:00100', target: [mine[0]!, theirs[0]!] });
    expect(select.statusCode).toBe(404);
    expect(textOf(select.body)).toContain('選択された申請の中に、この利用者IDの申請ではないもの、または見つからないものがあります。');
    expect((await read(mine[0]!)).paymentLines.every((l) => l.paymentNumber === null || l.stage !== 'inspectionFees')).toBe(true);
    const view = await other.get(`/account/payments/${groupId}`);
    expect(view.statusCode).toBe(404);
    expect(view.body).not.toContain(paymentNumber);
    await other.get('/account/payments');
    const cancel = await other.post(`/account/payments/${groupId}/cancel`, {});
    expect(cancel.statusCode).toBe(404);
    const still = await t.services.paymentGroups.read(me.id, groupId);
    expect(still.ok && still.value.group.status).toBe('open');
    // Without a login: the not-logged-in page.
    expect((await new TestBrowser(t.app).get('/account/payments')).statusCode).toBe(401);
  });

  it('an application in no 利用者ID’s list is not offered まとめ納付 (it means paying several together); once added, it is', async () => {
    const id = await fileAndMove(t.services, filing(), [
      [office(), { type: 'accept' }],
      [office(), { type: 'issueFees', dueOn: asJapanDate('2026-12-10') }],
    ]);
    const number = (await numberOf(id)).replace(/ /g, '');
    const b = new TestBrowser(t.app);
    await b.login(number, 'demo1234pass');
    const page = await b.get('/inquiry/payments/inspectionFees');
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).not.toContain('まとめ納付を選択する');
    // A forged post (the form is not on the page): the CSRF token of the status page's 終了 form.
    await b.get('/inquiry/status');
    const res = await b.post('/inquiry/payments/inspectionFees/bulk', { version: String((await read(id)).version) });
    expect(res.statusCode).toBe(409);
    expect(textOf(res.body)).toContain('まとめ納付は、利用者IDの申請一覧にある申請で利用できます。複数の申請をまとめて納付する場合は、利用者IDでログインし、申請一覧にこの申請を追加してください。');
    expect((await read(id)).status).toBe('inspectionFeesDue');

    await givenAccount(t.db.handle, [id]);
    const again = await b.get('/inquiry/payments/inspectionFees');
    expect(textOf(again.body)).toContain('まとめ納付を選択する');
    const chosen = await b.post('/inquiry/payments/inspectionFees/bulk', { version: versionOf(again.body) });
    expect(chosen.statusCode).toBe(303);
    expect((await read(id)).status).toBe('inspectionFeesBulkPayment');
  });
});
