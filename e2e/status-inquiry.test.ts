import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useE2e } from './support/fixture.js';
import { MANUAL_EXAMPLES, NUMBER_LABEL, PASSWORD_LABEL, expectTitle, finish, logInAs, openLoginFromTop, scenario } from './support/portal.js';

const CODE_BUTTON = '受取者認証兼受取車両個別申告用二次元コードの発行';

/** The rows of a two-column table (th | td) as [label, value] pairs, in the order shown. */
async function rowsOf(table: Locator): Promise<[string, string][]> {
  return table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [(tr.querySelector('th') as HTMLElement | null)?.innerText.trim() ?? '', ((tr.querySelector('td') as HTMLElement | null)?.innerText ?? '').replace(/\s+/g, ' ').trim()] as [string, string]),
  );
}

function part(page: Page, heading: string): Locator {
  return page.locator('section').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });
}

/** The text a screen reader gets for the progress steps, read from Chromium's own accessibility tree. */
async function spokenProgress(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
  await cdp.detach();
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const nav = nodes.find((n) => n.role?.value === 'navigation' && n.name?.value === '手続進捗状況');
  if (!nav) throw new Error('no navigation landmark named 手続進捗状況 in the accessibility tree');
  const texts: string[] = [];
  const walk = (n: AxNode) => {
    if (n.ignored) return;
    if (n.role?.value === 'StaticText' && n.name?.value) texts.push(n.name.value);
    for (const id of n.childIds ?? []) {
      const child = byId.get(id);
      if (child) walk(child);
    }
  };
  walk(nav);
  return texts.join('');
}
interface AxNode {
  nodeId: string;
  ignored?: boolean;
  role?: { value: string };
  name?: { value: string };
  childIds?: string[];
}

