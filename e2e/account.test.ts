import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../src/demo/account.js';
import { auditPage } from './support/audit.js';
import { PHONE, useE2e } from './support/fixture.js';
import { expectTitle, scenario, spacedNumber } from './support/portal.js';

const PASSWORD = 'hanamizuki dealer passphrase';

/** The link of the newest outbox mail of this kind to this address (what the mail worker would send). */
async function mailedPath(e2e: ReturnType<typeof useE2e>, kind: string, to: string): Promise<string> {
  const row = await e2e.server.runtime.database.db.selectFrom('mail_outbox').select('text_body').where('kind', '=', kind).where('to_address', '=', to).orderBy('seq', 'desc').executeTakeFirstOrThrow();
  return /https?:\/\/[^/\s]+(\/account\/[a-z]+\/[A-Za-z0-9_-]+)/.exec(row.text_body)![1]!;
}

async function audited(page: Page, title: string): Promise<void> {
  await expectTitle(page, title);
  expect(await auditPage(page), title).toEqual([]);
}

async function login(page: Page, userId: string, password: string, code = ''): Promise<void> {
  await page.goto('/account/login');
  await page.getByLabel('利用者ID', { exact: true }).fill(userId);
  await page.getByLabel('パスワード', { exact: true }).fill(password);
  if (code) await page.getByLabel('確認コード（二要素認証を設定している方のみ）').fill(code);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

describe('利用者ID in Chromium: 発行 → メールの確認 → ログイン → 申請一覧 → 申請状況確認 (issue 16)', () => {
  const e2e = useE2e(import.meta.url);

  it('a dealer issues a 利用者ID from 事前の準備, confirms it by the mailed link, logs in, adds an application and opens it from the list', async () => {
    const page = await e2e.newPage();
    await page.goto('/first-time');
    await page.getByRole('link', { name: '利用者IDの発行' }).last().click();
    await audited(page, '利用者IDの発行');
    await page.getByRole('button', { name: '利用者IDを発行する' }).click();
    await audited(page, 'エラー：利用者IDの発行');
    await page.getByRole('radio', { name: '法人・個人事業主' }).check();
    await page.getByLabel(/^氏名又は名称/).fill('はなみずき自動車販売');
    await page.getByLabel(/^連絡先メールアドレス/).fill('office@hanamizuki.example.jp');
    await page.getByLabel(/^パスワード(必須)?$/).fill(PASSWORD);
    await page.getByRole('button', { name: '利用者IDを発行する' }).click();
    await audited(page, '利用者IDを発行しました');
    const userId = (await page.locator('.user-id').textContent())!.trim();
    expect(userId).toMatch(/^\d{4} \d{4} \d{4}$/);

    await page.goto(await mailedPath(e2e, 'accountConfirmation', 'office@hanamizuki.example.jp'));
    await audited(page, 'メールアドレスの確認');
    await page.getByRole('button', { name: '確認する' }).click();
    await audited(page, '利用者ID ログイン');
    await expect(page.getByText('メールアドレスの確認が完了しました。').isVisible()).resolves.toBe(true);

    await login(page, userId, PASSWORD);
    await audited(page, '申請一覧');
    await page.getByRole('navigation', { name: '利用者IDのメニュー' }).getByRole('link', { name: '申請の追加' }).click();
    await audited(page, '申請の追加');
    const ready = scenario('ci-ready');
    await page.getByLabel('受付番号（到達番号）').fill(spacedNumber(ready));
    await page.getByLabel('申請用パスワード').fill(ready.password);
    await page.getByRole('button', { name: '申請一覧に追加する' }).click();
    await audited(page, '申請の追加');
    await page.getByRole('link', { name: '申請一覧へ' }).click();
    await audited(page, '申請一覧');
    await page.getByRole('link', { name: spacedNumber(ready), exact: true }).click();
    await expectTitle(page, '申請状況確認 継続検査');
    await expect(page.getByRole('button', { name: '受取者認証兼受取車両個別申告用二次元コードの発行' }).isEnabled()).resolves.toBe(true);
    await page.getByRole('link', { name: '申請一覧へ戻る' }).click();
    await page.getByRole('link', { name: `${spacedNumber(ready)}を一覧から削除` }).click();
    await audited(page, '申請一覧からの削除');
    await page.getByRole('button', { name: '申請一覧から削除する' }).click();
    await audited(page, '申請一覧');
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/^全0件/);
    await page.getByRole('button', { name: '終了' }).click();
    await audited(page, '利用者ID ログイン');
  });

  it('the demo 利用者ID’s list: needs-the-user first, filters, CSV, keyboard only and 375 px wide', async () => {
    const page = await e2e.newPage({ viewport: PHONE });
    await page.goto('/account/login');
    // Keyboard only: the fields and the button in tab order.
    await page.getByLabel('利用者ID', { exact: true }).focus();
    await page.keyboard.type(DEMO_ACCOUNT.userId);
    await page.keyboard.press('Tab');
    await page.keyboard.type(DEMO_ACCOUNT.password);
    await page.keyboard.press('Enter');
    await audited(page, '申請一覧');
    const count = (await page.getByRole('status').textContent())!;
    expect(count).toMatch(/^全\d{3}件（1〜50件目を表示）/);
    const firstRow = page.locator('tbody tr').first();
    await expect(firstRow.getAttribute('data-group')).resolves.toBe('needsUser');
    // No horizontal scroll of the page itself at 375 px (the table scrolls inside its region).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole('combobox', { name: '申請状況' }).selectOption({ label: 'お客様の操作が必要な申請' });
    await page.getByRole('button', { name: '絞り込む' }).click();
    await audited(page, '申請一覧');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /CSVでダウンロード/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^applications-\d{8}\.csv$/);
    await page.getByRole('link', { name: '2ページ目' }).click();
    await audited(page, '申請一覧');
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/（51〜\d+件目を表示）/);
    await page.getByRole('navigation', { name: '利用者IDのメニュー' }).getByRole('link', { name: '利用者情報' }).click();
    await audited(page, '利用者情報');
  });

  it('two-factor on with the QR page, a TOTP code at login, off again; password reset by the mailed link', async () => {
    const page = await e2e.newPage();
    await page.goto('/account/register');
    await page.getByRole('radio', { name: '行政書士' }).check();
    await page.getByLabel(/^氏名又は名称/).fill('さくら行政書士事務所');
    await page.getByLabel(/^連絡先メールアドレス/).fill('sakura@gyosei.example.jp');
    await page.getByLabel(/^パスワード(必須)?$/).fill(PASSWORD);
    await page.getByRole('button', { name: '利用者IDを発行する' }).click();
    const userId = (await page.locator('.user-id').textContent())!.trim();
    await page.goto(await mailedPath(e2e, 'accountConfirmation', 'sakura@gyosei.example.jp'));
    await page.getByRole('button', { name: '確認する' }).click();
    await login(page, userId, PASSWORD);
    await page.getByRole('navigation', { name: '利用者IDのメニュー' }).getByRole('link', { name: '利用者情報' }).click();
    await page.getByRole('link', { name: '二要素認証を設定する' }).click();
    await audited(page, '二要素認証の設定');
    const key = (await page.locator('code').textContent())!.replace(/\s/g, '');
    const code = () => new TOTP({ secret: Secret.fromBase32(key) }).generate();
    await page.getByLabel(/^確認コード/).fill('000000');
    await page.getByRole('button', { name: '設定する' }).click();
    await audited(page, 'エラー：二要素認証の設定');
    await page.getByLabel(/^確認コード/).fill(code());
    await page.getByRole('button', { name: '設定する' }).click();
    await audited(page, 'リカバリーコード');
    await page.getByRole('button', { name: '終了' }).click();

    await login(page, userId, PASSWORD);
    await audited(page, 'エラー：利用者ID ログイン');
    await login(page, userId, PASSWORD, code());
    await audited(page, '申請一覧');
    await page.getByRole('navigation', { name: '利用者IDのメニュー' }).getByRole('link', { name: '利用者情報' }).click();
    await page.getByLabel(/^確認コード/).fill(code());
    await page.getByRole('button', { name: '二要素認証を解除する' }).click();
    await audited(page, '利用者情報');
    await expect(page.getByRole('table', { name: '操作の記録' }).textContent()).resolves.toContain('二要素認証の解除');
    await page.getByRole('button', { name: '終了' }).click();

    await page.getByRole('link', { name: 'パスワードを忘れた方' }).click();
    await audited(page, 'パスワードの再設定');
    await page.getByLabel('利用者ID', { exact: true }).fill(userId);
    await page.getByLabel('連絡先メールアドレス').fill('sakura@gyosei.example.jp');
    await page.getByRole('button', { name: '再設定用のメールを送る' }).click();
    await audited(page, 'パスワードの再設定');
    await page.goto(await mailedPath(e2e, 'accountPasswordReset', 'sakura@gyosei.example.jp'));
    await audited(page, '新しいパスワードの設定');
    await page.getByLabel(/^新しいパスワード/).fill('another sakura passphrase');
    await page.getByRole('button', { name: 'パスワードを設定する' }).click();
    await audited(page, '利用者ID ログイン');
    await login(page, userId, 'another sakura passphrase');
    await audited(page, '申請一覧');
  });
});
