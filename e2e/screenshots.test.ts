import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, useE2e } from './support/fixture.js';
import { MANUAL_EXAMPLES, NUMBER_LABEL, PASSWORD_LABEL, expectTitle, logInAs, scenario } from './support/portal.js';
import { saveScreenshot } from './support/screenshots.js';

/**
 * A screenshot of each main page at desktop (1280) and phone (375) width, into e2e/.screenshots/
 * (git-ignored); `UPDATE_SCREENSHOTS=1` refreshes the committed set in docs/screenshots/.
 * Each page is also checked for what a screenshot would show wrong: nothing wider than the screen.
 */
interface Shot {
  readonly name: string;
  /** Opens the page in a fresh context (logged out). */
  open(page: Page): Promise<void>;
}

const shots: Shot[] = [
  { name: '01-top', open: async (page) => void (await page.goto('/')) },
  { name: '02-online-menu', open: async (page) => void (await page.goto('/online')) },
  { name: '03-login-number', open: async (page) => void (await page.goto('/inquiry/login')) },
  {
    name: '04-login-password',
    open: async (page) => {
      await page.goto('/inquiry/login');
      await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(MANUAL_EXAMPLES.continuousInspection.number);
      await page.getByRole('button', { name: '次へ' }).click();
      await expectTitle(page, '状況照会 ログイン 継続検査');
    },
  },
  {
    name: '05-login-error',
    open: async (page) => {
      await page.goto('/inquiry/login');
      await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(MANUAL_EXAMPLES.continuousInspection.number);
      await page.getByRole('button', { name: '次へ' }).click();
      await page.getByLabel(PASSWORD_LABEL, { exact: true }).fill('wrong-password');
      await page.getByRole('button', { name: 'ログイン' }).click();
      await expectTitle(page, 'エラー：状況照会 ログイン 継続検査');
    },
  },
  { name: '06-status-continuous-inspection', open: (page) => logInAs(page, scenario('ci-manual-example')) },
  { name: '07-status-new-vehicle', open: (page) => logInAs(page, scenario('nv-manual-example')) },
  { name: '08-status-bulk-payment-withdrawable', open: (page) => logInAs(page, scenario('ci-bulk-before-number')) },
  { name: '09-status-ready', open: (page) => logInAs(page, scenario('ci-ready')) },
  { name: '10-status-guide', open: async (page) => void (await page.goto('/inquiry/status-guide')) },
];

describe('screenshots of the main pages at desktop and phone width', () => {
  const e2e = useE2e(import.meta.url);

  for (const shot of shots) {
    it(`${shot.name}: desktop 1280 and phone 375, nothing wider than the screen`, async () => {
      for (const [width, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        const page = await e2e.newPage({ viewport });
        await shot.open(page);
        // A page that scrolls sideways on a phone hides part of itself (WCAG 1.4.10 Reflow).
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${shot.name} ${width}: horizontal overflow in px`).toBe(0);
        const paths = await saveScreenshot(page, `${shot.name}-${width}`);
        expect(paths.length).toBeGreaterThan(0);
        await e2e.close(page);
      }
    });
  }
});