describe('状況照会: the manual step by step in Chromium', () => {
  const e2e = useE2e(import.meta.url);

  it('継続検査 (manual 1–3): top page → 画面申請 → 状況の照会 → 受付番号 → 次へ → 申請用パスワード (パスワード表示) → ログイン → the eleven parts → 終了', async () => {
    const page = await e2e.newPage();
    const ex = MANUAL_EXAMPLES.continuousInspection;

    // 1 ①–③
    await openLoginFromTop(page);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('ログイン');
    await expect(page.getByText('「次へ」ボタンを押すと、「利用規約」に同意したとみなされます。').isVisible()).resolves.toBe(true);

    // 2 ④: 受付番号（到達番号） → 次へ
    await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(ex.number);
    await page.getByRole('button', { name: '次へ' }).click();
    await expectTitle(page, '状況照会 ログイン 継続検査');
    // the number carries over to the second step
    expect(await page.getByRole('textbox', { name: NUMBER_LABEL }).inputValue()).toBe(ex.number);

    // 2 ⑤: 申請用パスワード with パスワード表示
    const password = page.getByLabel(PASSWORD_LABEL, { exact: true });
    await password.fill(ex.password);
    expect(await password.getAttribute('type')).toBe('password');
    const reveal = page.getByRole('checkbox', { name: 'パスワード表示' });
    await reveal.check();
    expect(await password.getAttribute('type')).toBe('text');
    expect(await password.inputValue()).toBe(ex.password);
    await reveal.uncheck();
    expect(await password.getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'ログイン' }).click();

    // 3 ⑥: 申請状況確認 継続検査
    await expectTitle(page, '申請状況確認 継続検査');
    // 1 手続進捗状況: 済 / ! / 未, and one sentence for a screen reader
    const progress = page.getByRole('navigation', { name: '手続進捗状況' });
    expect(await progress.locator('.progress__step').allTextContents()).toEqual([
      '済1. 手続準備（完了）',
      '!2. 軽自動車検査協会事務所等への手続（お客様の操作が必要）',
      '未3. 返付（未完了）',
    ]);
    expect(await spokenProgress(page)).toBe('全3ステップ中、1ステップ目まで完了。2ステップ目「軽自動車検査協会事務所等への手続」でお客様の操作が必要です。');
    // 2 通知メッセージ, whose 詳細へ leads down to 10 通知等情報
    await expect(page.getByRole('status').filter({ hasText: '通知等があります。画面下部の通知等情報を確認してください。' }).count()).resolves.toBe(1);
    await page.getByRole('link', { name: '詳細へ' }).click();
    expect(new URL(page.url()).hash).toBe('#notices');
    await expect(page.getByRole('heading', { name: '通知等情報' }).isVisible()).resolves.toBe(true);
    // 3 現在の申請状況
    const current = part(page, '現在の申請状況');
    await expect(current.locator('.current-status__label').textContent()).resolves.toBe('検査申請補正待ち');
    await expect(current.getByText(/^状況更新日時：\d{4}年 \d{2}月 \d{2}日 \d{2}時 \d{2}分 \d{2}秒$/).count()).resolves.toBe(1);
    const summary = await rowsOf(current.getByRole('table', { name: '申請の概要' }));
    expect(summary.map(([label]) => label)).toEqual([
      '申請年月日',
      '受付番号',
      '車両番号',
      '車台番号',
      '申請者名',
      '使用者名',
      '申請先軽自動車検査協会事務所等',
      '記録等事務代行者委託番号',
      '記録等事務代行者氏名又は名称',
      '記録等事務代行利用可否',
    ]);
    expect(Object.fromEntries(summary)).toMatchObject({
      受付番号: '9999 9999 9999 99999',
      車両番号: '品川 - 580 - さ - 1234',
      車台番号: 'AX01-0000001',
      申請者名: '軽自行政書士事務所',
      使用者名: '軽自 太郎',
      申請先軽自動車検査協会事務所等: '東京主管事務所',
      記録等事務代行者委託番号: 'KIROKU0001',
      記録等事務代行利用可否: '利用不可',
    });
    // 4 添付書類取得状況
    expect(await rowsOf(part(page, '添付書類取得状況').getByRole('table'))).toEqual([
      ['自動車損害賠償責任保険（共済）証明書', '未取得'],
      ['保安基準適合証', '未取得'],
    ]);
    // 5 軽自動車検査協会事務所等審査状況
    const examination = part(page, '軽自動車検査協会事務所等審査状況');
    await expect(examination.getByText('審査完了年月日は、軽自動車検査協会事務所等審査が完了したのち設定されます。').count()).resolves.toBe(1);
    expect(await rowsOf(examination.getByRole('table'))).toEqual([['審査完了年月日', '']]);
    // 6 納付情報: the manual's thirteen columns, both stages paid
    const payments = part(page, '納付情報').getByRole('table', { name: '税・手数料の納付情報' });
    expect(await payments.getByRole('columnheader').allTextContents()).toEqual([
      '収納機関番号',
      '納付番号',
      '確認番号',
      '納付区分',
      '税・手数料種別',
      '納付区別',
      '金額',
      '収納機関名(漢字)',
      '収納機関名(カナ)',
      '納付状況',
      '納付完了日',
      '納付期限',
      '納付',
    ]);
    await expect(payments.getByRole('cell', { name: '検査手数料', exact: true }).count()).resolves.toBe(1);
    await expect(payments.getByRole('cell', { name: '¥ 1,100' }).count()).resolves.toBe(1);
    await expect(payments.getByRole('cell', { name: '¥ 400' }).count()).resolves.toBe(1);
    await expect(payments.getByRole('cell', { name: '済', exact: true }).count()).resolves.toBe(2);
    await expect(payments.getByRole('button', { name: '納付' }).count()).resolves.toBe(0);
    // 7 申請の取り下げが可能です: not in 検査申請補正待ち
    await expect(page.getByRole('heading', { name: '申請の取り下げが可能です' }).count()).resolves.toBe(0);
    // 8 交付物の受け取りに関する情報: the 2D code only in 返付準備完了
    const delivery = part(page, '交付物の受け取りに関する情報');
    expect((await rowsOf(delivery.getByRole('table')))[0]).toEqual(['受取方法', '受取者認証兼受取車両個別申告用二次元コード']);
    await expect(delivery.getByRole('button', { name: CODE_BUTTON }).isDisabled()).resolves.toBe(true);
    // 9 期限等に関するお知らせ
    await expect(part(page, '期限等に関するお知らせ').getByText('補正期限が間近です。補正してください。補正期限を過ぎると期限切れ却下となり、申請は無効になります。').count()).resolves.toBe(1);
    // 10 通知等情報
    const notice = await rowsOf(part(page, '通知等情報').getByRole('table'));
    expect(notice.map(([label]) => label)).toEqual(['通知等情報', '行政機関等名', '期限日', '理由']);
    expect(notice[0]).toEqual(['通知等情報', '補正']);
    expect(notice[1]).toEqual(['行政機関等名', '軽自動車検査協会事務所等']);
    expect(notice[3]).toEqual(['理由', '申請書・添付書類の不備エラー 申請書、添付書類のいずれかまたは両方に不備があります。']);
    // 11 補正指示が出ています
    const correction = part(page, '補正指示が出ています');
    await expect(correction.getByText('下の「申請を補正する」ボタンを押して、補正申請を行ってください。').count()).resolves.toBe(1);
    await expect(correction.getByRole('button', { name: '申請を補正する' }).isEnabled()).resolves.toBe(true);
    await expect(correction.getByRole('button', { name: '申請を取り下げる' }).isEnabled()).resolves.toBe(true);

    // 終了: back to the 画面申請 menu, and the status page is closed
    await finish(page);
    await expectTitle(page, '画面申請');
    await expect(page.getByRole('status').filter({ hasText: '申請状況の確認を終了しました。' }).count()).resolves.toBe(1);
    await page.goto('/inquiry/status');
    await expectTitle(page, 'ログインが必要です');
  });

  it('新車〔新規検査・地方税申告〕 (manual 4–5): the same steps, four progress steps and the 新車 parts', async () => {
    const page = await e2e.newPage();
    const ex = MANUAL_EXAMPLES.newVehicle;
    await openLoginFromTop(page);
    await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(ex.number);
    await page.getByRole('button', { name: '次へ' }).click();
    await expectTitle(page, '状況照会 ログイン 新車');
    await expect(page.getByText('申請の進捗状況を確認できます。').count()).resolves.toBe(1);
    await page.getByLabel(PASSWORD_LABEL, { exact: true }).fill(ex.password);
    await page.getByRole('checkbox', { name: 'パスワード表示' }).check();
    expect(await page.getByLabel(PASSWORD_LABEL, { exact: true }).getAttribute('type')).toBe('text');
    await page.getByRole('button', { name: 'ログイン' }).click();

    await expectTitle(page, '申請状況確認 新車');
    expect(await page.getByRole('navigation', { name: '手続進捗状況' }).locator('.progress__step').allTextContents()).toEqual([
      '済1. 手続準備（完了）',
      '!2. 軽自動車検査協会事務所等への手続（お客様の操作が必要）',
      '未3. 軽自動車税申告窓口への手続（未完了）',
      '未4. 交付（未完了）',
    ]);
    expect(await spokenProgress(page)).toBe('全4ステップ中、1ステップ目まで完了。2ステップ目「軽自動車検査協会事務所等への手続」でお客様の操作が必要です。');
    const summary = await rowsOf(part(page, '現在の申請状況').getByRole('table', { name: '申請の概要' }));
    expect(summary.map(([label]) => label)).toEqual([
      '申請年月日',
      '受付番号',
      '車台番号',
      '申請者名',
      '使用者名',
      '使用者名（高水準）',
      '所有者名',
      '所有者名（高水準）',
      '申請先軽自動車検査協会事務所等',
    ]);
    expect(Object.fromEntries(summary)).toMatchObject({ 受付番号: '2112 2310 5000 30459', 車台番号: '1234567890', 申請者名: '六本木商事', 使用者名: '六本木商事', 所有者名: '同上' });
    expect(await rowsOf(part(page, '添付書類取得状況').getByRole('table'))).toEqual([
      ['完成検査終了証兼譲渡証明書', '未取得'],
      ['自動車損害賠償責任保険（共済）証明書', '未取得'],
      ['希望番号予約済証', '不要'],
    ]);
    const examination = part(page, '軽自動車検査協会事務所等審査状況');
    await expect(examination.getByText('審査完了年月日、車両番号は、軽自動車検査協会事務所等審査が完了したのち設定されます。').count()).resolves.toBe(1);
    expect(await rowsOf(examination.getByRole('table'))).toEqual([
      ['一部書類審査', '実施不要（ALL電子）'],
      ['審査完了年月日', ''],
      ['車両番号', ''],
    ]);
    await expect(part(page, '納付情報').getByRole('table', { name: '税・手数料の納付情報' }).isVisible()).resolves.toBe(true);
    await expect(part(page, '交付物の受け取りに関する情報').getByRole('button', { name: CODE_BUTTON }).isDisabled()).resolves.toBe(true);
    await expect(part(page, '期限等に関するお知らせ').count()).resolves.toBe(1);
    await expect(part(page, '通知等情報').count()).resolves.toBe(1);
    await expect(part(page, '補正指示が出ています').getByRole('button', { name: '申請を補正する' }).count()).resolves.toBe(1);
    await finish(page);
    await expectTitle(page, '画面申請');
  });

  it('申請の取り下げが可能です (manual 7) shows in 検査手数料等まとめ払い中 before a payment number is taken, and the 2D-code button is enabled in 返付準備完了', async () => {
    const page = await e2e.newPage();
    await logInAs(page, scenario('ci-bulk-before-number'));
    const box = part(page, '申請の取り下げが可能です');
    await expect(box.getByText('納付を実施しない場合は、「申請を取り下げる」ボタンにて申請を取り下げることができます。申請を取り下げると、当該受付番号の申請は継続することができなくなります。').count()).resolves.toBe(1);
    await expect(box.getByRole('button', { name: '申請を取り下げる' }).isEnabled()).resolves.toBe(true);
    await finish(page);

    await logInAs(page, scenario('ci-ready'));
    await expect(page.locator('.current-status__label').textContent()).resolves.toBe('返付準備完了');
    await expect(part(page, '交付物の受け取りに関する情報').getByRole('button', { name: CODE_BUTTON }).isEnabled()).resolves.toBe(true);
  });

  it('a wrong 申請用パスワード: the error summary at the top, focused, linking to the field; title prefixed エラー：; no session', async () => {
    const page = await e2e.newPage();
    await page.goto('/inquiry/login');
    await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(MANUAL_EXAMPLES.continuousInspection.number);
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByLabel(PASSWORD_LABEL, { exact: true }).fill('wrong-password');
    await page.getByRole('button', { name: 'ログイン' }).click();
    await expectTitle(page, 'エラー：状況照会 ログイン 継続検査');
    const summary = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: '入力内容にエラーがあります' }) });
    const message = '受付番号（到達番号）または申請用パスワードが正しくありません。入力内容をご確認ください。';
    await expect(summary.getByRole('link', { name: message }).count()).resolves.toBe(1);
    // site.js moves focus to the summary, so a screen reader reads the errors first
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary'))).toBe(true);
    // the link takes the applicant to the field, which says what is wrong
    await summary.getByRole('link', { name: message }).click();
    const password = page.getByLabel(PASSWORD_LABEL, { exact: true });
    expect(await password.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await password.evaluate((el) => (el as HTMLInputElement).labels?.length)).toBe(1);
    const description = await password.evaluate((el) => (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
    expect(description).toContain(message);
    // still logged out
    await page.goto('/inquiry/status');
    await expectTitle(page, 'ログインが必要です');
  });

  it('a malformed 受付番号（到達番号）: the first step refuses it with the error summary, keeping what was typed', async () => {
    const page = await e2e.newPage();
    await page.goto('/inquiry/login');
    await page.getByRole('textbox', { name: NUMBER_LABEL }).fill('1234');
    await page.getByRole('button', { name: '次へ' }).click();
    await expectTitle(page, 'エラー：状況照会 ログイン');
    const summary = page.getByRole('alert');
    const link = summary.getByRole('link');
    await expect(link.count()).resolves.toBe(1);
    const message = (await link.textContent()) ?? '';
    expect(message).toMatch(/17桁/);
    await link.click();
    const input = page.getByRole('textbox', { name: NUMBER_LABEL });
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await input.inputValue()).toBe('1234');
  });

  it('works without JavaScript: the whole login, and パスワード表示 stays hidden (it needs the script)', async () => {
    const page = await e2e.newPage({ javaScript: false });
    await openLoginFromTop(page);
    await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(MANUAL_EXAMPLES.newVehicle.number);
    await page.getByRole('button', { name: '次へ' }).click();
    await expectTitle(page, '状況照会 ログイン 新車');
    await expect(page.getByRole('checkbox', { name: 'パスワード表示' }).count()).resolves.toBe(0);
    await page.getByLabel(PASSWORD_LABEL, { exact: true }).fill(MANUAL_EXAMPLES.newVehicle.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await expectTitle(page, '申請状況確認 新車');
    await finish(page);
  });
});
