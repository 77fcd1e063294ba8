import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, useE2e, type FontSizeChoice } from './support/fixture.js';
import { logInAs, scenario } from './support/portal.js';

/**
 * Issue 14: wide tables stay readable at every 文字サイズ and width. At 大 on a 1280-pixel desktop the
 * 13-column 納付情報 used to wrap one character per line (納/付/区/分), and at 中 the 「納付」 button
 * wrapped. Now the headers break between words only and numbers, dates and the button stay on one
 * line; when the columns do not fit, the table scrolls inside its own labelled region (the page
 * itself never scrolls sideways); on a phone each 納付番号 is a card.
 */
async function measure(page: Page) {
  return page.evaluate(() => {
    const fontPx = (el: Element) => parseFloat(getComputedStyle(el).fontSize);
    const table = document.querySelector('table.payment-table')!;
    const region = table.closest('[role="region"]')!;
    const stacked = getComputedStyle(table).display !== 'table';
    // Header cells (desktop): width in characters of their own font.
    const headers = stacked
      ? []
      : Array.from(table.querySelectorAll('thead th')).map((th) => ({ text: (th as HTMLElement).innerText.trim(), chars: th.getBoundingClientRect().width / fontPx(th), lines: 0 }));
    // Lines of text of an element: distinct tops of its text's boxes.
    const lines = (el: Element) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
    };
    for (const [i, th] of Array.from(table.querySelectorAll('thead th')).entries()) if (headers[i]) headers[i]!.lines = lines(th);
    const button = table.querySelector('.button');
    const valueLines = Array.from(table.querySelectorAll('td.nowrap, td.numeric')).map((td) => ({ text: (td as HTMLElement).innerText.trim(), lines: lines(td) }));
    return {
      stacked,
      headers,
      buttonLines: button ? lines(button) : null,
      valueLines: valueLines.filter((v) => v.text !== ''),
      pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      regionLabel: document.getElementById(region.getAttribute('aria-labelledby') ?? '')?.textContent?.trim() ?? null,
      regionScrolls: region.scrollWidth > region.clientWidth,
      regionFocusable: (region as HTMLElement).tabIndex === 0,
    };
  });
}

describe('wide tables at 文字サイズ 小 中 大, at 1280 and 375 pixels', () => {
  const e2e = useE2e(import.meta.url);

  for (const viewport of [DESKTOP, PHONE]) {
    for (const fontSize of ['small', 'medium', 'large'] as FontSizeChoice[]) {
      it(`納付情報 at ${viewport.width}px, 文字サイズ ${fontSize}: no header narrower than two characters, numbers and the 納付 button on one line, the page never scrolls sideways`, async () => {
        const page = await e2e.newPage({ viewport, fontSize });
        // 検査手数料等納付待ち (a 納付 button) and the manual's example (every column filled).
        for (const key of ['ci-fees-due', 'ci-manual-example']) {
        await logInAs(page, scenario(key));
        const m = await measure(page);
        expect(m.stacked).toBe(viewport === PHONE);
        expect(m.regionLabel).toBe('税・手数料の納付情報');
        expect(m.regionFocusable).toBe(true);
        // No header narrower than two characters, none broken into more than two lines.
        expect(m.headers.filter((h) => h.chars < 2 || h.lines > 2)).toEqual([]);
        if (viewport === DESKTOP) expect(m.headers).toHaveLength(13);
        if (key === 'ci-fees-due') expect(m.buttonLines).toBe(1);
        expect(m.valueLines.filter((v) => v.lines !== 1)).toEqual([]);
        expect(m.pageOverflow).toBeLessThanOrEqual(0);
        }
        await e2e.close(page);
      });
    }
  }
});
