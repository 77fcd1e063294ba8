import { describe, expect, it } from 'vitest';
import { AuditLog } from './support/audit.js';
import { axeViolations } from './support/axe.js';
import { reachableFrom } from './support/crawl.js';
import { PHONE, useE2e } from './support/fixture.js';
import { MANUAL_EXAMPLES, NUMBER_LABEL, PASSWORD_LABEL, expectTitle, logInAs, scenario } from './support/portal.js';

describe('accessibility of the portal pages (axe: wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa)', () => {
  const e2e = useE2e(import.meta.url);

  it('every page a visitor can reach from the top page, without logging in, has zero violations', async () => {
    const page = await e2e.newPage();
    const log = new AuditLog();
    // Pages reached by a step rather than a link: the menu after 終了, the 404 page, the status page without a session.
    const queue = ['/', '/online?ended=1', '/no-such-page', '/inquiry/status'];
    const seen = new Set(queue);
    const statuses: Record<string, number> = {};
    while (queue.length > 0) {
      const path = queue.shift() as string;
      const response = await page.goto(path);
      statuses[path] = response?.status() ?? 0;
      await log.check(page, path);
      for (const next of await reachableFrom(page)) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    expect(log.problems).toEqual({});
    // The crawl really went round the portal (and every page answered as it should).
    expect(log.checked).toEqual(expect.arrayContaining(['/', '/online', '/inquiry/login', '/inquiry/status-guide', '/faq', '/glossary', '/sitemap', '/contact', '/terms', '/first-time', '/bulk', '/notices']));
    const unexpected = Object.entries(statuses).filter(([path, status]) => (path === '/no-such-page' ? status !== 404 : path === '/inquiry/status' || path === '/account/api' ? status !== 401 : status !== 200));
    expect(unexpected).toEqual([]);
  });

  it('状況照会 ログイン in every state: both procedures, and every error message shown', async () => {
    const page = await e2e.newPage();
    const log = new AuditLog();
    const number = page.getByRole('textbox', { name: NUMBER_LABEL });

    await page.goto('/inquiry/login');
    await page.getByRole('button', { name: '次へ' }).click();
    await expectTitle(page, 'エラー：状況照会 ログイン');
    await log.check(page, 'step 1, nothing entered');

    await number.fill('１２３４-abc');
    await page.getByRole('button', { name: '次へ' }).click();
    await expectTitle(page, 'エラー：状況照会 ログイン');
    await log.check(page, 'step 1, malformed number');

    for (const ex of [MANUAL_EXAMPLES.continuousInspection, MANUAL_EXAMPLES.newVehicle]) {
      await page.goto('/inquiry/login');
      await number.fill(ex.number);
      await page.getByRole('button', { name: '次へ' }).click();
      await expectTitle(page, `状況照会 ログイン ${ex.label}`);
      await log.check(page, `step 2, ${ex.label}`);
      // the ? help opened
      await page.locator('summary').first().click();
      await log.check(page, `step 2, ${ex.label}, help open`);
      await page.getByRole('button', { name: 'ログイン' }).click();
      await expectTitle(page, `エラー：状況照会 ログイン ${ex.label}`);
      await log.check(page, `step 2, ${ex.label}, no password`);
      await page.getByLabel(PASSWORD_LABEL, { exact: true }).fill('wrong-password');
      await page.getByRole('button', { name: 'ログイン' }).click();
      await expectTitle(page, `エラー：状況照会 ログイン ${ex.label}`);
      await log.check(page, `step 2, ${ex.label}, wrong password`);
    }
    expect(log.checked).toHaveLength(10);
    expect(log.problems).toEqual({});
  });

  it('the error pages: a stale form (画面の有効期限が切れました) and a malformed request', async () => {
    const page = await e2e.newPage();
    const log = new AuditLog();
    await page.goto('/inquiry/login');
    // The CSRF cookie is gone (as after a browser restart): the form is refused with a page that explains it.
    await page.context().clearCookies();
    await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(MANUAL_EXAMPLES.continuousInspection.number);
    await page.getByRole('button', { name: '次へ' }).click();
    await expectTitle(page, '画面の有効期限が切れました');
    await log.check(page, 'csrf refused');
    const response = await page.goto('/font-size?size=huge');
    expect(response?.status()).toBe(400);
    await log.check(page, 'bad request');
    expect(log.problems).toEqual({});
  });

  it('文字サイズ 小 and 大, at desktop and at phone width: zero violations on the top page (大), the login and the status page', async () => {
    const log = new AuditLog();
    for (const fontSize of ['small', 'large'] as const) {
      for (const viewport of [undefined, PHONE]) {
        const label = `${fontSize}${viewport ? ' phone' : ''}`;
        const page = await e2e.newPage({ fontSize, viewport });
        if (fontSize === 'large') {
          await page.goto('/');
          await log.check(page, `${label} /`);
        }
        await page.goto('/inquiry/login');
        await log.check(page, `${label} /inquiry/login`);
        await logInAs(page, scenario('ci-manual-example'));
        await log.check(page, `${label} /inquiry/status`);
        await e2e.close(page);
      }
    }
    expect(log.checked).toHaveLength(10);
    expect(log.problems).toEqual({});
  });

  it('axe can fail: with the label of 受付番号（到達番号） removed in the browser, it reports the unlabelled field', async () => {
    const page = await e2e.newPage();
    await page.goto('/inquiry/login');
    expect(await axeViolations(page)).toEqual([]);
    await page.evaluate(() => document.querySelector('label[for="receiptNumber"]')?.remove());
    const violations = await axeViolations(page);
    const label = violations.find((v) => v.id === 'label');
    expect(label?.nodes.map((n) => n.target.join(' '))).toEqual(['#receiptNumber']);
    expect(label?.tags).toEqual(expect.arrayContaining(['wcag2a']));
  });
});
