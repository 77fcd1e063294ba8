import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginNumber } from '../../../../src/demo/scenarios.js';
import { statuses } from '../../../../src/domain/statuses.js';
import { TARGET_REQUIRED_MESSAGE } from '../../../../src/web/portal/actions/payment.js';
import { createTestApp, type TestApp } from '../../../support/app.js';
import { csrfTokenOf, textOf, titleOf } from '../../../support/browser.js';
import { allKeys, browserFor, japanTime, loginAs, scenario, snapshot, versionOf } from './support.js';

const REPORTED = '納付が完了すると、金融機関から収納機関（Pay-easy）を通じて軽自動車OSSに納付の結果が通知され、申請状況が更新されます。';

/** The 納付 button of each status where a payment is due, and what its page shows. */
const payable: Record<string, { stage: string; collector: string; lines: string; total: string }> = {
  'ci-fees-due': { stage: 'inspectionFees', collector: '00100', lines: '検査手数料 一般料金 軽自動車検査協会 ｹｲｼﾞﾄﾞｳｼﾔｹﾝｻｷﾖｳｶｲ ¥ 1,100 技術情報管理手数料 一般料金 自動車技術総合機構 ｼﾞﾄﾞｳｼﾔｷﾞｼﾞﾕﾂｿｳｺﾞｳｷｺｳ ¥ 400', total: '合計 ¥ 1,500' },
  'nv-fees-due': { stage: 'inspectionFees', collector: '00100', lines: '検査手数料 一般料金 軽自動車検査協会', total: '合計 ¥ 1,500' },
  'ci-bulk-number-taken': { stage: 'inspectionFees', collector: '00100', lines: '検査手数料 一般料金', total: '合計 ¥ 1,500' },
  'ci-weight-tax-due': { stage: 'weightTax', collector: '00200', lines: '自動車重量税 一般料金 国（自動車重量税） ｸﾆ(ｼﾞﾄﾞｳｼﾔｼﾞﾕｳﾘﾖｳｾﾞｲ) ¥ 8,200', total: '合計 ¥ 8,200' },
  'nv-weight-tax-due': { stage: 'weightTax', collector: '00200', lines: '自動車重量税 一般料金', total: '合計 ¥ 9,900' },
  'nv-weight-tax-bulk': { stage: 'weightTax', collector: '00200', lines: '自動車重量税 一般料金', total: '合計 ¥ 9,900' },
  'nv-vehicle-tax-due': { stage: 'vehicleTax', collector: '01300', lines: '軽自動車税環境性能割 一般料金 東京都 ﾄｳｷﾖｳﾄ ¥ 39,600', total: '合計 ¥ 39,600' },
};

/** まとめ納付 can be chosen in the 納付待ち statuses; the number taken in まとめ払い中 before it exists. */
const chooseBulk: Record<string, string> = {
  'ci-fees-due': 'inspectionFees',
  'ci-weight-tax-due': 'weightTax',
  'nv-fees-due': 'inspectionFees',
  'nv-weight-tax-due': 'weightTax',
  'nv-vehicle-tax-due': 'vehicleTax',
};
const takeNumber: Record<string, string> = {
  'ci-bulk-before-number': 'inspectionFees',
  'ci-weight-tax-bulk': 'weightTax',
  'nv-bulk': 'inspectionFees',
  'nv-vehicle-tax-bulk': 'vehicleTax',
};

