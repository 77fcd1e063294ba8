import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, useE2e } from './support/fixture.js';
import { expectTitle, logInAs, scenario } from './support/portal.js';

/** Computed font sizes in px: the body text, the page's h1 and the first paragraph of the main content. */
async function fontSizes(page: Page): Promise<{ root: number; body: number; h1: number; p: number }> {
  return page.evaluate(() => {
    const px = (el: Element | null) => (el ? parseFloat(getComputedStyle(el).fontSize) : NaN);
    return { root: px(document.documentElement), body: px(document.body), h1: px(document.querySelector('h1')), p: px(document.querySelector('main p')) };
  });
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Where each cell of the payment table sits on the screen, by its column header. */
async function paymentCells(page: Page) {
  return page.locator('table.payment-table tbody').evaluateAll((groups) =>
    groups.map((tbody) =>
      Array.from(tbody.querySelectorAll('td')).map((td) => {
        const r = td.getBoundingClientRect();
        return { label: td.getAttribute('data-label') ?? '', text: (td as HTMLElement).innerText.trim(), top: r.top, left: r.left, width: r.width, shown: getComputedStyle(td, '::before').content };
      }),
    ),
  );
}

describe('look and layout in Chromium: 文字サイズ, phones, print', () => {
  const e2e = useE2e(import.meta.url);

  it('文字サイズ 小 中 大 scales the whole page (computed font sizes), is remembered on the next page, and marks the current choice', async () => {
    const page = await e2e.newPage();
    await page.goto('/');
    const medium = await fontSizes(page);
    expect(medium.root).toBe(16);
    expect(medium.body).toBe(16);
    expect(await page.getByRole('link', { name: '文字サイズ 中' }).getAttribute('aria-current')).toBe('true');

    await page.getByRole('link', { name: '文字サイズ 大' }).click();
    await expectTitle(page, '軽自動車保有関係手続のワンストップサービス');
    const large = await fontSizes(page);
    expect(large.root).toBe(20);
    expect(large.body).toBe(20);
    expect(large.h1).toBeCloseTo(medium.h1 * 1.25, 1);
    expect(large.p).toBeCloseTo(medium.p * 1.25, 1);
    expect(await page.getByRole('link', { name: '文字サイズ 大' }).getAttribute('aria-current')).toBe('true');
    expect(await page.getByRole('link', { name: '文字サイズ 中' }).getAttribute('aria-current')).toBeNull();
    // the layout grows with the text (rem everywhere): the header is taller too
    const headerLarge = (await page.locator('.site-header').boundingBox())!.height;

    await page.getByRole('link', { name: '文字サイズ 小' }).click();
    await expectTitle(page, '軽自動車保有関係手続のワンストップサービス');
    const small = await fontSizes(page);
    expect(small.body).toBe(14);
    expect(small.h1).toBeCloseTo(medium.h1 * 0.875, 1);
    expect((await page.locator('.site-header').boundingBox())!.height).toBeLessThan(headerLarge);

    // remembered: the login page opens small as well
    await page.goto('/inquiry/login');
    expect((await fontSizes(page)).body).toBe(14);
  });

  it('文字サイズ works without JavaScript, and keeps the applicant on the page they were reading', async () => {
    const page = await e2e.newPage({ javaScript: false });
    await logInAs(page, scenario('ci-manual-example'));
    await page.getByRole('link', { name: '文字サイズ 大' }).click();
    await expectTitle(page, '申請状況確認 継続検査');
    expect((await fontSizes(page)).body).toBe(20);
  });

  it('nothing is wider than a 320-pixel screen, even with 文字サイズ 大 (WCAG 1.4.10 Reflow)', async () => {
    const overflow: Record<string, number> = {};
    for (const fontSize of ['medium', 'large'] as const) {
      const page = await e2e.newPage({ viewport: { width: 320, height: 640 }, fontSize });
      for (const path of ['/', '/online', '/inquiry/login', '/inquiry/status-guide', '/faq']) {
        await page.goto(path);
        overflow[`${fontSize} ${path}`] = await horizontalOverflow(page);
      }
      for (const key of ['ci-manual-example', 'nv-manual-example', 'ci-bulk-before-number', 'nv-vehicle-tax-due']) {
        await logInAs(page, scenario(key));
        overflow[`${fontSize} status ${key}`] = await horizontalOverflow(page);
      }
      await e2e.close(page);
    }
    expect(Object.entries(overflow).filter(([, px]) => px > 0)).toEqual([]);
  });

  it('納付情報 at desktop width: one table, all thirteen columns visible without scrolling', async () => {
    const page = await e2e.newPage({ viewport: DESKTOP });
    await logInAs(page, scenario('ci-manual-example'));
    const region = page.getByRole('region', { name: '税・手数料の納付情報' });
    const fit = await region.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, display: getComputedStyle(el.querySelector('table')!).display }));
    expect(fit.display).toBe('table');
    expect(fit.scroll).toBeLessThanOrEqual(fit.client);
    const cells = await paymentCells(page);
    // a real table: the fees of one number side by side with its number, on the same line
    const first = cells[0]!;
    const number = first.find((c) => c.label === '納付番号')!;
    const fee = first.find((c) => c.label === '税・手数料種別')!;
    expect(Math.abs(number.top - fee.top)).toBeLessThan(2);
    expect(fee.left).toBeGreaterThan(number.left);
  });

  it('納付情報 on a 375-pixel phone: one card per 納付番号, its numbers and 納付状況 first, then each fee with its amount, every value under its label; also without JavaScript', async () => {
    for (const javaScript of [true, false]) {
      const page = await e2e.newPage({ viewport: PHONE, javaScript });
      await logInAs(page, scenario('ci-fees-due'));
      const region = page.getByRole('region', { name: '税・手数料の納付情報' });
      const fit = await region.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      expect(fit.scroll).toBeLessThanOrEqual(fit.client);
      const cards = await paymentCells(page);
      expect(cards.length).toBeGreaterThanOrEqual(2);
      for (const cells of cards) {
        // each value shows its column's name (the header row is hidden on a phone)
        for (const c of cells.filter((c) => c.text !== '')) expect(c.shown).toBe(`"${c.label}"`);
        // the cells that span the group (rowspan) come first, the fees after them
        const group = cells.filter((c) => ['収納機関番号', '納付番号', '確認番号', '納付区分', '納付状況', '納付期限'].includes(c.label));
        const fees = cells.filter((c) => ['税・手数料種別', '金額'].includes(c.label));
        expect(Math.max(...group.map((c) => c.top))).toBeLessThan(Math.min(...fees.map((c) => c.top)));
        // one column: every cell as wide as the card
        expect(new Set(cells.filter((c) => c.width > 0).map((c) => Math.round(c.left))).size).toBeLessThanOrEqual(2);
      }
      // the cards follow each other: the second 納付番号 below every fee of the first
      const firstBottom = Math.max(...cards[0]!.map((c) => c.top));
      expect(cards[1]!.find((c) => c.label === '収納機関番号')!.top).toBeGreaterThan(firstBottom);
      // 未納 with the 納付 button inside the card
      await expect(region.getByRole('cell', { name: '未納' }).first().isVisible()).resolves.toBe(true);
      await expect(region.getByRole('button', { name: '納付' }).first().isVisible()).resolves.toBe(true);
      await e2e.close(page);
    }
  });

  it('the summary tables on a phone: each label above its value, full width', async () => {
    const page = await e2e.newPage({ viewport: PHONE });
    await logInAs(page, scenario('nv-manual-example'));
    const row = page.getByRole('table', { name: '申請の概要' }).getByRole('row', { name: /受付番号/ });
    const [th, td] = await Promise.all([row.locator('th').boundingBox(), row.locator('td').boundingBox()]);
    expect(td!.y).toBeGreaterThanOrEqual(th!.y + th!.height - 1);
    expect(Math.abs(td!.width - th!.width)).toBeLessThan(2);
  });

  it('printing 申請状況確認 (A4): no buttons, no navigation, no skip link or footer; the progress, the status and the tables stay', async () => {
    const page = await e2e.newPage();
    await logInAs(page, scenario('ci-bulk-before-number'));
    const buttons = page.getByRole('button');
    expect(await buttons.count()).toBeGreaterThan(2);
    await page.emulateMedia({ media: 'print' });
    const visibleButtons = await buttons.evaluateAll((els) => els.filter((el) => el.getClientRects().length > 0).length);
    expect(visibleButtons).toBe(0);
    await expect(page.getByRole('navigation', { name: 'サイト共通メニュー' }).isVisible()).resolves.toBe(false);
    await expect(page.locator('.skip-link').isVisible()).resolves.toBe(false);
    await expect(page.locator('.site-footer').isVisible()).resolves.toBe(false);
    await expect(page.getByRole('navigation', { name: '手続進捗状況' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('.current-status__label').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('table', { name: '税・手数料の納付情報' }).isVisible()).resolves.toBe(true);
    // the payment table prints as a table, not as the phone's cards
    expect(await page.locator('table.payment-table').evaluate((t) => getComputedStyle(t).display)).toBe('table');
    // 済 / ! / 未 stay readable without background colours: drawn in black
    expect(await page.locator('.progress__mark').first().evaluate((m) => getComputedStyle(m).color)).toBe('rgb(0, 0, 0)');

    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    const boxes = [...text.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Math.round(Number(m[1])), Math.round(Number(m[2]))]);
    expect(boxes.length).toBeGreaterThan(0);
    // A4 is 595 × 842 points
    for (const [w, h] of boxes) expect([w, h]).toEqual([595, 842]);
    expect(boxes.length).toBeLessThanOrEqual(4);
  });
});
