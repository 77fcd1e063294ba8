import { describe, expect, it } from 'vitest';
import { useE2e } from './support/fixture.js';
import { auditPage } from './support/audit.js';
import { focusStops, isFocused, logInWithKeyboard, pressAndLoad, tabTo } from './support/keyboard.js';
import { logInAsClerk } from './support/staff.js';
import { MANUAL_EXAMPLES, NUMBER_LABEL, PASSWORD_LABEL, expectTitle, logInAs, scenario, spacedNumber } from './support/portal.js';

describe('keyboard only: Tab, Enter and Space', () => {
  const e2e = useE2e(import.meta.url);

  it('the skip link 本文へ移動 is the first stop, shows when focused, and takes the focus to the main content', async () => {
    const page = await e2e.newPage();
    await page.goto('/inquiry/login');
    const skip = page.getByRole('link', { name: '本文へ移動' });
    // hidden until focused
    expect((await skip.boundingBox())!.y).toBeLessThan(0);
    await page.keyboard.press('Tab');
    expect(await isFocused(skip)).toBe(true);
    const box = (await skip.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.height).toBeGreaterThan(20);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    // the next Tab goes into the main content, past the header
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('main')?.id)).toBe('main');
  });

  it('状況照会 from the top page to 終了 with the keyboard only (manual 1–3)', async () => {
    const page = await e2e.newPage();
    const ex = MANUAL_EXAMPLES.continuousInspection;
    await page.goto('/');
    await tabTo(page, page.getByRole('link', { name: '画面申請' }));
    await pressAndLoad(page, 'Enter');
    await expectTitle(page, '画面申請');
    await tabTo(page, page.getByRole('link', { name: '状況の照会' }));
    await pressAndLoad(page, 'Enter');
    await expectTitle(page, '状況照会 ログイン');

    await tabTo(page, page.getByRole('textbox', { name: NUMBER_LABEL }));
    await page.keyboard.type(ex.number);
    await tabTo(page, page.getByRole('button', { name: '次へ' }));
    await pressAndLoad(page, 'Space');
    await expectTitle(page, '状況照会 ログイン 継続検査');

    // the number is filled in already; the ? help opens with Enter and closes with Space
    const help = page.locator('summary').filter({ hasText: '申請用パスワードの説明' });
    await tabTo(page, help);
    await page.keyboard.press('Enter');
    expect(await help.evaluate((s) => (s.parentElement as HTMLDetailsElement).open)).toBe(true);
    await page.keyboard.press('Space');
    expect(await help.evaluate((s) => (s.parentElement as HTMLDetailsElement).open)).toBe(false);

    const password = page.getByLabel(PASSWORD_LABEL, { exact: true });
    await tabTo(page, password);
    await page.keyboard.type(ex.password);
    const reveal = page.getByRole('checkbox', { name: 'パスワード表示' });
    await tabTo(page, reveal);
    await page.keyboard.press('Space');
    expect(await password.getAttribute('type')).toBe('text');
    expect(await password.inputValue()).toBe(ex.password);
    await page.keyboard.press('Space');
    expect(await password.getAttribute('type')).toBe('password');
    await tabTo(page, page.getByRole('button', { name: 'ログイン' }));
    await pressAndLoad(page, 'Enter');
    await expectTitle(page, '申請状況確認 継続検査');

    // 詳細へ leads down to 通知等情報 with Enter
    await tabTo(page, page.getByRole('link', { name: '詳細へ' }));
    await page.keyboard.press('Enter');
    expect(new URL(page.url()).hash).toBe('#notices');

    await tabTo(page, page.getByRole('button', { name: '終了', exact: true }), 100);
    await pressAndLoad(page, 'Enter');
    await expectTitle(page, '画面申請');
  });

  it('Enter in the 受付番号（到達番号） field submits the first step, as in any form', async () => {
    const page = await e2e.newPage();
    await page.goto('/inquiry/login');
    await tabTo(page, page.getByRole('textbox', { name: NUMBER_LABEL }));
    await page.keyboard.type(MANUAL_EXAMPLES.newVehicle.number);
    await pressAndLoad(page, 'Enter');
    await expectTitle(page, '状況照会 ログイン 新車');
    await tabTo(page, page.getByLabel(PASSWORD_LABEL, { exact: true }));
    await page.keyboard.type(MANUAL_EXAMPLES.newVehicle.password);
    await pressAndLoad(page, 'Enter');
    await expectTitle(page, '申請状況確認 新車');
  });

  it('focus is visible at every Tab stop of the top page, the menu, both login steps (one with errors), the status page, and the staff login and 作業一覧', async () => {
    const page = await e2e.newPage();
    const invisible: Record<string, string[]> = {};
    const counts: Record<string, number> = {};
    const check = async (label: string) => {
      const stops = await focusStops(page);
      counts[label] = stops.length;
      const bad = stops.filter((s) => !s.indicator || !s.inViewport).map((s) => `${s.element}: ${s.indicator ?? 'no focus indicator'}${s.inViewport ? '' : ', off screen'}`);
      if (bad.length > 0) invisible[label] = bad;
    };
    await page.goto('/');
    await check('/');
    await page.goto('/online');
    await check('/online');
    await page.goto('/inquiry/login');
    await check('/inquiry/login');
    await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(MANUAL_EXAMPLES.continuousInspection.number);
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByRole('button', { name: 'ログイン' }).click();
    await expectTitle(page, 'エラー：状況照会 ログイン 継続検査');
    await check('password step with errors');
    await logInAs(page, scenario('ci-manual-example'));
    await check('/inquiry/status');
    await page.goto('/staff/login');
    await check('/staff/login');
    await logInAsClerk(page);
    await check('/staff/applications');
    expect(invisible).toEqual({});
    // Every page was really walked: the portal's header alone has eight stops (skip link, logo, three links, 小 中 大),
    // the staff UI's five (skip link, logo, 小 中 大).
    for (const [label, n] of Object.entries(counts)) expect(n, label).toBeGreaterThan(label.startsWith('/staff') ? 5 : 8);
  });

  it('the focus check can fail: with the focus styles removed in the browser, it reports every stop', async () => {
    // (the page's Content-Security-Policy refuses inline styles; this context may add one)
    const page = await e2e.newPage({ extra: { bypassCSP: true } });
    await page.goto('/inquiry/login');
    await page.addStyleTag({ content: '*:focus, *:focus-visible { outline: none !important; box-shadow: none !important; }' });
    const stops = await focusStops(page);
    expect(stops.length).toBeGreaterThan(8);
    expect(stops.filter((s) => s.indicator !== null)).toEqual([]);
  });

  it('申請を取り下げる with the keyboard only (manual 7, 【申請共通】申請取り下げの操作手順): 検査手数料等まとめ払い中 before a payment number → 検査申請取り下げ', async () => {
    const page = await e2e.newPage();
    const s = scenario('ci-bulk-before-number');
    await logInWithKeyboard(page, spacedNumber(s), s.password);
    await expectTitle(page, '申請状況確認 継続検査');
    const box = page.locator('section').filter({ has: page.getByRole('heading', { name: '申請の取り下げが可能です' }) });
    await tabTo(page, box.getByRole('button', { name: '申請を取り下げる' }), 100);
    await pressAndLoad(page, 'Enter');
    await expectTitle(page, '申請の取り下げ');
    expect(await auditPage(page)).toEqual([]);
    await expect(page.getByText('申請を取り下げると、当該受付番号の申請は継続することができなくなります。').count()).resolves.toBe(1);
    await tabTo(page, page.getByRole('button', { name: '申請を取り下げる' }));
    await pressAndLoad(page, 'Space');
    await expectTitle(page, '申請状況確認 継続検査');
    expect(new URL(page.url()).hash).toBe('#notices');
    await expect(page.getByRole('status').filter({ hasText: '申請を取り下げました。' }).count()).resolves.toBe(1);
    expect(await page.locator('.current-status__label').textContent()).toBe('検査申請取り下げ');
    // 10 通知等情報 shows the result; nothing can be withdrawn any more
    const notices = page.locator('section').filter({ has: page.getByRole('heading', { name: '通知等情報' }) });
    await expect(notices.getByRole('cell', { name: '取り下げ' }).count()).resolves.toBeGreaterThan(0);
    await expect(page.getByRole('button', { name: '申請を取り下げる' }).count()).resolves.toBe(0);
    expect(await auditPage(page)).toEqual([]);
    // the banner was for once: a reload shows the page without it
    await page.reload();
    await expect(page.getByRole('status').filter({ hasText: '申請を取り下げました。' }).count()).resolves.toBe(0);
  });
});
