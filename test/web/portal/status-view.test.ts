import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios, loginNumber } from '../../../src/demo/scenarios.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';
import { agencyTokens, json } from '../api/support.js';
import { staffBrowser } from '../staff/support.js';

/**
 * The status page renders the domain's status view: the defects of issue 13 (and the two of
 * issue 14 on this page), each seen through HTTP on the demo applications.
 */
describe('申請状況確認: the page shows what the status view decides', () => {
  let t: TestApp;
  const pages = new Map<string, string>();
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    for (const s of demoScenarios) pages.set(s.key, (await new TestBrowser(t.app).login(loginNumber(s), s.password)).body);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });
  const page = (key: string) => pages.get(key) as string;

  it('通知等情報 says 補正（補正済） only where a correction was filed: not after 期限切れ却下 or a withdrawal', () => {
    // 1100 0000 0000 00018: rejected because the 補正期限 passed.
    const expired = textOf(page('ci-rejected-expired'));
    expect(expired).toContain('通知等情報 補正 行政機関等名 軽自動車検査協会事務所等');
    expect(expired).toContain('通知等情報 却下 行政機関等名 軽自動車検査協会事務所等');
    expect(expired).not.toContain('補正済');
    // 2200 0000 0000 00017: withdrawn while a correction was requested; 00020: 期限切れ却下.
    for (const key of ['nv-withdrawn', 'nv-rejected']) {
      const text = textOf(page(key));
      expect(text).toContain('通知等情報 補正 行政機関等名 軽自動車検査協会事務所等');
      expect(text).not.toContain('補正済');
    }
  });

  it('a withdrawn application (1100 0000 0000 00016) owes nothing: 納付状況 「-」, no 納付番号, no 納付期限, no 納付 button', () => {
    const html = page('ci-withdrawn');
    const text = textOf(html);
    expect(html).not.toContain('data-payment-status="unpaid"');
    expect(text).not.toContain('未納');
    expect(text).not.toContain('（未取得）');
    expect(text).toContain('00100 - - まとめ納付 検査手数料 一般料金 ¥ 1,100');
    expect(text).toContain('ｹｲｼﾞﾄﾞｳｼﾔｹﾝｻｷﾖｳｶｲ - - 技術情報管理手数料');
    expect(html.match(/data-payment-status="notRequired"/g)?.length).toBe(2);
    expect(html).not.toContain('/inquiry/payments/');
    expect(text).not.toMatch(/納付期限 \d{4}年/);
  });

  it('stopped applications show no unpaid line anywhere (取り下げ, 無効, 却下, 未受付)', () => {
    for (const s of demoScenarios.filter((x) => ['withdrawn', 'invalidated', 'rejected', 'notAccepted'].includes(x.expectedStatus))) {
      expect(page(s.key), s.key).not.toContain('data-payment-status="unpaid"');
    }
  });

  it('検査手数料等納付待ち shows a 通知メッセージ telling what to pay, linking to 納付情報', () => {
    const text = textOf(page('ci-fees-due'));
    expect(text).toContain('検査手数料・技術情報管理手数料の納付を行ってください。画面下部の納付情報を確認してください。 ↓ 詳細へ');
    expect(page('ci-fees-due')).toContain('href="#payments"');
    expect(textOf(page('ci-weight-tax-due'))).toContain('自動車重量税の納付を行ってください。画面下部の納付情報を確認してください。 ↓ 詳細へ');
    expect(textOf(page('nv-vehicle-tax-due'))).toContain('軽自動車税環境性能割の納付を行ってください。画面下部の納付情報を確認してください。 ↓ 詳細へ');
  });

  it('返付準備完了 and 交付準備完了 tell the applicant to issue the 2D code and collect, linking to part 8', () => {
    for (const [key, verb] of [
      ['ci-ready', '返付'],
      ['nv-ready', '交付'],
    ] as const) {
      const html = page(key);
      expect(textOf(html)).toContain(
        `自動車検査証の${verb}が可能な状態です。「受取者認証兼受取車両個別申告用二次元コードの発行」ボタンから二次元コードを発行・印刷し、交付物の受け取り時に、申請先の軽自動車検査協会の事務所等に提出してください。 ↓ 詳細へ`,
      );
      expect(html).toContain('href="#delivery"');
    }
    // With a 記録等事務代行者 the code is not needed: nothing to do, no 「!」 and no message.
    expect(textOf(page('ci-ready-agent'))).not.toContain('↓ 詳細へ');
  });

  it('every step marked 「!」 comes with a 通知メッセージ', () => {
    for (const s of demoScenarios) {
      const html = page(s.key);
      if (html.includes('data-mark="action"')) expect(html, s.key).toContain('class="notification-message"');
    }
  });

  it('part 8 (交付物の受け取りに関する情報) is not shown on 未受付, 取り下げ, 無効 and 却下 applications', () => {
    for (const s of demoScenarios) {
      const stopped = ['withdrawn', 'invalidated', 'rejected', 'notAccepted'].includes(s.expectedStatus);
      expect(textOf(page(s.key)).includes('交付物の受け取りに関する情報'), s.key).toBe(!stopped);
    }
  });

  it('the 通知メッセージ uses the manual words of each procedure', () => {
    expect(textOf(page('ci-manual-example'))).toContain('通知等があります。画面下部の通知等情報を確認してください。 ↓ 詳細へ');
    const nv = textOf(page('nv-manual-example'));
    expect(nv).toContain('お知らせがあります。画面下部のお知らせ情報を確認してください。 ↓ 詳細へ');
    expect(nv).not.toContain('通知等があります');
  });

  it('期限をカレンダーに登録する appears once on a page with a deadline reminder', () => {
    for (const key of ['ci-manual-example', 'ci-bulk-before-number', 'nv-tax-correction']) {
      expect(page(key).match(/\/inquiry\/deadlines\.ics/g)?.length, key).toBe(1);
    }
  });

  it('the payment page of the withdrawn application shows the same: 「-」, no number, and why it cannot be paid', async () => {
    const s = demoScenarios.find((x) => x.key === 'ci-withdrawn')!;
    const b = new TestBrowser(t.app);
    await b.login(loginNumber(s), s.password);
    const res = await b.get('/inquiry/payments/inspectionFees');
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toContain('収納機関番号 00100 納付番号 - 確認番号 - 納付区分 まとめ納付 納付期限 - 納付状況 -');
    expect(text).toContain('この申請は「検査申請取り下げ」のため、納付できません。');
    expect(text).not.toContain('Pay-easy（ペイジー）での納付方法');
  });

  it('the staff UI shows the applicant the same view: no 補正済 after 期限切れ却下, no 未納 after a withdrawal, no part 8', async () => {
    const staff = await staffBrowser(t);
    const expired = textOf((await staff.get('/staff/applications/11000000000000018')).body);
    expect(expired).toContain('通知等情報 補正 行政機関等名 軽自動車検査協会事務所等');
    expect(expired).not.toContain('補正済');
    expect(expired).not.toContain('交付物の受け取りに関する情報');
    const withdrawn = (await staff.get('/staff/applications/11000000000000016')).body;
    expect(withdrawn).not.toContain('data-payment-status="unpaid"');
    expect(withdrawn.match(/data-payment-status="notRequired"/g)?.length).toBe(2);
  });

  it('the agency API reads the same view: a withdrawn application\'s lines are notRequired, and no event is available', async () => {
    const a = await agencyTokens(t);
    const out = json(await a.tokyo.get('/api/v1/applications/11000000000000016'));
    expect(out.application.paymentLines.map((l: { status: string }) => l.status)).toEqual(['notRequired', 'notRequired', 'notRequired']);
    expect(out.application.availableEvents).toEqual([]);
    const expired = json(await a.tokyo.get('/api/v1/applications/11000000000000018'));
    expect(expired.application.notices.map((n: { kindLabel: string; outcome: string }) => [n.kindLabel, n.outcome])).toEqual([
      ['補正', 'closed'],
      ['却下', 'final'],
    ]);
    const due = json(await a.payment.get('/api/v1/applications/11000000000000005'));
    expect([due.application.status, due.application.availableEvents]).toEqual(['inspectionFeesDue', ['recordPayment']]);
    // まとめ払い中 before the number is taken there is nothing the payment network can record yet.
    const bulk = json(await a.payment.get('/api/v1/applications/11000000000000006'));
    expect([bulk.application.status, bulk.application.availableEvents]).toEqual(['inspectionFeesBulkPayment', []]);
  });
});