describe('納付 (【画面申請】税・手数料納付の操作手順): the payment information of each stage', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  for (const [key, e] of Object.entries(payable)) {
    it(`${key}: the 納付 button leads to 収納機関番号, 納付番号 in fours, 確認番号, the amounts, total, 納付期限 and how to pay`, async () => {
      const l = await loginAs(t, key);
      expect(l.status).toContain(`action="/inquiry/payments/${e.stage}"`);
      const res = await l.b.get(`/inquiry/payments/${e.stage}`);
      expect(res.statusCode).toBe(200);
      const app = (await snapshot(t, l.id)).application;
      const line = app.paymentLines.find((p) => p.stage === e.stage && p.status === 'unpaid')!;
      const text = textOf(res.body);
      const grouped = line.paymentNumber!.replace(/(.{4})(?=.)/g, '$1 ');
      expect(grouped).toMatch(/^\d{4} \d{4} \d{4} \d{4} \d{4}$/);
      const due = line.dueOn.split('-');
      expect(text).toContain(`収納機関番号 ${e.collector} 納付番号 ${grouped} 確認番号 ${line.confirmationNumber} 納付区分 ${line.paymentCategory} 納付期限 ${due[0]}年 ${due[1]}月 ${due[2]}日 納付状況 未納`);
      expect(text).toContain(e.lines);
      expect(text).toContain(e.total);
      expect(text).toContain('Pay-easy（ペイジー）での納付方法');
      expect(text).toContain(`収納機関番号 ${e.collector} 納付番号 ${grouped} 確認番号 ${line.confirmationNumber} インターネットバンキングの場合`);
      expect(text).toContain('「税金・各種料金の払込み（ペイジー）」を選択します。');
      expect(text).toContain('ATMの場合');
      expect(text).toContain(REPORTED);
      expect(text).toContain('この画面から納付の完了を報告する必要はありません。');
    });
  }

  it('a stage already paid says so, with its 納付完了日, and offers no way to pay', async () => {
    const l = await loginAs(t, 'ci-weight-tax-due');
    const res = await l.b.get('/inquiry/payments/inspectionFees');
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toMatch(/納付状況 済（納付完了日：\d{4}年 \d{2}月 \d{2}日）/);
    expect(text).toContain('この税・手数料は納付済です');
    expect(text).not.toContain('Pay-easy（ペイジー）での納付方法');
  });

  it('a stage that is not due yet cannot be paid: 自動車重量税 while 検査手数料等納付待ち', async () => {
    const l = await loginAs(t, 'ci-fees-due');
    const res = await l.b.get('/inquiry/payments/weightTax');
    expect(textOf(res.body)).toContain('現在の申請状況「検査手数料等納付待ち」では、自動車重量税は納付できません。検査手数料・技術情報管理手数料の納付が確認された後に納付できます。');
    expect(textOf(res.body)).not.toContain('インターネットバンキングの場合');
  });

  it('a stage without payment information is 404, an unknown stage 400', async () => {
    const l = await loginAs(t, 'ci-fees-due');
    expect((await l.b.get('/inquiry/payments/vehicleTax')).statusCode).toBe(404);
    expect((await l.b.get('/inquiry/payments/other')).statusCode).toBe(400);
  });

  it('an invalidated application shows its lines but cannot be paid', async () => {
    const l = await loginAs(t, 'ci-invalidated-payment');
    const res = await l.b.get('/inquiry/payments/inspectionFees');
    expect(textOf(res.body)).toContain('この申請は「検査申請無効」のため、納付できません。');
    expect(textOf(res.body)).not.toContain('インターネットバンキングの場合');
  });
});

