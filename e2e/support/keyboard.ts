import type { Locator, Page } from 'playwright-core';

/** Presses a key that opens another page (a link, a submit button) and waits until that page has loaded. */
export async function pressAndLoad(page: Page, key: 'Enter' | 'Space'): Promise<void> {
  const loaded = page.waitForEvent('load');
  await page.keyboard.press(key);
  await loaded;
}

export async function isFocused(target: Locator): Promise<boolean> {
  return target.evaluate((el) => el === document.activeElement);
}

/**
 * Presses Tab (only Tab) until `target` has the focus, as a keyboard user would; fails when it is
 * not reached within `max` presses (it is not in the tab order). Returns the number of presses.
 */
export async function tabTo(page: Page, target: Locator, max = 60): Promise<number> {
  for (let presses = 1; presses <= max; presses += 1) {
    await page.keyboard.press('Tab');
    if (await isFocused(target)) return presses;
  }
  const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? 'nothing');
  throw new Error(`not reached with ${max} presses of Tab (focus is on ${focused})`);
}

export interface FocusStop {
  readonly element: string;
  /** How the focus shows: the outline, or the box shadow, or nothing. */
  readonly indicator: string | null;
  readonly inViewport: boolean;
}

/** Each element the Tab key stops at, from the top of the page round to where it started, and how its focus is shown. */
export async function focusStops(page: Page, max = 200): Promise<FocusStop[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const stops: FocusStop[] = [];
  let first: string | null = null;
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 ? `outline ${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}` : null;
      const shadow = style.boxShadow !== 'none' ? `box-shadow ${style.boxShadow}` : null;
      const rect = el.getBoundingClientRect();
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
      const id = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''} "${name}"`;
      return { element: id, indicator: outline ?? shadow, inViewport: rect.bottom > 0 && rect.top < window.innerHeight && rect.right > 0 && rect.left < window.innerWidth };
    });
    if (!stop) break;
    if (stop.element === first) break;
    first ??= stop.element;
    stops.push(stop);
  }
  return stops;
}

/** 状況照会 ログイン with the keyboard only, from the first step: Tab to each field, type, Enter on the buttons. */
export async function logInWithKeyboard(page: Page, number: string, password: string): Promise<void> {
  await page.goto('/inquiry/login');
  await tabTo(page, page.getByRole('textbox', { name: '受付番号（到達番号）' }));
  await page.keyboard.type(number);
  await tabTo(page, page.getByRole('button', { name: '次へ' }));
  await pressAndLoad(page, 'Enter');
  await tabTo(page, page.getByLabel('申請用パスワード', { exact: true }));
  await page.keyboard.type(password);
  await tabTo(page, page.getByRole('button', { name: 'ログイン' }));
  await pressAndLoad(page, 'Enter');
}
