import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useE2e } from './support/fixture.js';
import { logInAs, scenario } from './support/portal.js';

function part(page: Page, heading: string): Locator {
  return page.locator('section').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });
}

describe('the kept status page, spliced as gzip (decision 0008, round three), in Chromium', () => {
  const e2e = useE2e(import.meta.url);

  it('arrives gzip and whole; its form posts with the spliced CSRF token, and a forged token is refused', async () => {
    const page = await e2e.newPage();
    await logInAs(page, scenario('ci-fees-due'));
    // The login's view rendered and kept the page: this one is assembled from the kept parts.
    const kept = await page.reload();
    expect(await kept!.headerValue('content-encoding')).toBe('gzip');
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toContain('申請状況確認');
    // The end of the page (after the last slot) is there: the 終了 button.
    await expect(page.getByRole('button', { name: '終了' }).count()).resolves.toBe(1);
    const tokens = await page.locator('input[name="_csrf"]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(tokens.length).toBe(2);
    expect(new Set(tokens).size).toBe(1);

    // A forged token: refused (403), nothing registered.
    await page.locator('#mail input[name="_csrf"]').evaluate((input, value) => ((input as HTMLInputElement).value = value), `${tokens[0]!.slice(0, -4)}AAAA`);
    await part(page, '連絡先メールアドレス').getByRole('textbox').fill('forged@example.jp');
    const refused = page.waitForResponse((r) => r.url().endsWith('/inquiry/status/mail'));
    await part(page, '連絡先メールアドレス').getByRole('button', { name: 'メールアドレスを登録する' }).click();
    expect((await refused).status()).toBe(403);

    // The page's own token: registered, the banner spliced in once.
    const again = await page.goto('/inquiry/status');
    expect(await again!.headerValue('content-encoding')).toBe('gzip');
    await expect(part(page, '連絡先メールアドレス').getByText('連絡先メールアドレスは登録されていません。').count()).resolves.toBe(1);
    await part(page, '連絡先メールアドレス').getByRole('textbox').fill('spliced@example.jp');
    await part(page, '連絡先メールアドレス').getByRole('button', { name: 'メールアドレスを登録する' }).click();
    await page.waitForURL('**/inquiry/status#mail');
    await expect(page.getByRole('status').filter({ hasText: '連絡先メールアドレスを登録しました。' }).count()).resolves.toBe(1);
    await expect(part(page, '連絡先メールアドレス').getByText('spliced@example.jp').count()).resolves.toBe(1);
  });
});
