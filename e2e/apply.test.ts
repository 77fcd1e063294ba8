import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { auditPage } from './support/audit.js';
import { PHONE, useE2e } from './support/fixture.js';
import { NUMBER_LABEL, PASSWORD_LABEL, expectTitle } from './support/portal.js';

/** A text field by its label (the label may end with the 必須 badge). */
function field(page: Page, label: string) {
  return page.getByRole('textbox', { name: new RegExp(`^${label.replace(/[()（）]/g, '\\$&')}(必須)?$`) });
}

async function next(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: '次へ' }).click();
  await expectTitle(page, title);
}

/** Submits the step empty: the step comes back with the error summary, and passes axe in that state. */
async function expectErrorsWhenEmpty(page: Page, title: string): Promise<string[]> {
  await next(page, `エラー：${title}`);
  expect(await auditPage(page)).toEqual([]);
  return page.getByRole('alert').getByRole('listitem').allTextContents();
}

describe('申請を行う (【画面申請】初回申請の操作手順) in Chromium, then 状況の照会 with the 到達番号', () => {
  const e2e = useE2e(import.meta.url);

  it('新車: every step with its errors, 申請内容の確認 with 変更, 申請する → 到達番号 → 状況照会 shows 受付審査中', async () => {
    const page = await e2e.newPage();
    await page.goto('/online');
    await page.getByRole('link', { name: '申請を行う' }).click();
    await expectTitle(page, '初回申請 手続の選択');
    expect(await auditPage(page)).toEqual([]);
    expect(await expectErrorsWhenEmpty(page, '初回申請 手続の選択')).toHaveLength(1);
    await page.getByRole('radio', { name: '新車〔新規検査・地方税申告〕' }).check();
    await next(page, '初回申請 申請者・使用者・所有者');

    expect(await auditPage(page)).toEqual([]);
    expect((await expectErrorsWhenEmpty(page, '初回申請 申請者・使用者・所有者')).length).toBeGreaterThanOrEqual(4);
    await field(page, '申請者名').fill('霞が関モータース');
    await field(page, '申請者住所').fill('東京都千代田区霞が関1-1-1');
    await field(page, '使用者名').fill('霞 一郎');
    await field(page, '使用者住所').fill('東京都千代田区霞が関1-1-2');
    await next(page, '初回申請 車両');

    expect(await auditPage(page)).toEqual([]);
    expect((await expectErrorsWhenEmpty(page, '初回申請 車両')).length).toBeGreaterThanOrEqual(3);
    await field(page, '車台番号').fill('MH85S-7700077');
    await field(page, '型式').fill('5BA-MH85S');
    await page.getByRole('radio', { name: '標準（初度登録から13年未満）' }).check();
    await field(page, '取得価額（円）').fill('１，６５０，０００');
    await page.getByRole('radio', { name: '1%' }).check();
    await next(page, '初回申請 申請先');

    expect(await auditPage(page)).toEqual([]);
    expect(await expectErrorsWhenEmpty(page, '初回申請 申請先')).toHaveLength(1);
    await page.getByRole('combobox', { name: /申請先軽自動車検査協会事務所等/ }).selectOption({ label: '東京主管事務所（東京都品川区東大井1-12-17）' });
    await next(page, '初回申請 申請用パスワード');

    expect(await auditPage(page)).toEqual([]);
    const password = page.getByLabel(/^申請用パスワード(必須)?$/);
    const confirm = page.getByLabel(/^申請用パスワード（確認）(必須)?$/);
    await password.fill('kasumi2026');
    await confirm.fill('kasumi2025');
    expect((await expectErrorsWhenEmpty(page, '初回申請 申請用パスワード')).length).toBeGreaterThanOrEqual(1);
    await password.fill('kasumi2026');
    await confirm.fill('kasumi2026');
    await next(page, '初回申請 申請内容の確認');

    expect(await auditPage(page)).toEqual([]);
    // the password never comes back to the page
    expect(await page.content()).not.toContain('kasumi2026');
    await expect(page.getByRole('table', { name: '車両' }).getByRole('row', { name: /取得価額/ }).textContent()).resolves.toContain('1,650,000');
    // 変更 (車両) goes back to that step with the answers, and 次へ returns to the confirmation
    await page.getByRole('button', { name: /^変更\s*（車両）$/ }).click();
    await expectTitle(page, '初回申請 車両');
    expect(await field(page, '車台番号').inputValue()).toBe('MH85S-7700077');
    await field(page, '型式').fill('5BA-MH85S-2');
    await next(page, '初回申請 申請内容の確認');
    await expect(page.getByRole('table', { name: '車両' }).getByRole('row', { name: /型式/ }).textContent()).resolves.toContain('5BA-MH85S-2');

    await page.getByRole('button', { name: 'この内容で申請する' }).click();
    await expectTitle(page, '初回申請 完了');
    expect(await auditPage(page)).toEqual([]);
    const arrival = (await page.getByRole('table', { name: '到達番号' }).getByRole('cell').textContent())!.trim();
    expect(arrival).toMatch(/^\d{4} \d{4} \d{4} \d{5}$/);

    // 状況の照会 with the 到達番号 and the password just set
    await page.getByRole('link', { name: '状況の照会へ' }).click();
    await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(arrival);
    await page.getByRole('button', { name: '次へ' }).click();
    await expectTitle(page, '状況照会 ログイン 新車');
    await page.getByLabel(PASSWORD_LABEL, { exact: true }).fill('kasumi2026');
    await page.getByRole('button', { name: 'ログイン' }).click();
    await expectTitle(page, '申請状況確認 新車');
    expect(await page.locator('.current-status__label').textContent()).toBe('受付審査中');
    const summary = page.getByRole('table', { name: '申請の概要' });
    await expect(summary.getByRole('row', { name: /車台番号 MH85S-7700077/ }).count()).resolves.toBe(1);
  });

  it('継続検査 on a phone: the steps fit the screen and pass axe, the 記録等事務代行者 questions included', async () => {
    const page = await e2e.newPage({ viewport: PHONE });
    await page.goto('/apply');
    await page.getByRole('radio', { name: /継続検査/ }).check();
    await next(page, '初回申請 申請者・使用者');
    await field(page, '申請者名').fill('軽自整備');
    await field(page, '申請者住所').fill('東京都品川区東大井1-1-1');
    await field(page, '使用者名').fill('品川 次郎');
    await field(page, '使用者住所').fill('東京都品川区東大井1-1-2');
    await next(page, '初回申請 車両');
    await field(page, '車両番号').fill('品川 580 さ 7777');
    await field(page, '車台番号').fill('JF3-7777777');
    await field(page, '型式').fill('5BA-JF3');
    await page.getByRole('radio', { name: '標準（初度登録から13年未満）' }).check();
    await next(page, '初回申請 申請先・記録等事務代行者');
    await page.getByRole('radio', { name: '委託する' }).check();
    await next(page, 'エラー：初回申請 申請先・記録等事務代行者');
    expect(await auditPage(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
  });
});
