import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** The demo clerk of 東京主管事務所 (README). */
export const CLERK = { loginId: 'tokyo-clerk', password: 'demo-staff-tokyo' } as const;

/** Waits for the page and checks its title, which in the staff UI ends with ｜軽自動車OSS 事務所等用画面. */
export async function expectStaffTitle(page: Page, title: string): Promise<void> {
  const full = `${title}｜軽自動車OSS 事務所等用画面`;
  await page.waitForLoadState('load');
  await page.waitForFunction((t) => document.title === t, full, { timeout: 5_000 }).catch(() => undefined);
  expect(await page.title()).toBe(full);
}

/** A field by its label (the label may end with the 必須 badge). */
export function field(scope: Page | Locator, label: string): Locator {
  return scope.getByLabel(new RegExp(`^${label}(必須)?$`));
}

/** One decision's form on 申請の詳細, by its heading (補正の通知, 審査完了, …). */
export function decision(page: Page, title: string): Locator {
  return page.locator('section.decision').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
}

/** 事務所等用画面 ログイン as the demo clerk, ending on 作業一覧. */
export async function logInAsClerk(page: Page): Promise<void> {
  await page.goto('/staff/login');
  await field(page, 'ログインID').fill(CLERK.loginId);
  await field(page, 'パスワード').fill(CLERK.password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await expectStaffTitle(page, '作業一覧（東京主管事務所）');
}
