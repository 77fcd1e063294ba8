import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, useE2e } from './support/fixture.js';
import { MANUAL_EXAMPLES, NUMBER_LABEL, PASSWORD_LABEL, expectTitle, logInAs, scenario } from './support/portal.js';
import { saveScreenshot } from './support/screenshots.js';
import { logInAsClerk } from './support/staff.js';

/**
 * A screenshot of each main page at desktop (1280) and phone (375) width, into e2e/.screenshots/
 * (git-ignored); `npm run screenshots` (UPDATE_SCREENSHOTS=1) refreshes the committed set in
 * docs/screenshots/ shown by docs/screenshots.md. Each page is opened once, shot at desktop width,
 * then at phone width, and checked for what a screenshot would show wrong: nothing wider than the screen.
 */
interface Shot {
  readonly name: string;
  /** Opens the page in a fresh context. */
  open(page: Page): Promise<void>;
}

const CODE = '受取者認証兼受取車両個別申告用二次元コード';
const goto = (path: string) => async (page: Page) => void (await page.goto(path));
const status = (key: string) => (page: Page) => logInAs(page, scenario(key));

const shots: Shot[] = [
  { name: '01-top', open: goto('/') },
  { name: '02-online-menu', open: goto('/online') },
  { name: '03-login-number', open: goto('/inquiry/login') },
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
  { name: '06-status-continuous-inspection', open: status('ci-manual-example') },
  { name: '07-status-new-vehicle', open: status('nv-manual-example') },
  { name: '08-status-bulk-payment-withdrawable', open: status('ci-bulk-before-number') },
  { name: '09-status-ready', open: status('ci-ready') },
  { name: '10-status-guide', open: goto('/inquiry/status-guide') },
  {
    name: '11-withdrawal',
    open: async (page) => {
      await logInAs(page, scenario('ci-bulk-before-number'));
      await page.getByRole('button', { name: '申請を取り下げる' }).click();
      await expectTitle(page, '申請の取り下げ');
    },
  },
  {
    name: '12-correction',
    open: async (page) => {
      await logInAs(page, scenario('nv-manual-example'));
      await page.getByRole('button', { name: '申請を補正する' }).click();
      await expectTitle(page, '補正申請');
    },
  },
  {
    name: '13-payment',
    open: async (page) => {
      await logInAs(page, scenario('ci-fees-due'));
      await page.getByRole('table', { name: '税・手数料の納付情報' }).getByRole('button', { name: '納付' }).click();
      await expectTitle(page, '納付情報 検査手数料・技術情報管理手数料');
    },
  },
  {
    name: '14-collection-code',
    open: async (page) => {
      await logInAs(page, scenario('nv-ready'));
      await page.getByRole('button', { name: `${CODE}の発行` }).click();
      // the first visit issues the code; the page then shows it
      const issue = page.getByRole('button', { name: '二次元コードを発行する' });
      if ((await issue.count()) > 0) await issue.click();
      await expectTitle(page, CODE);
      await page.goto('/inquiry/collection-code'); // without the one-time banner
    },
  },
  { name: '15-apply', open: goto('/apply') },
  { name: '16-staff-login', open: goto('/staff/login') },
  { name: '17-staff-work-list', open: logInAsClerk },
  {
    name: '18-staff-application',
    open: async (page) => {
      await logInAsClerk(page);
      await page.goto(`/staff/applications/${scenario('ci-under-examination').receiptNumber}`);
    },
  },
  {
    name: '19-staff-counter',
    open: async (page) => {
      await logInAsClerk(page);
      await page.getByRole('link', { name: '窓口での受け取り確認' }).click();
    },
  },
];

describe('screenshots of the main pages at desktop and phone width', () => {
  const e2e = useE2e(import.meta.url);

  for (const shot of shots) {
    it(`${shot.name}: desktop 1280 and phone 375, nothing wider than the screen`, async () => {
      const page = await e2e.newPage({ viewport: DESKTOP });
      await shot.open(page);
      for (const [width, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        await page.setViewportSize(viewport);
        // A page that scrolls sideways on a phone hides part of itself (WCAG 1.4.10 Reflow).
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${shot.name} ${width}: horizontal overflow in px`).toBe(0);
        const paths = await saveScreenshot(page, `${shot.name}-${width}`);
        expect(paths.length).toBeGreaterThan(0);
      }
      await e2e.close(page);
    });
  }
});
