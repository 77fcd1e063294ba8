import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios } from '../../../src/demo/scenarios.js';
import { formatReceiptNumber } from '../../../src/domain/receipt-number.js';
import { validateFiling } from '../../../src/domain/filing.js';
import { CONFLICT_MESSAGE } from '../../../src/services/application-events.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { textOf, titleOf, type TestBrowser } from '../../support/browser.js';
import { applicantPage } from '../api/support.js';
import { formTokenOn, staffBrowser, versionOn } from './support.js';

const demo = (key: string) => {
  const s = demoScenarios.find((d) => d.key === key)!;
  return { number: s.receiptNumber ?? s.arrivalNumber, password: s.password };
};
const current = (label: string) => `現在の申請状況 ${label} 状況更新日時：`;
const IRREVERSIBLE = ['refuse-acceptance', 'reject', 'invalidate', 'hand-over'];
const decodeHtml = (v: string) => v.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#10;/g, '\n').replace(/&amp;/g, '&');
/** The hidden fields of the confirmation form (what the browser posts back). */
function hiddenFieldsOf(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) if (m[1] !== '_csrf') out[m[1]!] = decodeHtml(m[2]!);
  return out;
}

describe('申請の詳細 and the clerk\'s decisions (staff UI)', () => {
  let t: TestApp;
  let b: TestBrowser;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    b = await staffBrowser(t);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  /** Opens the application, posts one decision form with its version, follows the redirect. */
  async function decide(key: string, decision: string, form: Record<string, string> = {}) {
    const { number } = demo(key);
    const page = await b.get(`/staff/applications/${number}`);
    expect(page.statusCode).toBe(200);
    const res = await b.post(`/staff/applications/${number}/${decision}`, { version: versionOn(page.body, decision), ...form });
    return res;
  }

  /** The application's status and version as the service reads them (not the table). */
  async function stateOf(number: string) {
    const id = await t.services.findApplicationId(number as never);
    const read = id ? await t.services.statusInquiry.read(id) : null;
    if (!read) throw new Error(`no application ${number}`);
    return { status: read.application.status, version: read.application.version };
  }

  async function decideOk(key: string, decision: string, form: Record<string, string>, label: string) {
    let res = await decide(key, decision, form);
    if (IRREVERSIBLE.includes(decision)) {
      // Issue 14: a confirmation page first; nothing is recorded until it is confirmed.
      expect(res.statusCode, textOf(res.body).slice(0, 400)).toBe(200);
      const before = await stateOf(demo(key).number);
      expect(textOf(res.body)).toContain('まだ記録していません。');
      res = await b.post(`/staff/applications/${demo(key).number}/${decision}`, hiddenFieldsOf(res.body));
      expect(before.version).toBeGreaterThan(0);
    }
    expect(res.statusCode, textOf(res.body).slice(0, 400)).toBe(303);
    const done = await b.follow(res);
    expect(done.statusCode).toBe(200);
    expect(textOf(done.body)).toContain(`申請者の画面の申請状況は「${label}」です。`);
    const { number, password } = demo(key);
    const after = String(res.headers.location).match(/\/staff\/applications\/(\d{17})/)![1]!;
    const applicant = await applicantPage(t.app, after === number ? number : after, password);
    expect(applicant.text).toContain(current(label));
    return { done, applicant };
  }

  it('shows what the applicant sees, the decisions the status allows, and the whole history', async () => {
    const { number } = demo('ci-manual-example');
    const res = await b.get(`/staff/applications/${number}`);
    expect(titleOf(res.body)).toBe('申請の詳細 9999 9999 9999 99999｜軽自動車OSS 事務所等用画面');
    const text = textOf(res.body);
    expect(text).toContain('申請者の画面に表示されている内容');
    expect(text).toContain(current('検査申請補正待ち'));
    expect(text).toContain('済 1. 手続準備');
    expect(text).toContain('自動車損害賠償責任保険（共済）証明書 未取得 保安基準適合証 未取得');
    expect(text).toContain('補正期限が間近です。補正してください。');
    expect(text).toContain('通知等情報 補正 行政機関等名 軽自動車検査協会事務所等 期限日 2026年 11月 28日');
    // Decisions allowed in 検査申請補正待ち: 却下 only (and 不要 for the missing attachments before the examination ends).
    expect(res.body).toContain(`action="/staff/applications/${number}/reject"`);
    expect(res.body).toContain(`action="/staff/applications/${number}/attachment-not-required"`);
    expect(res.body).not.toContain(`action="/staff/applications/${number}/complete-examination"`);
    expect(text).toContain('申請の履歴');
    expect(text).toContain('補正の通知（検査申請） 検査申請審査中 → 検査申請補正待ち 東京主管事務所（デモ） （軽自動車検査協会事務所等） 申請書・添付書類の不備エラー 期限日：2026年 11月 28日');
    expect(text).toContain('受付 受付審査中 → 申請受付済（添付書類取得待ち） 東京主管事務所（デモ） （軽自動車検査協会事務所等） 受付番号：9999 9999 9999 99999');
  });

  it('受付: accepts an application; it is then known by its new 受付番号', async () => {
    const { done, applicant } = await decideOk('ci-awaiting-acceptance', 'accept', {}, '申請受付済（添付書類取得待ち）');
    expect(textOf(done.body)).toContain('「受付」を記録しました。');
    expect(applicant.text).not.toContain('未払出');
    expect(textOf(done.body)).toContain('受付 受付審査中 → 申請受付済（添付書類取得待ち） 検査 一郎（デモ） （軽自動車検査協会事務所等）');
  });

  it('未受付: needs a reason, then refuses the application', async () => {
    const empty = await decide('nv-awaiting-acceptance', 'refuse-acceptance', { reasonTitle: '  ', reasonDetail: '' });
    expect(empty.statusCode).toBe(400);
    expect(titleOf(empty.body)).toMatch(/^エラー：申請の詳細 /);
    expect(textOf(empty.body)).toContain('「未受付」を記録できませんでした 理由を入力してください。');
    expect(empty.body).toContain('<a href="#refuse-acceptance-reasonTitle">理由を入力してください。</a>');
    const { applicant } = await decideOk('nv-awaiting-acceptance', 'refuse-acceptance', { reasonTitle: '申請データの不備', reasonDetail: '申請データの形式に誤りがあります。\n再度申請を行ってください。' }, '未受付');
    expect(applicant.text).toContain('理由 申請データの不備 申請データの形式に誤りがあります。 再度申請を行ってください。');
  });

  it('納付情報の発行: the 納付期限 defaults to 10 business days; the applicant sees the fees', async () => {
    const page = await b.get(`/staff/applications/${demo('ci-accepted').number}`);
    expect(page.body).toMatch(/<input id="issue-fees-dueOn" name="dueOn" [^>]*type="date" value="2026-12-10"/);
    const bad = await decide('ci-accepted', 'issue-fees', { dueOn: '2026-11-20' });
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('納付期限は本日以降の日付を指定してください。');
    const { applicant } = await decideOk('ci-accepted', 'issue-fees', { dueOn: '２０２６年１２月１５日' }, '検査手数料等納付待ち');
    expect(applicant.text).toMatch(/検査手数料 一般料金 ¥ 1,100 .* 未納 2026年12月15日/);
  });

  it('添付書類を不要に設定: the applicant sees 不要', async () => {
    const { applicant } = await decideOk('nv-accepted', 'attachment-not-required', { kind: 'preferredNumberCertificate' }, '申請受付済（添付書類取得待ち）');
    expect(applicant.text).toContain('希望番号予約済証 不要');
  });

  it('補正の通知: the 補正期限 defaults to 5 business days; reason and date are checked; the applicant is asked to correct', async () => {
    const page = await b.get(`/staff/applications/${demo('ci-under-examination').number}`);
    expect(page.body).toMatch(/<input id="request-correction-deadline" name="deadline" [^>]*type="date" value="2026-12-03"/);
    const bad = await decide('ci-under-examination', 'request-correction', { reasonTitle: '', reasonDetail: '', deadline: '12/3' });
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('「補正の通知」を記録できませんでした 理由を入力してください。 補正期限は「2026-12-01」のように、正しい日付で入力してください。');
    expect(bad.body).toContain('<a href="#request-correction-deadline">補正期限は「2026-12-01」のように、正しい日付で入力してください。</a>');
    expect(bad.body).toContain('value="12/3"');
    const { applicant } = await decideOk(
      'ci-under-examination',
      'request-correction',
      { reasonTitle: '保安基準適合証の記載誤り', reasonDetail: '走行距離計の表示値を確認してください。', deadline: '2026-12-03' },
      '検査申請補正待ち',
    );
    expect(applicant.text).toContain('通知等情報 補正 行政機関等名 軽自動車検査協会事務所等 期限日 2026年 12月 03日 理由 保安基準適合証の記載誤り 走行距離計の表示値を確認してください。');
    expect(applicant.html).toContain('id="correction-heading"');
  });

  it('審査完了 (新車): needs the 車両番号, then the applicant sees it', async () => {
    const missing = await decide('nv-under-examination', 'complete-examination', { completedOn: '2026-11-26', vehicleNumber: '' });
    expect(missing.statusCode).toBe(400);
    expect(textOf(missing.body)).toContain('車両番号を入力してください。');
    const { applicant } = await decideOk('nv-under-examination', 'complete-examination', { completedOn: '2026-11-26', vehicleNumber: '品川　５８０　な　８８８８' }, '軽自動車税申告審査中');
    expect(applicant.text).toContain('審査完了年月日 2026年 11月 26日 車両番号 品川 - 580 - な - 8888');
  });

  it('却下 and 無効: the applicant reads the reason', async () => {
    const rejected = await decideOk('ci-correction-far', 'reject', { reasonTitle: '補正内容の不備', reasonDetail: '' }, '検査申請却下');
    expect(rejected.applicant.text).toContain('通知等情報 却下 行政機関等名 軽自動車検査協会事務所等 期限日 理由 補正内容の不備');
    const invalid = await decideOk('ci-fees-due', 'invalidate', { reasonTitle: '二重申請', reasonDetail: '' }, '検査申請無効');
    expect(invalid.applicant.text).toContain('理由 二重申請');
    const after = await b.get(`/staff/applications/${demo('ci-fees-due').number}`);
    expect(textOf(after.body)).toContain('現在の申請状況（検査申請無効）では、事務所等が行う操作はありません。この申請は完了または終了しており、これ以上進められません。');
  });

  it('返付準備完了 and 窓口での受け取り (記録等事務代行者, no 2D code)', async () => {
    const ready = await decideOk('ci-preparing-return', 'mark-ready', {}, '返付準備完了');
    expect(ready.applicant.html).toContain('<button type="submit" class="button button--primary">受取者認証兼受取車両個別申告用二次元コードの発行</button>');
    // Issue 14: on this page the hand-over is without the 2D code, so a reason is required, and it is in the history.
    const page = await b.get(`/staff/applications/${demo('ci-ready-agent').number}`);
    expect(page.body).toContain('<a href="/staff/counter" class="button button--secondary">二次元コードを確認して記録する（窓口での受け取り確認へ）</a>');
    const noReason = await decide('ci-ready-agent', 'hand-over', {});
    expect(noReason.statusCode).toBe(400);
    expect(textOf(noReason.body)).toContain('「窓口での受け取り」を記録できませんでした 二次元コードの提示なしで渡す理由を入力してください。');
    const handed = await decideOk('ci-ready-agent', 'hand-over', { noCodeReason: '記録等事務代行者（指定整備事業者 品川B）が受け取り' }, '返付済');
    expect(handed.applicant.text).toContain('交付物は受け取り済みです。');
    expect(textOf(handed.done.body)).toContain('窓口での受け取り 返付準備完了 → 返付済 検査 一郎（デモ） （軽自動車検査協会事務所等） 二次元コードの提示なし 二次元コード：未発行 受け取りの確認');
    expect(textOf(handed.done.body)).toContain('受け取りの確認：二次元コードの提示なし 提示なしの理由：記録等事務代行者(指定整備事業者 品川B)が受け取り');
  });

  it('却下, 無効, 未受付 and 受け取り are confirmed first: the application, the decision, its consequence; 戻る records nothing (issue 14)', async () => {
    const { number } = demo('ci-manual-example');
    const res = await decide('ci-manual-example', 'reject', { reasonTitle: '補正内容の不備', reasonDetail: '補正後も記載に誤りがあります。' });
    expect(res.statusCode).toBe(200);
    expect(titleOf(res.body)).toBe(`「却下」の確認 ${formatReceiptNumber(number)}｜軽自動車OSS 事務所等用画面`);
    const text = textOf(res.body);
    expect(text).toContain('まだ記録していません。「却下する」を押すと記録されます。 却下すると元に戻せません。申請者の画面は「検査申請却下」になり、理由が表示されます。申請者が手続を続けるには、改めて申請を行う必要があります（この申請は再開できません）。');
    expect(text).toContain(`対象の申請 受付番号（到達番号） ${formatReceiptNumber(number)} 手続 継続検査 現在の申請状況 検査申請補正待ち`);
    expect(text).toContain('記録する内容 操作 却下 理由 補正内容の不備 理由の詳細 補正後も記載に誤りがあります。');
    expect(res.body).toContain('<input type="hidden" name="confirmed" value="yes"/>');
    expect(res.body).toContain(`<a href="/staff/applications/${number}#decision-reject">記録せずに申請の詳細へ戻る</a>`);
    expect((await stateOf(number)).status).toBe('inspectionCorrectionRequested');
    // The other irreversible decisions, and the hand-over on this page, confirm first too.
    for (const [key, decision, form, words] of [
      ['ci-weight-tax-bulk', 'invalidate', { reasonTitle: '二重申請' }, '無効にすると元に戻せません。'],
      ['ci-ready', 'hand-over', { noCodeReason: '運転免許証で本人確認' }, '受け取りを記録すると元に戻せません。申請状況は「返付済」になり'],
    ] as const) {
      const page = await decide(key, decision, form);
      expect(page.statusCode, key).toBe(200);
      expect(textOf(page.body), key).toContain(words);
    }
    const valid = validateFiling({ ...demoScenarios.find((d) => d.key === 'ci-awaiting-acceptance')!.filing, chassisNumber: 'JF3-4440001' });
    if (!valid.ok) throw new Error('filing');
    const arrived = await t.services.registerApplication(valid.value, 'Kei-oss2026', { kind: 'applicant' });
    if (!arrived.ok) throw new Error('register');
    const shown = await b.get(`/staff/applications/${arrived.value.arrivalNumber}`);
    const refuse = await b.post(`/staff/applications/${arrived.value.arrivalNumber}/refuse-acceptance`, { version: versionOn(shown.body, 'refuse-acceptance'), reasonTitle: '不備' });
    expect(refuse.statusCode).toBe(200);
    expect(textOf(refuse.body)).toContain('未受付にすると元に戻せません。');
  });

  it('a stale form (the application moved since the page was shown) gets a clear message and changes nothing', async () => {
    const { number } = demo('ci-weight-tax-due');
    const page = await b.get(`/staff/applications/${number}`);
    const version = versionOn(page.body, 'invalidate');
    // Meanwhile, Pay-easy reports the payment.
    const id = (await t.services.findApplicationId(number as never))!;
    const paid = await t.services.actOnApplication(id, { type: 'recordPayment', stage: 'weightTax', paidOn: '2026-11-26' as never }, { kind: 'paymentNetwork', id: 'p', label: 'Pay-easy' });
    expect(paid.ok).toBe(true);
    const res = await b.post(`/staff/applications/${number}/invalidate`, { version, reasonTitle: '二重申請', reasonDetail: '' });
    expect(res.statusCode).toBe(409);
    expect(titleOf(res.body)).toMatch(/^エラー：/);
    expect(textOf(res.body)).toContain(`「無効」を記録できませんでした ${CONFLICT_MESSAGE}`);
    expect(textOf(res.body)).toContain(current('検査申請審査中'));
    expect((await stateOf(number)).status).toBe('inspectionUnderExamination');
    // A version that is not a number at all is refused as stale too.
    expect((await b.post(`/staff/applications/${number}/reject`, { version: 'abc', reasonTitle: 'x' })).statusCode).toBe(400);
  });

  it('a replayed decision form (double click, 再送信, a retry after a crash) answers as the first time and acts once (issue 12)', async () => {
    const { number } = demo('nv-preparing');
    const page = await b.get(`/staff/applications/${number}`);
    const form = { version: versionOn(page.body, 'mark-ready'), formToken: formTokenOn(page.body, 'mark-ready') };
    const historyBefore = (await t.services.statusInquiry.history((await t.services.findApplicationId(number as never))!)).length;
    const first = await b.post(`/staff/applications/${number}/mark-ready`, form);
    expect(first.statusCode).toBe(303);
    for (let i = 0; i < 2; i++) {
      const again = await b.post(`/staff/applications/${number}/mark-ready`, form, { csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]! });
      expect(again.statusCode).toBe(303);
      expect(again.headers.location).toBe(first.headers.location);
    }
    const history = await t.services.statusInquiry.history((await t.services.findApplicationId(number as never))!);
    expect(history.length).toBe(historyBefore + 1);
    expect(history.at(-1)!.event).toBe('markReady');
    // The same token with another body is not the same form: refused, nothing done.
    const altered = await b.post(`/staff/applications/${number}/mark-ready`, { ...form, version: String(Number(form.version) + 1) }, { csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1]! });
    expect(altered.statusCode).toBe(409);
    expect(textOf(altered.body)).toContain('画面の情報が古いか正しくありません。申請の詳細をもう一度表示してから操作してください。');
  });

  it('a decision the status does not allow: 409 with the rule\'s message', async () => {
    const { number } = demo('nv-fees-due');
    const page = await b.get(`/staff/applications/${number}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    const res = await b.post(`/staff/applications/${number}/mark-ready`, { version });
    expect(res.statusCode).toBe(409);
    expect(textOf(res.body)).toContain('現在の申請状況「検査手数料等納付待ち」では「交付物の準備完了」はできません。');
  });

  it("another office's application is not found (404), the same as a number that does not exist, and cannot be moved", async () => {
    const nerima = demo('ci-invalidated-office').number;
    const other = await b.get(`/staff/applications/${nerima}`);
    const unknown = await b.get('/staff/applications/12345678901234567');
    expect(other.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(textOf(other.body).replace(/_csrf" value="[^"]*"/, '')).toBe(textOf(unknown.body).replace(/_csrf" value="[^"]*"/, ''));
    expect(textOf(other.body)).toContain('指定された受付番号（到達番号）の申請は、この事務所等の申請の中に見つかりません。');
    expect(textOf(other.body)).not.toContain('長原');
    const before = await stateOf(nerima);
    const post = await b.post(`/staff/applications/${nerima}/reject`, { version: String(before.version), reasonTitle: 'x' });
    expect(post.statusCode).toBe(404);
    expect(await stateOf(nerima)).toEqual(before);
  });

  it('a decision form without its CSRF token is refused (403)', async () => {
    const { number } = demo('nv-weight-tax-due');
    const res = await b.post(`/staff/applications/${number}/invalidate`, { version: '5', reasonTitle: 'x' }, { csrf: null });
    expect(res.statusCode).toBe(403);
    expect(textOf(res.body)).toContain('画面の有効期限が切れました');
  });

  it('an unknown decision or a huge field: 4xx, never 500', async () => {
    const { number } = demo('nv-weight-tax-due');
    await b.get(`/staff/applications/${number}`);
    expect((await b.post(`/staff/applications/${number}/approve-everything`, { version: '1' })).statusCode).toBe(404);
    const huge = await b.post(`/staff/applications/${number}/invalidate`, { version: '1', reasonTitle: 'あ'.repeat(3000) });
    expect(huge.statusCode).toBe(400);
    expect(textOf(huge.body)).toContain('入力内容が長すぎるか、形式が正しくありません。');
  });
});
