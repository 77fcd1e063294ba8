import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../src/demo/account.js';
import { auditPage } from './support/audit.js';
import { PHONE, useE2e } from './support/fixture.js';
import { expectTitle } from './support/portal.js';

async function audited(page: Page, title: string): Promise<void> {
  await expectTitle(page, title);
  expect(await auditPage(page), title).toEqual([]);
}

describe('二要素認証 required by the operator (ACCOUNT_TOTP_REQUIRED=on) in Chromium (issue 16, decision 0013)', () => {
  const e2e = useE2e(import.meta.url, { ACCOUNT_TOTP_REQUIRED: 'on' });

  it('the demo 利用者ID (hundreds of applications, no two-factor) is sent from login to the setup with the reason, cannot reach 申請一覧 until a TOTP code is set, at 375 px and from the keyboard', async () => {
    const page = await e2e.newPage({ viewport: PHONE });
    await page.goto('/account/login');
    await page.getByLabel('利用者ID', { exact: true }).fill(DEMO_ACCOUNT.userId);
    await page.getByLabel('パスワード', { exact: true }).fill(DEMO_ACCOUNT.password);
    await page.getByLabel('パスワード', { exact: true }).press('Enter');
    await audited(page, '二要素認証の設定');
    expect(new URL(page.url()).pathname).toBe('/account/totp');
    await expect(page.locator('main').textContent()).resolves.toContain('申請を2件以上お持ちの利用者IDは、二要素認証の設定が必要です。');

    // 申請一覧 and 納付を行う lead back to the setup while two-factor is missing.
    for (const path of ['/account/applications', '/account/payments', '/account/api']) {
      await page.goto(path);
      expect(new URL(page.url()).pathname, path).toBe('/account/totp');
    }

    // A wrong code is refused with its message; the right one, typed and sent with the keyboard, sets it.
    const key = (await page.locator('code').textContent())!.replace(/\s/g, '');
    await page.getByLabel(/^確認コード/).fill('000000');
    await page.getByLabel(/^確認コード/).press('Enter');
    await audited(page, 'エラー：二要素認証の設定');
    await page.getByLabel(/^確認コード/).fill(new TOTP({ secret: Secret.fromBase32(key) }).generate());
    await page.getByLabel(/^確認コード/).press('Enter');
    // The リカバリーコード, shown once, then 利用者情報 with their count.
    await audited(page, 'リカバリーコード');
    const codes = await page.getByRole('list', { name: 'リカバリーコード' }).locator('code').allTextContents();
    expect(codes).toHaveLength(10);
    await page.getByRole('link', { name: '利用者情報へ' }).click();
    await audited(page, '利用者情報');
    await expect(page.locator('#recovery-codes-left').textContent()).resolves.toBe('使用できるリカバリーコード：残り10個');

    await page.goto('/account/applications');
    await audited(page, '申請一覧');
    expect(new URL(page.url()).pathname).toBe('/account/applications');

    // The authenticator lost: a リカバリーコード in place of the 確認コード logs in, once.
    await page.getByRole('button', { name: '終了' }).click();
    await page.goto('/account/login');
    await page.getByLabel('利用者ID', { exact: true }).fill(DEMO_ACCOUNT.userId);
    await page.getByLabel('パスワード', { exact: true }).fill(DEMO_ACCOUNT.password);
    await page.getByLabel(/^確認コード/).fill(codes[0]!);
    await page.getByLabel(/^確認コード/).press('Enter');
    await audited(page, '申請一覧');
    await page.goto('/account');
    await expect(page.locator('#recovery-codes-left').textContent()).resolves.toBe('使用できるリカバリーコード：残り9個');

    // A new set needs the password typed again: a wrong one is refused on its field; the right one, sent with the keyboard, issues ten new codes.
    await page.getByLabel(/^パスワード/).fill('not-the-password-2026');
    await page.getByRole('button', { name: 'リカバリーコードを再発行する' }).click();
    await audited(page, 'エラー：利用者情報');
    await expect(page.locator('#password-error').textContent()).resolves.toContain('パスワードが正しくありません。');
    await page.getByLabel(/^パスワード/).fill(DEMO_ACCOUNT.password);
    await page.getByLabel(/^パスワード/).press('Enter');
    await audited(page, 'リカバリーコード');
    const renewed = await page.getByRole('list', { name: 'リカバリーコード' }).locator('code').allTextContents();
    expect(renewed).toHaveLength(10);
    expect(renewed.filter((c) => codes.includes(c))).toEqual([]);
  });
});