describe('まとめ納付: choosing it, and 納付対象を選択して納付番号を取得', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  for (const [key, stage] of Object.entries(chooseBulk)) {
    it(`${key}: まとめ納付を選択する moves to まとめ払い中 and clears the stage's numbers`, async () => {
      const l = await loginAs(t, key);
      const page = await l.b.get(`/inquiry/payments/${stage}`);
      expect(textOf(page.body)).toContain('まとめ納付を選択すると、上の納付番号は使用できなくなります。');
      const before = await snapshot(t, l.id);
      const res = await l.b.post(`/inquiry/payments/${stage}/bulk`, { version: versionOf(page.body) });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/inquiry/payments/${stage}`);
      const after = await l.b.follow(res);
      const text = textOf(after.body);
      expect(text).toContain('まとめ納付を選択しました。');
      expect(text).toContain(`現在の申請状況：${statuses[before.application.status].label.replace('納付待ち', 'まとめ払い中')}`);
      expect(text).toContain('納付番号 （未取得）');
      expect(text).toContain('納付区分 まとめ納付');
      expect(text).toContain('納付対象を選択して納付番号を取得');
      const stored = await snapshot(t, l.id);
      expect(statuses[stored.application.status].bulkPayment).toBe(true);
      expect(stored.application.paymentLines.filter((p) => p.stage === stage).every((p) => p.paymentNumber === null && p.paymentCategory === 'まとめ納付')).toBe(true);
      expect(stored.history.at(-1)).toMatchObject({ event: 'chooseBulkPayment', fromStatus: before.application.status, toStatus: stored.application.status, actorKind: 'applicant' });
    });
  }

  for (const [key, stage] of Object.entries(takeNumber)) {
    it(`${key}: 納付対象を選択して納付番号を取得 gives one number to pay the stage with`, async () => {
      const l = await loginAs(t, key);
      const page = await l.b.get(`/inquiry/payments/${stage}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<legend>納付対象</legend>');
      if (stage === 'inspectionFees') expect(textOf(page.body)).toContain('納付番号を取得すると、申請を取り下げることはできなくなります。');
      const before = await snapshot(t, l.id);
      // Without choosing the target: an error on the same page, nothing changes.
      const none = await l.b.post(`/inquiry/payments/${stage}/bulk-number`, { version: versionOf(page.body) });
      expect(none.statusCode).toBe(400);
      expect(titleOf(none.body)).toMatch(/^エラー：納付情報/);
      expect(textOf(none.body)).toContain(`入力内容にエラーがあります ${TARGET_REQUIRED_MESSAGE}`);
      expect(await snapshot(t, l.id)).toEqual(before);

      const res = await l.b.post(`/inquiry/payments/${stage}/bulk-number`, { version: versionOf(page.body), target: 'this' });
      expect(res.statusCode).toBe(303);
      const after = await l.b.follow(res);
      const stored = await snapshot(t, l.id);
      const line = stored.application.paymentLines.find((p) => p.stage === stage && p.status === 'unpaid')!;
      expect(line.paymentNumber).toMatch(/^\d{20}$/);
      expect(textOf(after.body)).toContain('納付番号を取得しました。');
      expect(textOf(after.body)).toContain(`納付番号 ${line.paymentNumber!.replace(/(.{4})(?=.)/g, '$1 ')} 確認番号 ${line.confirmationNumber} 納付区分 まとめ納付`);
      expect(textOf(after.body)).toContain('インターネットバンキングの場合');
      expect(stored.application.status).toBe(before.application.status);
      expect(stored.history.at(-1)).toMatchObject({ event: 'takeBulkPaymentNumber', actorKind: 'applicant', details: { stage } });
      // The same form again: the number is taken already.
      const again = await l.b.post(`/inquiry/payments/${stage}/bulk-number`, { version: versionOf(page.body), target: 'this', _csrf: l.csrf });
      expect(again.statusCode).toBe(409);
      expect(textOf(again.body)).toContain('納付番号はすでに取得されています。');
      expect(await snapshot(t, l.id)).toEqual(stored);
      if (stage === 'inspectionFees') {
        const withdraw = await l.b.get('/inquiry/withdraw');
        expect(withdraw.statusCode).toBe(409);
        expect(textOf(withdraw.body)).toContain('納付番号を取得した後は、申請を取り下げることはできません。');
      }
    });
  }

  for (const key of allKeys.filter((k) => !(k in chooseBulk) && !(k in takeNumber))) {
    it(`${key}: まとめ納付 and 納付番号の取得 are refused with a message and 4xx; nothing changes`, async () => {
      const l = await loginAs(t, key);
      const before = await snapshot(t, l.id);
      const stage = statuses[before.application.status].paymentStage ?? 'inspectionFees';
      const version = String(before.application.version);
      const bulk = await l.b.post(`/inquiry/payments/${stage}/bulk`, { version, _csrf: l.csrf });
      expect(bulk.statusCode).toBe(409);
      expect(titleOf(bulk.body)).toBe('まとめ納付を選択できません｜軽自動車OSS');
      const number = await l.b.post(`/inquiry/payments/${stage}/bulk-number`, { version, target: 'this', _csrf: l.csrf });
      expect(number.statusCode).toBe(409);
      expect(titleOf(number.body)).toBe('納付番号を取得できません｜軽自動車OSS');
      expect(await snapshot(t, l.id)).toEqual(before);
    });
  }
});

