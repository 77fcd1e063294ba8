import { describe, expect, it } from 'vitest';
import { auditPage } from './support/audit.js';
import { useE2e } from './support/fixture.js';
import { expectStaffTitle, field } from './support/staff.js';
import { scenario, spacedNumber } from './support/portal.js';

/** Demo staff users of 東京主管事務所 with the roles of issue 19 (README). */
const SUPERVISOR = { loginId: 'tokyo-supervisor', password: 'demo-staff-supervisor' } as const;
const VIEWER = { loginId: 'tokyo-viewer', password: 'demo-staff-viewer' } as const;

describe('監督者 (監査ログ, 職員の作成) and 閲覧のみ in Chromium', () => {
  const e2e = useE2e(import.meta.url);

  async function logIn(page: Awaited<ReturnType<typeof e2e.newPage>>, who: { loginId: string; password: string }) {
    await page.goto('/staff/login');
    await field(page, 'ログインID').fill(who.loginId);
    await field(page, 'パスワード').fill(who.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await expectStaffTitle(page, '作業一覧（東京主管事務所）');
  }

  it('監査ログ: the menu leads there, the range filter and its error, the CSV; 職員の作成: errors, then the password shown once; every state passes axe', async () => {
    const page = await e2e.newPage();
    await logIn(page, SUPERVISOR);
    await page.getByRole('navigation', { name: '事務所等用メニュー' }).getByRole('link', { name: '監査ログ' }).click();
    await expectStaffTitle(page, '監査ログ');
    // the supervisor's own login is the last line of today
    await expect(page.locator('tbody tr').last().textContent()).resolves.toContain('監督 三郎（デモ）（tokyo-supervisor）');
    expect(await auditPage(page)).toEqual([]);

    await field(page, '開始日').fill('2026-02-01');
    await field(page, '終了日').fill('2026-01-01');
    await page.getByRole('button', { name: '表示する' }).click();
    await expectStaffTitle(page, 'エラー：監査ログ');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('終了日は開始日と同じ日か、それより後の日付を入力してください。');
    expect(await auditPage(page)).toEqual([]);

    await page.goto('/staff/audit');
    const href = await page.getByRole('link', { name: 'この期間をCSVで出力する' }).getAttribute('href');
    const csv = await page.request.get(href!);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect((await csv.text()).replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('日時（日本時間）,日時（UTC）,操作,操作者の種別,操作者,接続元,受付番号（到達番号）,内容,記録ID');

    await page.getByRole('navigation', { name: '事務所等用メニュー' }).getByRole('link', { name: '職員の作成' }).click();
    await expectStaffTitle(page, '職員の作成');
    expect(await auditPage(page)).toEqual([]);
    await page.getByRole('button', { name: '作成する' }).click();
    await expectStaffTitle(page, 'エラー：職員の作成');
    expect(await auditPage(page)).toEqual([]);
    await field(page, 'ログインID').fill('e2e-viewer');
    await field(page, '表示名').fill('確認 六郎');
    await page.getByRole('radio', { name: /^閲覧のみ/ }).check();
    await page.getByRole('button', { name: '作成する' }).click();
    await expectStaffTitle(page, '職員の作成');
    await expect(page.getByRole('status').textContent()).resolves.toContain('職員「確認 六郎（e2e-viewer）」を作成しました。');
    const password = await page.locator('code.one-time-secret').textContent();
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await auditPage(page)).toEqual([]);

    const other = await e2e.newPage();
    await logIn(other, { loginId: 'e2e-viewer', password: password! });
  });

  it('閲覧のみ: the work list and 申請の詳細 without decision forms or the counter; passes axe', async () => {
    const page = await e2e.newPage();
    await logIn(page, VIEWER);
    const menu = page.getByRole('navigation', { name: '事務所等用メニュー' });
    await expect(menu.getByRole('link', { name: '窓口での受け取り確認' }).count()).resolves.toBe(0);
    await expect(menu.getByRole('link', { name: '監査ログ' }).count()).resolves.toBe(0);
    const s = scenario('ci-under-examination');
    await page.goto(`/staff/applications/${s.receiptNumber}`);
    await expectStaffTitle(page, `申請の詳細 ${spacedNumber(s)}`);
    await expect(page.locator('#decisions').textContent()).resolves.toContain('閲覧のみの権限のため、事務所等の操作はできません。');
    await expect(page.locator('section.decision').count()).resolves.toBe(0);
    expect(await auditPage(page)).toEqual([]);
  });
});
