import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../src/demo/account.js';
import { auditPage } from './support/audit.js';
import { PHONE, useE2e } from './support/fixture.js';
import { isFocused, pressAndLoad, tabTo } from './support/keyboard.js';
import { expectTitle } from './support/portal.js';

/** 利用者ID ログイン with the demo dealer (README), then 納付を行う from its menu. */
async function logInToPayments(page: Page): Promise<void> {
  await page.goto('/account/login');
  await page.getByRole('textbox', { name: '利用者ID' }).fill(DEMO_ACCOUNT.userId);
  await page.getByLabel('パスワード', { exact: true }).fill(DEMO_ACCOUNT.password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await expectTitle(page, '申請一覧');
  await page.getByRole('navigation', { name: '利用者IDのメニュー' }).getByRole('link', { name: '納付を行う' }).click();
  await expectTitle(page, '納付を行う');
}

describe('まとめ納付 with a 利用者ID (issue 16), in Chromium', () => {
  const e2e = useE2e(import.meta.url);

  it('納付を行う: 納付対象の選択 by keyboard, 納付番号を取得, the number’s page, キャンセル — axe clean at 1280 and 375 px', async () => {
    for (const viewport of [undefined, PHONE]) {
      const page = await e2e.newPage(viewport ? { viewport } : {});
      await logInToPayments(page);
      expect(await auditPage(page)).toEqual([]);
      const form = page.locator('section[data-collector="inspectionFees:00100"] form');
      const boxes = form.getByRole('checkbox');
      expect(await boxes.count()).toBeGreaterThan(0);
      // Keyboard only: Tab to the first checkbox, Space ticks it, Tab on to 納付番号を取得, Enter.
      const first = boxes.first();
      await tabTo(page, first);
      expect(await isFocused(first)).toBe(true);
      await page.keyboard.press('Space');
      expect(await first.isChecked()).toBe(true);
      const take = form.getByRole('button', { name: '納付番号を取得' });
      await tabTo(page, take);
      await pressAndLoad(page, 'Enter');

      await expectTitle(page, 'まとめ納付の納付番号');
      expect(await auditPage(page)).toEqual([]);
      await expect(page.getByText('納付番号を取得しました。').count()).resolves.toBe(1);
      const numbers = page.getByRole('table', { name: '納付に使う番号と納付期限' });
      await expect(numbers.getByRole('row', { name: /^納付区分 まとめ納付/ }).count()).resolves.toBe(1);
      await expect(numbers.getByRole('row', { name: /^納付状況 未納/ }).count()).resolves.toBe(1);
      const members = page.getByRole('table', { name: 'この納付番号で納付する申請と税・手数料' });
      await expect(members.getByRole('row', { name: /^合計（1件）/ }).count()).resolves.toBe(1);
      // A page fits the phone's width: nothing but the tables' own scroll regions is wider.
      if (viewport) expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

      await page.getByRole('button', { name: 'キャンセル' }).click();
      await expectTitle(page, '納付を行う');
      expect(await auditPage(page)).toEqual([]);
      await expect(page.getByText('まとめ納付をキャンセルしました。').count()).resolves.toBe(1);
      const groups = page.getByRole('table', { name: '取得した納付番号（新しい順）' });
      await expect(groups.getByRole('row').filter({ hasText: 'キャンセル済（納付番号は無効）' }).count()).resolves.toBeGreaterThan(0);
    }
  });

  it('納付番号を取得 with nothing selected: the error at the top links to the first checkbox', async () => {
    const page = await e2e.newPage();
    await logInToPayments(page);
    await page.locator('section[data-collector="inspectionFees:00100"]').getByRole('button', { name: '納付番号を取得' }).click();
    await expectTitle(page, 'エラー：納付を行う');
    expect(await auditPage(page)).toEqual([]);
    const link = page.getByRole('alert').getByRole('link', { name: '納付対象を選択してください。' });
    await link.click();
    expect(await isFocused(page.locator('section[data-collector="inspectionFees:00100"]').getByRole('checkbox').first())).toBe(true);
  });
});
