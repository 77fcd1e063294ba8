import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios, loginNumber } from '../../../src/demo/scenarios.js';
import { statuses } from '../../../src/domain/statuses.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';

/**
 * What the manual says each status page shows (parts 7, 9, 10, 11 and the 2D-code button). Part 8
 * is absent from stopped applications (取り下げ, 無効, 却下, 未受付): they will never be collected.
 */
const expected: Record<string, { withdrawalBox: boolean; correction: boolean; reminder: boolean; notices: boolean; codeButton: 'enabled' | 'disabled' | 'none'; payments: boolean }> = {
  'ci-manual-example': { withdrawalBox: false, correction: true, reminder: true, notices: true, codeButton: 'disabled', payments: true },
  'ci-awaiting-acceptance': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: false },
  'ci-not-accepted': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: false },
  'ci-accepted': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: false },
  'ci-fees-due': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'ci-bulk-before-number': { withdrawalBox: true, correction: false, reminder: true, notices: false, codeButton: 'disabled', payments: true },
  'ci-bulk-number-taken': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'ci-weight-tax-due': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'ci-weight-tax-bulk': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'ci-under-examination': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'ci-correction-far': { withdrawalBox: false, correction: true, reminder: false, notices: true, codeButton: 'disabled', payments: true },
  'ci-preparing-return': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'ci-ready': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'enabled', payments: true },
  'ci-ready-agent': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'none', payments: true },
  'ci-returned': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'none', payments: true },
  'ci-withdrawn': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: true },
  'ci-invalidated-payment': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: true },
  'ci-rejected-expired': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: true },
  'ci-invalidated-office': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: false },
  'ci-rejected-office': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: true },
  'nv-manual-example': { withdrawalBox: false, correction: true, reminder: true, notices: true, codeButton: 'disabled', payments: true },
  'nv-awaiting-acceptance': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: false },
  'nv-not-accepted': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: false },
  'nv-accepted': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: false },
  'nv-fees-due': { withdrawalBox: false, correction: false, reminder: true, notices: false, codeButton: 'disabled', payments: true },
  'nv-bulk': { withdrawalBox: true, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'nv-weight-tax-due': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'nv-weight-tax-bulk': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'nv-under-examination': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'nv-tax-examination': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'nv-tax-correction': { withdrawalBox: false, correction: true, reminder: true, notices: true, codeButton: 'disabled', payments: true },
  'nv-vehicle-tax-due': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'nv-vehicle-tax-bulk': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'nv-preparing': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'disabled', payments: true },
  'nv-ready': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'enabled', payments: true },
  'nv-delivered': { withdrawalBox: false, correction: false, reminder: false, notices: false, codeButton: 'none', payments: true },
  'nv-withdrawn': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: true },
  'nv-invalidated': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: false },
  'nv-invalidated-payment': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: true },
  'nv-rejected': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: true },
  'nv-rejected-office': { withdrawalBox: false, correction: false, reminder: false, notices: true, codeButton: 'none', payments: true },
};

const CODE_BUTTON = '受取者認証兼受取車両個別申告用二次元コードの発行';

