import { describe, expect, it } from 'vitest';
import { auditPage } from './support/audit.js';
import { useE2e } from './support/fixture.js';
import { decodeQr } from './support/qr.js';
import { CLERK, decision, expectStaffTitle, field, logInAsClerk } from './support/staff.js';
import { logInAs, scenario, spacedNumber } from './support/portal.js';

describe('the staff UI (事務所等用画面) in Chromium', () => {
  const e2e = useE2e(import.meta.url);

  it('ログイン: the errors, a wrong password, then 作業一覧; ログアウト; every state passes axe', async () => {
    const page = await e2e.newPage();
    await page.goto('/staff');
    await expectStaffTitle(page, '事務所等用画面 ログイン');
    expect(await auditPage(page)).toEqual([]);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await expectStaffTitle(page, 'エラー：事務所等用画面 ログイン');
    expect(await page.getByRole('alert').getByRole('link').count()).toBe(2);
    expect(await auditPage(page)).toEqual([]);
    await field(page, 'ログインID').fill(CLERK.loginId);
    await field(page, 'パスワード').fill('wrong-password');
    await page.getByRole('button', { name: 'ログイン' }).click();
    await expectStaffTitle(page, 'エラー：事務所等用画面 ログイン');
    expect(await auditPage(page)).toEqual([]);
    await field(page, 'パスワード').fill(CLERK.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await expectStaffTitle(page, '作業一覧（東京主管事務所）');
    expect(await auditPage(page)).toEqual([]);
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await expectStaffTitle(page, '事務所等用画面 ログイン');
    await expect(page.getByRole('status').filter({ hasText: 'ログアウトしました。' }).count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);
  });

  it('補正の通知 from 申請の詳細: errors by the field, then recorded; the applicant then sees 検査申請補正待ち with the reason', async () => {
    const page = await e2e.newPage();
    await logInAsClerk(page);
    const s = scenario('ci-under-examination');
    await page.goto(`/staff/applications/${s.receiptNumber}`);
    await expectStaffTitle(page, `申請の詳細 ${spacedNumber(s)}`);
    const form = decision(page, '補正の通知');
    await field(form, '理由').fill('');
    await field(form, '補正期限').fill('');
    await form.getByRole('button', { name: '補正を通知する' }).click();
    await expectStaffTitle(page, `エラー：申請の詳細 ${spacedNumber(s)}`);
    const summary = page.getByRole('alert');
    await expect(summary.getByRole('heading', { name: '「補正の通知」を記録できませんでした' }).count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);
    // the summary's link leads to the field
    await summary.getByRole('link').first().click();
    expect(await field(decision(page, '補正の通知'), '理由').evaluate((el) => el === document.activeElement)).toBe(true);

    await field(decision(page, '補正の通知'), '理由').fill('使用者の住所の誤り');
    await field(decision(page, '補正の通知'), '理由の詳細').fill('使用者の住所を住民票のとおりに補正してください。');
    const due = new Date(Date.now() + 10 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    await field(decision(page, '補正の通知'), '補正期限').fill(due);
    await decision(page, '補正の通知').getByRole('button', { name: '補正を通知する' }).click();
    await expect(page.getByRole('status').filter({ hasText: '「補正の通知」を記録しました。' }).count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);

    const applicant = await e2e.newPage();
    await logInAs(applicant, s);
    expect(await applicant.locator('.current-status__label').textContent()).toBe('検査申請補正待ち');
    const notices = applicant.locator('section').filter({ has: applicant.getByRole('heading', { name: '通知等情報' }) });
    await expect(notices.getByText('使用者の住所の誤り').count()).resolves.toBe(1);
  });

  it('窓口での受け取り確認: the applicant prints the 2D code, the clerk enters what the scanner reads, checks it and records the hand-over → 返付済', async () => {
    const s = scenario('ci-ready');
    const applicant = await e2e.newPage();
    await logInAs(applicant, s);
    await applicant.getByRole('button', { name: '受取者認証兼受取車両個別申告用二次元コードの発行' }).click();
    await applicant.getByRole('button', { name: '二次元コードを発行する' }).click();
    const code = decodeQr(await applicant.getByRole('img', { name: /受取者認証兼受取車両個別申告用二次元コード/ }).screenshot());
    expect(code).toBeTruthy();

    const page = await e2e.newPage();
    await logInAsClerk(page);
    await page.getByRole('link', { name: '窓口での受け取り確認' }).click();
    await expectStaffTitle(page, '窓口での受け取り確認');
    expect(await auditPage(page)).toEqual([]);
    // the field has the focus, so that a scanner can type straight into it
    expect(await field(page, '二次元コードの内容').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByRole('button', { name: '確認する' }).click();
    await expectStaffTitle(page, 'エラー：窓口での受け取り確認');
    expect(await auditPage(page)).toEqual([]);
    await field(page, '二次元コードの内容').fill('KEIOSS1-not-a-code');
    await page.getByRole('button', { name: '確認する' }).click();
    await expectStaffTitle(page, 'エラー：窓口での受け取り確認');
    expect(await auditPage(page)).toEqual([]);

    // a scanner types the content and Enter
    await field(page, '二次元コードの内容').fill('');
    await field(page, '二次元コードの内容').pressSequentially(code);
    await page.keyboard.press('Enter');
    await expectStaffTitle(page, `窓口での受け取り確認（${spacedNumber(s)}）`);
    await expect(page.getByRole('table', { name: '二次元コードの申請' }).getByRole('row', { name: /申請状況 返付準備完了/ }).count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);
    await page.getByRole('button', { name: '受け取りを記録する' }).click();
    await expectStaffTitle(page, '窓口での受け取り確認');
    await expect(page.getByRole('status').filter({ hasText: '受け取りを記録しました' }).count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);

    await applicant.goto('/inquiry/status');
    expect(await applicant.locator('.current-status__label').textContent()).toBe('返付済');
  });

  it("another office's application is not found (申請が見つかりません), and the page passes axe", async () => {
    const page = await e2e.newPage();
    await logInAsClerk(page);
    const response = await page.goto(`/staff/applications/${scenario('ci-invalidated-office').receiptNumber}`);
    expect(response?.status()).toBe(404);
    await expectStaffTitle(page, '申請が見つかりません');
    expect(await auditPage(page)).toEqual([]);
  });
});
