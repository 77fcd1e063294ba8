import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios } from '../../../src/demo/scenarios.js';
import type { Actor } from '../../../src/domain/actors.js';
import { asJapanDate } from '../../../src/domain/time.js';
import calculateLuhnModN from 'calculate-luhn-mod-n';
import { INVALID_CODE_MESSAGE, TYPED_CODE_TYPO_MESSAGE, typedCodeLengthMessage } from '../../../src/services/collection-codes.js';
import { OTHER_OFFICE_CODE_MESSAGE } from '../../../src/web/staff/counter.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { textOf, titleOf, type TestBrowser } from '../../support/browser.js';
import { applicantPage, browserFor } from '../api/support.js';
import { fileAndMove, filing, office, payEasy, sources } from '../../services/support.js';
import { NERIMA_CLERK, staffBrowser } from './support.js';

const applicant: Actor = { kind: 'applicant' };
const demo = (key: string) => demoScenarios.find((d) => d.key === key)!;

describe('窓口での受け取り確認: the counter check of the 2D code', () => {
  let t: TestApp;
  let b: TestBrowser;

  /** The applicant issues the 2D code (受取者認証兼受取車両個別申告用二次元コードの発行); returns its content. */
  async function issueCode(number: string): Promise<string> {
    const id = (await t.services.findApplicationId(number as never))!;
    const r = await t.services.actOnApplication(id, { type: 'issueCollectionCode' }, applicant);
    if (!r.ok) throw new Error(r.refusal.message);
    return t.services.collectionCodes.contentFor(r.value.application);
  }

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    b = await staffBrowser(t);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('the page asks for the code in one field that a USB scanner can type into', async () => {
    const res = await b.get('/staff/counter');
    expect(res.statusCode).toBe(200);
    expect(titleOf(res.body)).toBe('窓口での受け取り確認｜軽自動車OSS 事務所等用画面');
    expect(res.body).toMatch(/<input id="code" name="code" [^>]*autofocus/);
    expect(textOf(res.body)).toContain('二次元コードの内容');
  });

  it('a real code of a ready application of this office: shows the application, then records the hand-over (返付済)', async () => {
    const s = demo('ci-ready');
    const code = await issueCode(s.receiptNumber!);
    await b.get('/staff/counter');
    const checked = await b.post('/staff/counter', { code: `  ${code}\n` });
    expect(checked.statusCode).toBe(200);
    const text = textOf(checked.body);
    expect(text).toContain('この事務所等の、受け取りができる申請の二次元コードです。');
    expect(text).toContain('受付番号 1100 0000 0000 00013 手続 継続検査 申請状況 返付準備完了');
    expect(text).toContain(`申請者名 ${s.filing.applicantName}`);
    expect(text).toContain('受け取りを記録すると元に戻せません。申請状況は「返付済」になり、手続は完了します。');
    expect((await applicantPage(t.app, s.receiptNumber!, s.password)).text).toContain('現在の申請状況 返付準備完了');

    const done = await b.post('/staff/counter/hand-over', { code, version: /name="version" value="(\d+)"/.exec(checked.body)![1]! });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/staff/counter?done=${s.receiptNumber}`);
    expect(textOf((await b.follow(done)).body)).toContain('受け取りを記録しました（1100 0000 0000 00013：返付済）。');
    expect((await applicantPage(t.app, s.receiptNumber!, s.password)).text).toContain('現在の申請状況 返付済');
    const id = (await t.services.findApplicationId(s.receiptNumber! as never))!;
    const last = (await t.services.statusInquiry.history(id)).at(-1)!;
    expect(last).toMatchObject({ event: 'handOver', actorKind: 'inspectionOffice', actorLabel: '検査 一郎（デモ）', actorId: 'demo-staff-tokyo', toStatus: 'returned' });
    // Issue 14: the history says how the clerk knew whom to hand the documents to.
    expect(last.details).toEqual({ collectionCodeSerial: 1, verification: 'collectionCode' });
    expect(textOf((await b.get(`/staff/applications/${s.receiptNumber}`)).body)).toContain('窓口での受け取り 返付準備完了 → 返付済 検査 一郎（デモ） （軽自動車検査協会事務所等） 二次元コード：1回目の発行まで 受け取りの確認：二次元コードを窓口で確認');

    // The same code again: the documents were handed over already.
    await b.get('/staff/counter');
    const again = await b.post('/staff/counter', { code });
    expect(again.statusCode).toBe(400);
    expect(textOf(again.body)).toContain('交付物の受け取りができる申請状況（返付準備完了・交付準備完了）ではありません。');
  });

  it('a tampered code is refused and nothing changes', async () => {
    const s = demo('nv-ready');
    const code = await issueCode(s.receiptNumber!);
    const tampered = code.replace(/\.(\d+)\.([A-Za-z0-9_-]+)$/, (_m, serial: string, sig: string) => `.${serial}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`);
    expect(tampered).not.toBe(code);
    const otherNumber = code.replace(s.receiptNumber!, '22000000000000016');
    for (const bad of [tampered, otherNumber, 'not a code at all', 'KEIOSS1.1.2.3']) {
      await b.get('/staff/counter');
      const res = await b.post('/staff/counter', { code: bad });
      expect(res.statusCode).toBe(400);
      expect(titleOf(res.body)).toBe('エラー：窓口での受け取り確認｜軽自動車OSS 事務所等用画面');
      expect(textOf(res.body)).toContain(INVALID_CODE_MESSAGE);
    }
    // The hand-over form with a tampered code does not hand anything over either.
    const res = await b.post('/staff/counter/hand-over', { code: tampered, version: '20' });
    expect(res.statusCode).toBe(400);
    expect((await applicantPage(t.app, s.receiptNumber!, s.password)).text).toContain('現在の申請状況 交付準備完了');
  });

  it('a code reissued since is refused: only the latest code works', async () => {
    const s = demo('nv-ready');
    const old = await issueCode(s.receiptNumber!);
    const latest = await issueCode(s.receiptNumber!);
    await b.get('/staff/counter');
    const res = await b.post('/staff/counter', { code: old });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain('この二次元コードは再発行により無効になっています。最新の二次元コードを提示してください。');
    await b.get('/staff/counter');
    expect((await b.post('/staff/counter', { code: latest })).statusCode).toBe(200);
  });

  it("another office's code: the clerk is told to send the applicant to that office, and learns nothing else", async () => {
    const id = await fileAndMove(t.services, filing({ officeCode: 'nerima', vehicleNumber: '練馬 580 ち 7777' }), [
      [office('nerima'), { type: 'accept' }],
      [office('nerima'), { type: 'issueFees', dueOn: asJapanDate('2026-12-10') }],
      [payEasy, { type: 'recordPayment', stage: 'inspectionFees', paidOn: asJapanDate('2026-11-26') }],
      [payEasy, { type: 'recordPayment', stage: 'weightTax', paidOn: asJapanDate('2026-11-26') }],
      [sources, { type: 'acquireAttachment', kind: 'insuranceCertificate' }],
      [sources, { type: 'acquireAttachment', kind: 'safetyStandardCertificate' }],
      [office('nerima'), { type: 'completeExamination', completedOn: asJapanDate('2026-11-26') }],
      [office('nerima'), { type: 'markReady' }],
      [applicant, { type: 'issueCollectionCode' }],
    ]);
    const app = (await t.services.statusInquiry.read(id))!.application;
    const code = t.services.collectionCodes.contentFor(app);
    await b.get('/staff/counter');
    const res = await b.post('/staff/counter', { code });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(OTHER_OFFICE_CODE_MESSAGE);
    expect(textOf(res.body)).not.toContain('練馬 - 580');
    const forged = await b.post('/staff/counter/hand-over', { code, version: String(app.version) });
    expect(forged.statusCode).toBe(400);
    expect((await t.services.statusInquiry.read(id))!.application.status).toBe('readyForReturn');
    // The right office's clerk hands it over.
    const nerima = await staffBrowser(t, NERIMA_CLERK);
    await nerima.get('/staff/counter');
    const ok = await nerima.post('/staff/counter', { code });
    expect(ok.statusCode).toBe(200);
    const done = await nerima.post('/staff/counter/hand-over', { code, version: String(app.version) });
    expect(done.statusCode).toBe(303);
    expect((await t.services.statusInquiry.read(id))!.application.status).toBe('returned');
  });

  it('the 手入力用の番号 printed under the code is accepted with the same checks; a typo is named as a typo, a forged number as not genuine (issue 14)', async () => {
    const id = await fileAndMove(t.services, filing({ vehicleNumber: '品川 580 ち 7788' }), [
      [office(), { type: 'accept' }],
      [office(), { type: 'issueFees', dueOn: asJapanDate('2026-12-10') }],
      [payEasy, { type: 'recordPayment', stage: 'inspectionFees', paidOn: asJapanDate('2026-11-26') }],
      [payEasy, { type: 'recordPayment', stage: 'weightTax', paidOn: asJapanDate('2026-11-26') }],
      [sources, { type: 'acquireAttachment', kind: 'insuranceCertificate' }],
      [sources, { type: 'acquireAttachment', kind: 'safetyStandardCertificate' }],
      [office(), { type: 'completeExamination', completedOn: asJapanDate('2026-11-26') }],
      [office(), { type: 'markReady' }],
      [applicant, { type: 'issueCollectionCode' }],
    ]);
    const app = (await t.services.statusInquiry.read(id))!.application;
    const number = app.receiptNumber!;
    // What the applicant's page prints under the code.
    const portal = browserFor(t.app);
    await portal.login(number, 'demo1234pass');
    const page = await portal.get('/inquiry/collection-code');
    const printed = /<span class="collection-code__typed-digits">([\s\S]*?)<\/span><\/span>/.exec(page.body)![1]!.replace(/<[^>]+>/g, '');
    expect(printed).toMatch(/^\d{4} \d{4} \d{4} \d{5}-1-\d{4} \d{4} \d{4} \d{4} \d{4}-\d$/);
    expect(printed.startsWith(`${number.slice(0, 4)} ${number.slice(4, 8)} ${number.slice(8, 12)} ${number.slice(12)}-1-`)).toBe(true);
    expect(textOf(page.body)).toContain(`手入力用の番号（二次元コードを読み取れない場合に窓口で入力します） ${printed}`);
    const digits = printed.replace(/[ -]/g, '');

    // Typed as printed, or in full-width digits with other spacing: the same check as the scanned code.
    for (const typed of [printed, digits, digits.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)).replace(/(.{5})/g, '$1 ')]) {
      await b.get('/staff/counter');
      const res = await b.post('/staff/counter', { code: typed });
      expect(res.statusCode, typed).toBe(200);
      expect(textOf(res.body)).toContain(`受付番号 ${printed.slice(0, 20)} 手続 継続検査 申請状況 返付準備完了`);
    }
    // One digit mistyped, two neighbours swapped: a typo, said so.
    const at = 25;
    const wrongDigit = digits.slice(0, at) + String((Number(digits[at]) + 1) % 10) + digits.slice(at + 1);
    const i = [...digits].findIndex((d, k) => k > 17 && k < digits.length - 2 && d !== digits[k + 1] && `${d}${digits[k + 1]}` !== '09' && `${d}${digits[k + 1]}` !== '90');
    const swapped = digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2);
    for (const typo of [wrongDigit, swapped]) {
      await b.get('/staff/counter');
      const res = await b.post('/staff/counter', { code: typo });
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain(TYPED_CODE_TYPO_MESSAGE);
    }
    // Digits missing: the count is named.
    await b.get('/staff/counter');
    expect(textOf((await b.post('/staff/counter', { code: digits.slice(0, 30) })).body)).toContain(typedCodeLengthMessage(30));
    // A signature made up with a right check digit (a forgery, not a typo): not genuine.
    const forgedBody = digits.slice(0, 20) + '12345678901234567890';
    const forged = forgedBody + calculateLuhnModN((c) => Number(c), (n) => String(n), 10, forgedBody);
    await b.get('/staff/counter');
    const res = await b.post('/staff/counter', { code: forged });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(INVALID_CODE_MESSAGE);
    expect(textOf(res.body)).not.toContain(TYPED_CODE_TYPO_MESSAGE);

    // The hand-over with the typed number, recorded as checked at the counter.
    await b.get('/staff/counter');
    const checked = await b.post('/staff/counter', { code: printed });
    const done = await b.post('/staff/counter/hand-over', { code: printed, version: /name="version" value="(\d+)"/.exec(checked.body)![1]! });
    expect(done.statusCode).toBe(303);
    const last = (await t.services.statusInquiry.history(id)).at(-1)!;
    expect(last).toMatchObject({ event: 'handOver', toStatus: 'returned', details: { collectionCodeSerial: 1, verification: 'collectionCode' } });
  });

  it('a reissue makes the earlier 手入力用の番号 invalid too (issue 14)', async () => {
    const s = demo('nv-ready');
    const id = (await t.services.findApplicationId(s.receiptNumber! as never))!;
    await issueCode(s.receiptNumber!);
    const before = t.services.collectionCodes.typedFor((await t.services.statusInquiry.read(id))!.application);
    await issueCode(s.receiptNumber!);
    await b.get('/staff/counter');
    const res = await b.post('/staff/counter', { code: before });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain('この二次元コードは再発行により無効になっています。最新の二次元コードを提示してください。');
    const latest = t.services.collectionCodes.typedFor((await t.services.statusInquiry.read(id))!.application);
    await b.get('/staff/counter');
    expect((await b.post('/staff/counter', { code: latest })).statusCode).toBe(200);
  });

  it('a confirmation made stale (the application moved) is refused with a clear message', async () => {
    const s = demo('nv-ready');
    const code = await issueCode(s.receiptNumber!);
    await b.get('/staff/counter');
    const checked = await b.post('/staff/counter', { code });
    const version = /name="version" value="(\d+)"/.exec(checked.body)![1]!;
    const id = (await t.services.findApplicationId(s.receiptNumber! as never))!;
    // Meanwhile the applicant prints the code once more (the serial moves, the version too).
    const reissued = await t.services.actOnApplication(id, { type: 'issueCollectionCode' }, applicant);
    expect(reissued.ok).toBe(true);
    const fresh = t.services.collectionCodes.contentFor((await t.services.statusInquiry.read(id))!.application);
    const res = await b.post('/staff/counter/hand-over', { code: fresh, version });
    expect(res.statusCode).toBe(409);
    expect(textOf(res.body)).toContain('この申請は他の操作により更新されました。最新の状態を確認してから、もう一度操作してください。');
    expect((await t.services.statusInquiry.read(id))!.application.status).toBe('readyForDelivery');
  });

  it('an empty or enormous input gets a message, not a crash', async () => {
    await b.get('/staff/counter');
    const empty = await b.post('/staff/counter', { code: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(textOf(empty.body)).toContain('二次元コードの内容を入力してください。');
    await b.get('/staff/counter');
    const huge = await b.post('/staff/counter', { code: 'K'.repeat(20_000) });
    expect(huge.statusCode).toBe(400);
    expect(textOf(huge.body)).toContain(INVALID_CODE_MESSAGE);
  });
});
