import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { auditPage } from './support/audit.js';
import { useE2e } from './support/fixture.js';
import { decodeQr } from './support/qr.js';
import { NUMBER_LABEL, PASSWORD_LABEL, expectTitle, logInAs, scenario, spacedNumber } from './support/portal.js';

const CODE = '受取者認証兼受取車両個別申告用二次元コード';

function part(page: Page, heading: string): Locator {
  return page.locator('section').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });
}

function banner(page: Page, title: string): Locator {
  return page.getByRole('status').filter({ hasText: title });
}

describe("the applicant's actions from 申請状況確認, in Chromium", () => {
  const e2e = useE2e(import.meta.url);

  it('申請を補正する (【申請共通】補正申請の操作手順): the form, its errors, the confirmation, back to edit, then 補正申請する → 検査申請審査中 with the change in 申請状況の履歴', async () => {
    const page = await e2e.newPage();
    await logInAs(page, scenario('ci-manual-example'));
    await part(page, '補正指示が出ています').getByRole('button', { name: '申請を補正する' }).click();
    await expectTitle(page, '補正申請');
    expect(await auditPage(page)).toEqual([]);
    // the reason of the 補正 notice is on the form
    await expect(part(page, '補正の内容（通知等情報）').getByText('申請書・添付書類の不備エラー').count()).resolves.toBe(1);

    // nothing changed: refused with a message at the top
    await page.getByRole('button', { name: '入力内容を確認する' }).click();
    await expectTitle(page, 'エラー：補正申請');
    await expect(page.getByRole('alert').getByText('変更がありません。', { exact: false }).count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);

    // a malformed 車台番号: the summary links to the field, which says what is wrong
    const chassis = page.getByRole('textbox', { name: '車台番号' });
    await chassis.fill('あいうえお');
    await page.getByRole('button', { name: '入力内容を確認する' }).click();
    await expectTitle(page, 'エラー：補正申請');
    expect(await auditPage(page)).toEqual([]);
    const link = page.getByRole('alert').getByRole('link');
    await expect(link.count()).resolves.toBe(1);
    await link.click();
    expect(await chassis.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await chassis.getAttribute('aria-invalid')).toBe('true');

    await chassis.fill('AX01-0000009');
    await page.getByRole('textbox', { name: /^使用者名(必須)?$/ }).fill('軽自 花子');
    await page.getByRole('button', { name: '入力内容を確認する' }).click();
    await expectTitle(page, '補正申請 入力内容の確認');
    expect(await auditPage(page)).toEqual([]);
    const changes = page.getByRole('table', { name: /補正する項目/ });
    await expect(changes.getByRole('row', { name: /使用者名 軽自 太郎 軽自 花子/ }).count()).resolves.toBe(1);
    await expect(changes.getByRole('row', { name: /車台番号 AX01-0000001 AX01-0000009/ }).count()).resolves.toBe(1);

    // 入力内容を修正する keeps what was typed
    await page.getByRole('button', { name: '入力内容を修正する' }).click();
    await expectTitle(page, '補正申請');
    expect(await chassis.inputValue()).toBe('AX01-0000009');
    await page.getByRole('button', { name: '入力内容を確認する' }).click();
    await page.getByRole('button', { name: '補正申請する' }).click();

    await expectTitle(page, '申請状況確認 継続検査');
    await expect(banner(page, '補正申請を行いました。').count()).resolves.toBe(1);
    expect(await page.locator('.current-status__label').textContent()).toBe('検査申請審査中');
    await expect(part(page, '補正指示が出ています').count()).resolves.toBe(0);
    const history = part(page, '申請状況の履歴');
    await expect(history.getByText('軽自 太郎 → 軽自 花子', { exact: false }).count()).resolves.toBeGreaterThan(0);
    expect(await auditPage(page)).toEqual([]);
  });

  it('納付 from the 納付情報 table (【画面申請】税・手数料納付の操作手順): the Pay-easy numbers, まとめ納付を選択する, the target left unchecked, then 納付番号を取得', async () => {
    const page = await e2e.newPage();
    await logInAs(page, scenario('ci-fees-due'));
    const payments = page.getByRole('table', { name: '税・手数料の納付情報' });
    await expect(payments.getByRole('cell', { name: '未納' }).count()).resolves.toBeGreaterThan(0);
    await payments.getByRole('button', { name: '納付' }).click();
    await expectTitle(page, '納付情報 検査手数料・技術情報管理手数料');
    expect(await auditPage(page)).toEqual([]);
    const numbers = page.getByRole('table', { name: '納付に使う番号と納付期限' });
    await expect(numbers.getByRole('row', { name: /収納機関番号 00100/ }).count()).resolves.toBe(1);
    await expect(numbers.getByRole('row', { name: /^納付番号 \d{4} \d{4} \d{4} \d{4} \d{4}$/ }).count()).resolves.toBe(1);
    await expect(part(page, 'Pay-easy（ペイジー）での納付方法').count()).resolves.toBe(1);

    await part(page, 'まとめ納付').getByRole('button', { name: 'まとめ納付を選択する' }).click();
    await expectTitle(page, '納付情報 検査手数料・技術情報管理手数料');
    await expect(banner(page, 'まとめ納付を選択しました。').count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);

    const take = part(page, '納付対象を選択して納付番号を取得');
    await take.getByRole('checkbox').uncheck();
    await take.getByRole('button', { name: '納付対象を選択して納付番号を取得' }).click();
    await expectTitle(page, 'エラー：納付情報 検査手数料・技術情報管理手数料');
    await expect(page.getByRole('alert').getByRole('link', { name: '納付対象を選択してください。' }).count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);

    await take.getByRole('checkbox').check();
    await take.getByRole('button', { name: '納付対象を選択して納付番号を取得' }).click();
    await expect(banner(page, '納付番号を取得しました。').count()).resolves.toBe(1);
    await expect(numbers.getByRole('row', { name: /^納付番号 \d{4} \d{4} \d{4} \d{4} \d{4}$/ }).count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);

    // back on the status page: まとめ払い中, and with the number taken the withdrawal is gone (manual 7)
    await page.getByRole('link', { name: '申請状況確認へ戻る' }).click();
    expect(await page.locator('.current-status__label').textContent()).toBe('検査手数料等まとめ払い中');
    await expect(page.getByRole('heading', { name: '申請の取り下げが可能です' }).count()).resolves.toBe(0);
  });

  it('納付を行う from the 画面申請 menu: the same two-step login, then straight to the payment due', async () => {
    const page = await e2e.newPage();
    const s = scenario('nv-vehicle-tax-due');
    await page.goto('/online');
    await page.getByRole('link', { name: '納付を行う' }).click();
    await expectTitle(page, '状況照会 ログイン');
    await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(spacedNumber(s));
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByLabel(PASSWORD_LABEL, { exact: true }).fill(s.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await expectTitle(page, '納付情報 軽自動車税環境性能割');
    expect(await auditPage(page)).toEqual([]);
  });

  it(`${CODE}の発行 (【画面申請】二次元コード発行の操作手順): issued from the status page, it decodes to the application's current code, downloads as PNG, prints on one A4 page, and a reissue replaces it`, async () => {
    const page = await e2e.newPage({ extra: { acceptDownloads: true } });
    const s = scenario('ci-ready');
    await logInAs(page, s);
    await part(page, '交付物の受け取りに関する情報').getByRole('button', { name: `${CODE}の発行` }).click();
    await expectTitle(page, `${CODE}の発行`);
    expect(await auditPage(page)).toEqual([]);
    await page.getByRole('button', { name: '二次元コードを発行する' }).click();
    await expectTitle(page, CODE);
    await expect(banner(page, '二次元コードを発行しました。').count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);

    // the code on the screen is the one the counter will accept
    const figure = page.getByRole('img', { name: `${CODE}（受付番号 ${spacedNumber(s)}）` });
    const shown = decodeQr(await figure.screenshot());
    const verified = await e2e.server.runtime.services.collectionCodes.verify(shown);
    expect(verified.ok).toBe(true);

    // the PNG download holds the same code
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '二次元コードの画像をダウンロードする（PNG）' }).click()]);
    expect(decodeQr(readFileSync((await download.path())))).toBe(shown);

    // print: one A4 page with the code, without buttons, navigation or the reissue part
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button').evaluateAll((els) => els.filter((el) => el.getClientRects().length > 0).length)).toBe(0);
    await expect(page.getByRole('navigation', { name: 'サイト共通メニュー' }).isVisible()).resolves.toBe(false);
    await expect(page.getByRole('heading', { name: '二次元コードの再発行' }).isVisible()).resolves.toBe(false);
    await expect(figure.isVisible()).resolves.toBe(true);
    // printed 70 mm wide (96 px per inch): large enough to scan
    expect((await figure.boundingBox())!.width).toBeGreaterThan(250);
    const pdf = (await page.pdf({ format: 'A4', preferCSSPageSize: true })).toString('latin1');
    const pages = [...pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Math.round(Number(m[1])), Math.round(Number(m[2]))]);
    expect(pages).toEqual([[595, 842]]);
    await page.emulateMedia({ media: 'screen' });

    // 再発行: a new code; the old one stops working
    await part(page, '二次元コードの再発行').getByRole('button', { name: '二次元コードを再発行する' }).click();
    await expect(banner(page, '二次元コードを再発行しました。').count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);
    const reissued = decodeQr(await figure.screenshot());
    expect(reissued).not.toBe(shown);
    expect((await e2e.server.runtime.services.collectionCodes.verify(reissued)).ok).toBe(true);
    expect((await e2e.server.runtime.services.collectionCodes.verify(shown)).ok).toBe(false);
  });

  it('an action the status does not allow (a bookmark, an old tab): a page that says why, in every case, passes axe', async () => {
    const page = await e2e.newPage();
    await logInAs(page, scenario('ci-returned'));
    const refused: Record<string, number> = {};
    const problems: Record<string, string[]> = {};
    for (const path of ['/inquiry/withdraw', '/inquiry/correction', '/inquiry/collection-code', '/inquiry/payments/vehicleTax', '/inquiry/payments/inspectionFees']) {
      const response = await page.goto(path);
      refused[path] = response?.status() ?? 0;
      const found = await auditPage(page);
      if (found.length > 0) problems[path] = found;
    }
    expect(problems).toEqual({});
    // refused with 409 (status) or 404 (no such payment); the paid stage is shown with why it cannot be paid
    expect(refused).toEqual({ '/inquiry/withdraw': 409, '/inquiry/correction': 409, '/inquiry/collection-code': 409, '/inquiry/payments/vehicleTax': 404, '/inquiry/payments/inspectionFees': 200 });
    await expect(page.getByText('この税・手数料は納付済です', { exact: false }).count()).resolves.toBe(1);
  });
});
