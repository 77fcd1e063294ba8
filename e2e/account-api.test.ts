import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../src/demo/account.js';
import { auditPage } from './support/audit.js';
import { PHONE, useE2e } from './support/fixture.js';
import { expectTitle } from './support/portal.js';

const TITLE = 'APIトークン・Webhook';

/** 利用者ID ログイン with the demo dealer (README), then the API page the 一括申請 page links to. */
async function logInToApiPage(page: Page): Promise<void> {
  await page.goto('/account/login');
  await page.getByRole('textbox', { name: '利用者ID' }).fill(DEMO_ACCOUNT.userId);
  await page.getByLabel('パスワード', { exact: true }).fill(DEMO_ACCOUNT.password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await expectTitle(page, '申請一覧');
  await page.goto('/account/api');
  await expectTitle(page, TITLE);
}

describe('APIトークン and Webhook of a 利用者ID (issue 17), in Chromium', () => {
  const e2e = useE2e(import.meta.url);

  it('issues a token (shown once) and revokes it; registers a webhook, rotates its secret, enables and deletes it — axe clean at 1280 and 375 px', async () => {
    for (const viewport of [undefined, PHONE]) {
      const page = await e2e.newPage(viewport ? { viewport } : {});
      await logInToApiPage(page);
      expect(await auditPage(page)).toEqual([]);

      // トークンを発行する: a name, the scope 参照 (read), 30 days.
      const name = `e2e-${viewport ? 'phone' : 'desktop'}`;
      await page.getByRole('textbox', { name: /^名前/ }).fill(name);
      await page.locator('input[name="scopes"][value="read"]').check();
      await page.locator('input[name="days"][value="30"]').check();
      await page.getByRole('button', { name: '発行する' }).click();
      expect(await auditPage(page)).toEqual([]);
      const body = await page.locator('main').innerText();
      expect(body).toMatch(/keioss_[A-Za-z0-9_-]{20,}/);
      // 無効にする: the token's row says so afterwards.
      await page.goto('/account/api');
      await page.getByRole('button', { name: `トークン「${name}」を無効にする` }).click();
      await expectTitle(page, TITLE);
      expect(await auditPage(page)).toEqual([]);
      await expect(page.getByRole('button', { name: `トークン「${name}」を無効にする` }).count()).resolves.toBe(0);

      // 送信先を登録する (http to loopback is allowed outside production): the secret is shown once.
      const url = `http://127.0.0.1:9/hooks/${name}`;
      await page.getByRole('textbox', { name: /^送信先の URL/ }).fill(url);
      await page.getByRole('button', { name: '送信先を登録する' }).click();
      expect(await auditPage(page)).toEqual([]);
      expect(await page.locator('main').innerText()).toMatch(/whsec_[A-Za-z0-9+/=_-]{20,}/);
      await page.goto('/account/api');
      const section = page.locator('section.webhook-endpoint', { hasText: url });
      await expect(section.count()).resolves.toBe(1);
      await section.getByRole('button', { name: '署名の鍵を更新する' }).click();
      expect(await page.locator('main').innerText()).toMatch(/whsec_[A-Za-z0-9+/=_-]{20,}/);
      // 再び有効にする is offered only for a disabled endpoint; the route answers an enabled one too.
      await page.goto('/account/api');
      const action = await page.locator('section.webhook-endpoint', { hasText: url }).locator('form[action$="/rotate"]').getAttribute('action');
      const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      const enabled = await page.request.post(action!.replace(/\/rotate$/, '/enable'), { form: { _csrf: csrf }, maxRedirects: 0 });
      expect(enabled.status()).toBe(303);
      await page.goto('/account/api');
      await page.locator('section.webhook-endpoint', { hasText: url }).getByRole('button', { name: 'この送信先を削除する' }).click();
      await expectTitle(page, TITLE);
      await expect(page.locator('section.webhook-endpoint', { hasText: url }).count()).resolves.toBe(0);
      await page.close();
    }
  });
});
