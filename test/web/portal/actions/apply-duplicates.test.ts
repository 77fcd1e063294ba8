import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReceiptNumber } from '../../../../src/domain/receipt-number.js';
import { DUPLICATE_TITLE } from '../../../../src/web/portal/actions/apply.js';
import { createTestApp, type TestApp } from '../../../support/app.js';
import { textOf, titleOf, type TestBrowser } from '../../../support/browser.js';
import { browserFor, scenario } from './support.js';

const decode = (v: string) => v.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function hiddenFieldsOf(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) {
    if (m[1] !== '_csrf' && m[1] !== 'step') out[m[1]!] = decode(m[2]!);
  }
  return out;
}

const PASSWORD = 'Kei-oss2026';

/** 申請を行う (継続検査) up to 申請内容の確認, with the vehicle given. */
async function walkToCheck(b: TestBrowser, vehicle: { vehicleNumber: string; chassisNumber: string }) {
  const next = (step: string, fields: Record<string, string>) => b.post('/apply', { ...hiddenFieldsOf(b.lastPage), step, ...fields });
  expect((await b.get('/apply')).statusCode).toBe(200);
  await next('procedure', { procedure: 'continuousInspection' });
  await next('parties', { applicantName: '北品川モータース株式会社', applicantAddress: '東京都品川区北品川1-1-1', userName: '北品川 一郎', userAddress: '東京都品川区北品川2-2-2' });
  const office = await next('vehicle', { ...vehicle, vehicleModel: '5BA-JF3', weightTaxBand: 'standard' });
  expect(office.statusCode, textOf(office.body).slice(0, 600)).toBe(200);
  await next('office', { officeCode: 'tokyo', agentUse: 'no' });
  const check = await next('password', { password: PASSWORD, passwordConfirm: PASSWORD });
  expect(check.statusCode).toBe(200);
  expect(titleOf(check.body)).toBe('初回申請 申請内容の確認｜軽自動車OSS');
  return check;
}

describe('申請を行う: a 車両番号 typed without spaces, and a second open application for the same 車台番号 (issue 14)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('accepts 「品川５８０さ１２３４」 (no spaces, full-width digits), shown and stored as 品川 - 580 - さ - 1234; no warning for a new vehicle', async () => {
    const b = browserFor(t.app);
    const check = await walkToCheck(b, { vehicleNumber: '品川５８０さ１２３４', chassisNumber: 'JF3-5550001' });
    const text = textOf(check.body);
    expect(text).toContain('車両番号 品川 - 580 - さ - 1234');
    expect(text).not.toContain(DUPLICATE_TITLE);
    const done = await b.post('/apply/submit', hiddenFieldsOf(check.body));
    expect(done.statusCode).toBe(303);
    const row = await t.db.handle.db.selectFrom('applications').select(['vehicle_number']).where('chassis_number', '=', 'JF3-5550001').executeTakeFirstOrThrow();
    expect(row.vehicle_number).toBe('品川 580 さ 1234');
  });

  it('warns before 申請する when the 車台番号 already has an open application, without revealing its number to anyone who types the 車台番号', async () => {
    const s = scenario('ci-under-examination');
    const b = browserFor(t.app);
    const check = await walkToCheck(b, { vehicleNumber: s.filing.vehicleNumber!, chassisNumber: s.filing.chassisNumber.toLowerCase() });
    const text = textOf(check.body);
    expect(text).toContain(`${DUPLICATE_TITLE} 車台番号「${s.filing.chassisNumber}」の処理中の申請が1件あります。同じ申請を二重に行っていないか確認してください。`);
    expect(check.body).toContain('class="banner banner--warning" role="alert"');
    expect(text).not.toContain(formatReceiptNumber(s.receiptNumber!));
    expect(check.body).not.toContain(s.receiptNumber!);
    expect(check.body).not.toContain(s.arrivalNumber);
    // A warning, not a refusal: the applicant may still apply.
    expect((await b.post('/apply/submit', hiddenFieldsOf(check.body))).statusCode).toBe(303);
  });

  it('names the 受付番号 when the applicant is logged in to 状況の照会 with that application\'s password in this browser', async () => {
    const s = scenario('ci-fees-due');
    const b = browserFor(t.app);
    expect((await b.login(s.receiptNumber!, s.password)).statusCode).toBe(200);
    const check = await walkToCheck(b, { vehicleNumber: s.filing.vehicleNumber!, chassisNumber: s.filing.chassisNumber });
    expect(textOf(check.body)).toContain(`状況の照会でログインしている申請（受付番号（到達番号） ${formatReceiptNumber(s.receiptNumber!)} ）もその一つです。`);
  });
});
