import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios } from '../../../src/demo/scenarios.js';
import { formatReceiptNumber } from '../../../src/domain/receipt-number.js';
import { statuses, type StatusDefinition } from '../../../src/domain/statuses.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { textOf, titleOf, type TestBrowser } from '../../support/browser.js';
import { NERIMA_CLERK, staffBrowser } from './support.js';
import { validateFiling } from '../../../src/domain/filing.js';
import { WORK_LIST_SEARCH_MESSAGE } from '../../../src/domain/work-queue.js';
import { WORK_LIST_ORDER_TEXT } from '../../../src/web/staff/work-list.js';

const tokyo = demoScenarios.filter((s) => (s.filing.officeCode ?? 'tokyo') === 'tokyo');
const openTokyo = tokyo.filter((s) => !(statuses[s.expectedStatus] as StatusDefinition).terminal);
const rowsOf = (html: string) => [...html.matchAll(/<tr data-status="([^"]+)">/g)].map((m) => m[1]!);
const numbersOf = (html: string) => [...html.matchAll(/<a href="\/staff\/applications\/(\d{17})">/g)].map((m) => m[1]!);

describe('作業一覧: the office work list', () => {
  let t: TestApp;
  let b: TestBrowser;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    b = await staffBrowser(t);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('shows the open applications of the clerk\'s office, 20 a page: what the office must act on first, new 受付審査中 arrivals at the top (issue 14)', async () => {
    const res = await b.get('/staff/applications');
    expect(res.statusCode).toBe(200);
    expect(titleOf(res.body)).toBe('作業一覧（東京主管事務所）｜軽自動車OSS 事務所等用画面');
    expect(textOf(res.body)).toContain(`全${openTokyo.length}件（1〜20件目を表示）。${WORK_LIST_ORDER_TEXT}`);
    const rows = rowsOf(res.body);
    expect(rows).toHaveLength(20);
    // Both new arrivals of the demo (継続検査 and 新車) are on page 1, first, then the examinations.
    const arrivals = openTokyo.filter((s) => s.expectedStatus === 'awaitingAcceptance');
    expect(arrivals).toHaveLength(2);
    expect(rows.slice(0, 2)).toEqual(['awaitingAcceptance', 'awaitingAcceptance']);
    expect(numbersOf(res.body).slice(0, 2).sort()).toEqual(arrivals.map((s) => s.arrivalNumber).sort());
    expect(rows[2]).toBe('inspectionUnderExamination');
    const text = textOf(res.body);
    expect(text).toContain('受付番号（到達番号） 手続 申請状況 期限 申請者名 使用者名 車両番号・車台番号 状況更新日時 2');
    expect(text).toContain('受付審査中 （要対応）');
    // After the office's own work: the rest, due soonest first (the fees of 2200 0000 0000 00005, due tomorrow, lead).
    const firstOther = rows.findIndex((s) => !['awaitingAcceptance', 'inspectionUnderExamination', 'preparingReturn', 'preparingDelivery'].includes(s));
    expect(numbersOf(res.body)[firstOther]).toBe('22000000000000005');
    expect(res.body).toContain('<a href="/staff/applications?page=2" rel="next">次へ</a>');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('searches by 受付番号 (any spacing, full-width digits), 車台番号 and 車両番号 (with or without separators) (issue 14)', async () => {
    const ready = demoScenarios.find((s) => s.key === 'ci-ready')!;
    for (const q of ['1100 0000 0000 00013', '１１００－００００－００００－０００１３', ' 11000000000000013 ']) {
      const res = await b.get(`/staff/applications?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBe(200);
      expect(numbersOf(res.body), q).toEqual(['11000000000000013']);
      expect(textOf(res.body)).toContain('全1件（1〜1件目を表示）');
    }
    const byChassis = await b.get(`/staff/applications?q=${encodeURIComponent(ready.filing.chassisNumber!.toLowerCase())}`);
    expect(numbersOf(byChassis.body)).toEqual(['11000000000000013']);
    const plate = ready.filing.vehicleNumber!;
    const byPlate = await b.get(`/staff/applications?status=all&q=${encodeURIComponent(plate.replace(/ /g, '').normalize('NFKC').replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)))}`);
    expect(numbersOf(byPlate.body)).toContain('11000000000000013');
    expect(byPlate.body).toContain('name="q" class="input input--medium" value="');
    // A search keeps the other filters and is kept in the paging links.
    const none = await b.get('/staff/applications?q=9999999999999999&status=returned');
    expect(none.statusCode).toBe(200);
    expect(textOf(none.body)).toContain('全0件。');
  });

  it('refuses a search that is no number with 400 and says what to type (issue 14)', async () => {
    const res = await b.get(`/staff/applications?q=${encodeURIComponent('あいう？')}`);
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(WORK_LIST_SEARCH_MESSAGE);
    expect(res.body).toContain('aria-invalid="true"');
  });

  it('page 2 holds the rest; together the pages list every open application once', async () => {
    const p1 = numbersOf((await b.get('/staff/applications')).body);
    const p2res = await b.get('/staff/applications?page=2');
    expect(textOf(p2res.body)).toContain(`全${openTokyo.length}件（21〜${openTokyo.length}件目を表示）`);
    const p2 = numbersOf(p2res.body);
    expect(new Set([...p1, ...p2]).size).toBe(openTokyo.length);
    expect([...p1, ...p2].sort()).toEqual(openTokyo.map((s) => s.receiptNumber ?? s.arrivalNumber).sort());
    expect(p2res.body).toContain('<a href="/staff/applications" rel="prev">前へ</a>');
  });

  it('filters by status', async () => {
    const res = await b.get('/staff/applications?status=inspectionCorrectionRequested');
    const expected = tokyo.filter((s) => s.expectedStatus === 'inspectionCorrectionRequested');
    expect(rowsOf(res.body)).toEqual(expected.map(() => 'inspectionCorrectionRequested'));
    expect(res.body).toContain('<option value="inspectionCorrectionRequested" selected>検査申請補正待ち</option>');
    const all = await b.get('/staff/applications?status=all&page=3');
    expect(textOf(all.body)).toContain(`全${tokyo.length}件`);
  });

  it('filters by procedure and by deadline, and the filters stay in the paging links', async () => {
    const nv = await b.get('/staff/applications?procedure=newVehicle&status=all');
    expect(textOf(nv.body)).toContain(`全${tokyo.filter((s) => s.procedure === 'newVehicle').length}件`);
    expect(nv.body).toContain('href="/staff/applications?status=all&amp;procedure=newVehicle&amp;page=2"');
    const soon = await b.get('/staff/applications?deadline=within3');
    const text = textOf(soon.body);
    const dates = [...text.matchAll(/(補正期限|納付期限) (\d{4})年 (\d{2})月 (\d{2})日/g)].map((m) => `${m[2]}-${m[3]}-${m[4]}`);
    expect(dates.length).toBe(rowsOf(soon.body).length);
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.every((d) => d <= '2026-11-29')).toBe(true);
    expect(dates).toEqual([...dates].sort());
    const none = await b.get('/staff/applications?deadline=overdue');
    expect(textOf(none.body)).toContain(`全0件。${WORK_LIST_ORDER_TEXT} 条件に合う申請はありません。`);
  });

  it('refuses a malformed filter with 400, never a 500', async () => {
    for (const q of ['status=bogus', 'page=0', 'page=abc', 'procedure=truck', `deadline=${'x'.repeat(5000)}`]) {
      const res = await b.get(`/staff/applications?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(textOf(res.body)).toContain('入力内容に誤りがあります');
    }
  });

  it("another office's clerk sees only that office's applications", async () => {
    const nerima = await staffBrowser(t, NERIMA_CLERK);
    const res = await nerima.get('/staff/applications?status=all');
    expect(titleOf(res.body)).toBe('作業一覧（練馬支所）｜軽自動車OSS 事務所等用画面');
    const ci19 = demoScenarios.find((s) => s.key === 'ci-invalidated-office')!;
    expect(numbersOf(res.body)).toEqual([ci19.receiptNumber]);
    expect(textOf(res.body)).toContain(`${formatReceiptNumber(ci19.receiptNumber!)} 継続検査 検査申請無効`);
  });

  it('flags a possible double submission: the same 車台番号 in more than one open application (issue 14)', async () => {
    const s = demoScenarios.find((x) => x.key === 'ci-under-examination')!;
    const input = s.filing;
    for (let i = 0; i < 2; i++) {
      const valid = validateFiling(input);
      if (!valid.ok) throw new Error(JSON.stringify(valid.errors));
      const r = await t.services.registerApplication(valid.value, 'Kei-oss2026', { kind: 'applicant' });
      expect(r.ok).toBe(true);
    }
    const res = await b.get(`/staff/applications?q=${encodeURIComponent(s.filing.chassisNumber!)}`);
    expect(rowsOf(res.body).sort()).toEqual(['awaitingAcceptance', 'awaitingAcceptance', 'inspectionUnderExamination']);
    const text = textOf(res.body);
    expect(text.match(/重複の可能性：同じ車台番号の処理中の申請が他に2件/g)).toHaveLength(3);
    // Numbers and codes never wrap: the 車台番号 is kept on one line.
    expect(res.body).toContain(`<span class="nowrap">${s.filing.chassisNumber}</span>`);
    const list = await b.get('/staff/applications');
    expect(textOf(list.body)).toContain('重複の可能性：同じ車台番号の処理中の申請が他に2件');
  });
});