describe('申請状況確認: each part appears exactly when the manual says it does', () => {
  let t: TestApp;
  const pages = new Map<string, string>();
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    for (const s of demoScenarios) {
      const page = await new TestBrowser(t.app).login(loginNumber(s), s.password);
      pages.set(s.key, page.body);
    }
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('covers every demo application with an expectation', () => {
    expect(Object.keys(expected).sort()).toEqual(demoScenarios.map((s) => s.key).sort());
  });

  for (const s of demoScenarios) {
    const e = expected[s.key]!;
    it(`${s.key}: ${statuses[s.expectedStatus].label}`, () => {
      const html = pages.get(s.key)!;
      const text = textOf(html);
      expect(text).toContain(`現在の申請状況 ${statuses[s.expectedStatus].label} 状況更新日時：`);
      expect(text).toContain(s.procedure === 'continuousInspection' ? '状況照会 申請状況確認 継続検査' : '状況照会 申請状況確認 新車');
      expect(text).toContain('添付書類取得状況');
      expect(text).toContain('軽自動車検査協会事務所等審査状況');
      expect(text).toContain('納付情報');
      const stopped = ['withdrawn', 'invalidated', 'rejected', 'notAccepted'].includes(s.expectedStatus);
      expect(text.includes('交付物の受け取りに関する情報')).toBe(!stopped);
      expect(html.includes('id="withdrawal-heading"')).toBe(e.withdrawalBox);
      expect(html.includes('id="correction-heading"')).toBe(e.correction);
      expect(text.includes('期限等に関するお知らせ')).toBe(e.reminder);
      expect(html.includes('id="notices"')).toBe(e.notices);
      expect(html.includes('class="data-table payment-table"')).toBe(e.payments);
      const enabledButton = html.includes(`<button type="submit" class="button button--primary">${CODE_BUTTON}</button>`);
      const disabledButton = html.includes(`<button type="button" class="button button--primary" disabled="">${CODE_BUTTON}</button>`) || html.includes(`<button type="button" class="button button--primary" disabled>${CODE_BUTTON}</button>`);
      expect({ enabled: enabledButton, disabled: disabledButton }).toEqual({ enabled: e.codeButton === 'enabled', disabled: e.codeButton === 'disabled' });
      expect(text).toContain('終了');
    });
  }

  it('the manual example of section 3 (継続検査, 検査申請補正待ち) reads as the manual shows it', () => {
    const text = textOf(pages.get('ci-manual-example')!);
    expect(text).toContain('全3ステップ中、1ステップ目まで完了。2ステップ目「軽自動車検査協会事務所等への手続」でお客様の操作が必要です。');
    expect(text).toContain('済 1. 手続準備');
    expect(text).toContain('! 2. 軽自動車検査協会事務所等への手続');
    expect(text).toContain('未 3. 返付');
    expect(text).toContain('通知等があります。画面下部の通知等情報を確認してください。 ↓ 詳細へ');
    expect(text).toContain('受付番号 9999 9999 9999 99999 車両番号 品川 - 580 - さ - 1234 車台番号 AX01-0000001 申請者名 軽自行政書士事務所 使用者名 軽自 太郎 申請先軽自動車検査協会事務所等 東京主管事務所 記録等事務代行者委託番号 KIROKU0001 記録等事務代行者氏名又は名称 指定整備事業者 品川A 記録等事務代行利用可否 利用不可');
    expect(text).toContain('自動車損害賠償責任保険（共済）証明書 未取得 保安基準適合証 未取得');
    expect(text).toContain('審査完了年月日は、軽自動車検査協会事務所等審査が完了したのち設定されます。');
    expect(text).toContain('検査手数料 一般料金 ¥ 1,100 軽自動車検査協会');
    expect(text).toContain('技術情報管理手数料 一般料金 ¥ 400 自動車技術総合機構');
    expect(text).toContain('補正期限が間近です。補正してください。補正期限を過ぎると期限切れ却下となり、申請は無効になります。');
    expect(text).toContain('通知等情報 補正 行政機関等名 軽自動車検査協会事務所等 期限日 2026年 11月 28日 理由 申請書・添付書類の不備エラー 申請書、添付書類のいずれかまたは両方に不備があります。');
    expect(text).toContain('下の「申請を補正する」ボタンを押して、補正申請を行ってください。');
    expect(text).toContain('補正申請を実施しない場合は「申請を取り下げる」ボタンにて申請を取り下げることができます。申請を取り下げると、当該受付番号の申請は継続することができなくなります。');
    expect(text).toContain('状況更新日時：2026年 11月 25日 15時 35分 15秒');
  });

  it('the manual example of section 5 (新車, 検査申請補正待ち) shows its summary, attachments and examination as the manual does', () => {
    const text = textOf(pages.get('nv-manual-example')!);
    expect(text).toContain('済 1. 手続準備');
    expect(text).toContain('! 2. 軽自動車検査協会事務所等への手続');
    expect(text).toContain('未 3. 軽自動車税申告窓口への手続');
    expect(text).toContain('未 4. 交付');
    expect(text).toContain('状況更新日時：2026年 11月 25日 16時 09分 36秒');
    expect(text).toContain('受付番号 2112 2310 5000 30459 車台番号 1234567890 申請者名 六本木商事 使用者名 六本木商事 使用者名（高水準） 所有者名 同上 所有者名（高水準） 申請先軽自動車検査協会事務所等 東京主管事務所');
    expect(text).toContain('完成検査終了証兼譲渡証明書 未取得 自動車損害賠償責任保険（共済）証明書 未取得 希望番号予約済証 不要');
    expect(text).toContain('審査完了年月日、車両番号は、軽自動車検査協会事務所等審査が完了したのち設定されます。');
    expect(text).toContain('一部書類審査 実施不要（ALL電子）');
  });

  it('まとめ払い中 before the payment number shows section 7 with the manual words', () => {
    const text = textOf(pages.get('ci-bulk-before-number')!);
    expect(text).toContain('申請の取り下げが可能です 納付を実施しない場合は、「申請を取り下げる」ボタンにて申請を取り下げることができます。申請を取り下げると、当該受付番号の申請は継続することができなくなります。');
    expect(text).toContain('まとめ納付');
    expect(text).toContain('（未取得）');
  });

  it('a tax correction offers 申請を補正する but not 申請を取り下げる', () => {
    const html = pages.get('nv-tax-correction')!;
    expect(html).toContain('申請を補正する');
    expect(html).not.toContain('申請を取り下げる');
    expect(textOf(html)).toContain('行政機関等名 都道府県税事務所');
  });

  it('a new car shows its 車両番号 once the examination is complete', () => {
    expect(textOf(pages.get('nv-tax-examination')!)).toContain('車両番号 品川 - 580 - な - 1010');
    expect(textOf(pages.get('nv-under-examination')!)).toContain('審査完了年月日 車両番号 納付情報');
  });

  it('payments show 未納, 済 and - as the manual explains, with 納付完了日', () => {
    expect(textOf(pages.get('ci-fees-due')!)).toMatch(/検査手数料 一般料金 ¥ 1,100 .* 未納/);
    expect(textOf(pages.get('nv-preparing')!)).toContain('軽自動車税環境性能割 一般料金 ¥ 0 東京都 ﾄｳｷﾖｳﾄ -');
    expect(textOf(pages.get('nv-vehicle-tax-due')!)).toContain('軽自動車税環境性能割 一般料金 ¥ 39,600');
  });

  it('stopped applications keep the steps they had finished', () => {
    expect(textOf(pages.get('ci-withdrawn')!)).toContain('全3ステップ中、完了したステップはありません。');
    expect(textOf(pages.get('nv-withdrawn')!)).toContain('全4ステップ中、1ステップ目まで完了。');
    expect(textOf(pages.get('ci-returned')!)).toContain('全3ステップ中、3ステップ目まで完了。');
  });
});