describe('納付: wrong stage, stale form, deadline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('まとめ納付 posted for another stage than the one due is refused', async () => {
    const l = await loginAs(t, 'ci-fees-due');
    const before = await snapshot(t, l.id);
    const res = await l.b.post('/inquiry/payments/weightTax/bulk', { version: String(before.application.version), _csrf: l.csrf });
    expect(res.statusCode).toBe(409);
    expect(textOf(res.body)).toContain('現在の申請状況「検査手数料等納付待ち」では、自動車重量税の「まとめ納付の選択」はできません。');
    expect(await snapshot(t, l.id)).toEqual(before);
  });

  it('a stale form and a forged token change nothing', async () => {
    const l = await loginAs(t, 'nv-fees-due');
    const before = await snapshot(t, l.id);
    const stale = await l.b.post('/inquiry/payments/inspectionFees/bulk', { version: String(before.application.version + 1), _csrf: l.csrf });
    expect(stale.statusCode).toBe(409);
    const forged = await l.b.post('/inquiry/payments/inspectionFees/bulk', { version: String(before.application.version), _csrf: 'x' });
    expect(forged.statusCode).toBe(403);
    expect(await snapshot(t, l.id)).toEqual(before);
  });

  it('after 納付期限 まとめ納付 can no longer be chosen, and the page says it cannot be paid', async () => {
    // nv-fees-due: 納付期限 2026-11-27.
    t.clock.set(japanTime('2026-11-27', '23:58:00'));
    const l = await loginAs(t, 'nv-fees-due');
    const page = await l.b.get('/inquiry/payments/inspectionFees');
    expect(textOf(page.body)).toContain('まとめ納付を選択する');
    t.clock.set(japanTime('2026-11-28', '00:00:00'));
    const before = await snapshot(t, l.id);
    const res = await l.b.post('/inquiry/payments/inspectionFees/bulk', { version: versionOf(page.body) });
    expect(res.statusCode).toBe(409);
    expect(textOf(res.body)).toContain('納付期限を過ぎているため、まとめ納付を選択できません。');
    expect(await snapshot(t, l.id)).toEqual(before);
    const late = await l.b.get('/inquiry/payments/inspectionFees');
    expect(textOf(late.body)).toContain('納付期限を過ぎているため、納付できません。');
    expect(textOf(late.body)).not.toContain('インターネットバンキングの場合');
  });
});

describe('画面申請 → 納付を行う: the same two-step login leads to the payment information', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  async function loginThrough(b: ReturnType<typeof browserFor>, start: string, key: string) {
    const s = scenario(key);
    const first = await b.get(start);
    const loginPage = first.statusCode === 303 ? await b.get(String(first.headers.location)) : first;
    expect(loginPage.statusCode).toBe(200);
    expect(await b.post('/inquiry/login', { receiptNumber: loginNumber(s) })).toMatchObject({ statusCode: 303 });
    await b.get('/inquiry/login/password');
    return b.post('/inquiry/login/password', { receiptNumber: loginNumber(s), password: s.password });
  }

  it('the menu offers 納付を行う, which asks for the login and then shows the payment due', async () => {
    const b = browserFor(t.app);
    const menu = await b.get('/online');
    expect(menu.body).toContain('href="/payment"');
    expect(menu.body).toContain('href="/apply"');
    const start = await b.get('/payment');
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toBe('/inquiry/login?next=payment');
    const done = await loginThrough(b, '/payment', 'ci-weight-tax-due');
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/inquiry/payments');
    const overview = await b.get('/inquiry/payments');
    expect(overview.statusCode).toBe(303);
    expect(overview.headers.location).toBe('/inquiry/payments/weightTax');
    const page = await b.follow(overview);
    expect(textOf(page.body)).toContain('Pay-easy（ペイジー）での納付方法');
    // Logged in already: straight to the payments.
    const again = await b.get('/payment');
    expect(again.headers.location).toBe('/inquiry/payments');
  });

  it('without a payment due, 納付を行う says so and lists the stages', async () => {
    const b = browserFor(t.app);
    await loginThrough(b, '/payment', 'ci-under-examination');
    const res = await b.get('/inquiry/payments');
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain('現在、納付が必要な税・手数料はありません。');
    expect(text).toContain('検査手数料・技術情報管理手数料 （済） 自動車重量税 （済）');
    expect(res.body).toContain('href="/inquiry/payments/weightTax"');
  });

  it('状況の照会 after an abandoned 納付を行う leads to the status page; an unknown next is ignored (no open redirect)', async () => {
    const b = browserFor(t.app);
    await b.get('/inquiry/login?next=payment');
    const plain = await loginThrough(b, '/inquiry/login', 'ci-fees-due');
    expect(plain.headers.location).toBe('/inquiry/status');
    const c = browserFor(t.app);
    const evil = await loginThrough(c, '/inquiry/login?next=https://evil.example/', 'ci-fees-due');
    expect(evil.headers.location).toBe('/inquiry/status');
    // A destination cookie made by hand (unsigned) is ignored too.
    const d = browserFor(t.app);
    await d.get('/inquiry/login');
    d.cookies.set('kei_login_next', 'payment');
    await d.post('/inquiry/login', { receiptNumber: loginNumber(scenario('ci-fees-due')) });
    await d.get('/inquiry/login/password');
    const forged = await d.post('/inquiry/login/password', { receiptNumber: loginNumber(scenario('ci-fees-due')), password: 'demo0105', _csrf: csrfTokenOf(d.lastPage) });
    expect(forged.headers.location).toBe('/inquiry/status');
  });
});
