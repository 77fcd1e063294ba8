import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, useE2e } from './support/fixture.js';
import { expectTitle } from './support/portal.js';

/** Issue 14: the header menus of the manual work with the keyboard, with and without JavaScript; the site search answers. */
describe('the header: 「はじめての方 ▾ | 事前の準備が整った方 ▾」 and サイト内検索', () => {
  const e2e = useE2e(import.meta.url);

  for (const javaScript of [true, false]) {
    it(`the menus open and close from the keyboard and lead to their pages (${javaScript ? 'with' : 'without'} JavaScript)`, async () => {
      const page = await e2e.newPage({ viewport: DESKTOP, javaScript });
      await page.goto('/');
      const summary = page.locator('summary', { hasText: '事前の準備が整った方' });
      const link = page.getByRole('link', { name: '申請を行う', exact: true }).first();
      expect(await link.isVisible()).toBe(false);
      await summary.focus();
      await page.keyboard.press('Enter');
      expect(await page.locator('details:has(summary:has-text("事前の準備が整った方"))').getAttribute('open')).toBe('');
      expect(await page.locator('.global-nav').getByRole('link', { name: '申請を行う', exact: true }).isVisible()).toBe(true);
      if (javaScript) {
        // Escape closes it and puts the focus back on its button; opening the other closes this one.
        await page.keyboard.press('Escape');
        expect(await page.locator('details:has(summary:has-text("事前の準備が整った方"))').getAttribute('open')).toBeNull();
        expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('事前の準備が整った方 ▾');
        await page.keyboard.press('Enter');
        await page.locator('summary', { hasText: 'はじめての方' }).first().focus();
        await page.keyboard.press('Enter');
        expect(await page.locator('details[open]').count()).toBe(1);
        await page.keyboard.press('Escape');
        await summary.focus();
        await page.keyboard.press('Enter');
      }
      await page.locator('.global-nav').getByRole('link', { name: '次回自動車重量税額照会サービス' }).click();
      await expectTitle(page, '次回自動車重量税額照会サービス');
      await e2e.close(page);
    });
  }

  it('サイト内検索 from the header, on a phone too, shows the results with the keyword marked', async () => {
    const page = await e2e.newPage({ viewport: PHONE });
    await page.goto('/online');
    await page.getByLabel('サイト内検索のキーワード').fill('補正');
    await page.getByRole('button', { name: '検索', exact: true }).click();
    await expectTitle(page, 'サイト内検索「補正」');
    expect(await page.getByRole('status').innerText()).toMatch(/^「補正」の検索結果：\d+件$/);
    expect(await page.locator('.search-results mark').first().innerText()).toBe('補正');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    await e2e.close(page);
  });
});
