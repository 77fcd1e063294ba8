import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { demoScenarios, loginNumber, type DemoScenario } from '../../src/demo/scenarios.js';

export const NUMBER_LABEL = '受付番号（到達番号）';
export const PASSWORD_LABEL = '申請用パスワード';

/** The manual's two screen examples (sections 3 and 5). */
export const MANUAL_EXAMPLES = {
  continuousInspection: { number: '9999 9999 9999 99999', password: 'demo0101', label: '継続検査' },
  newVehicle: { number: '2112 2310 5000 30459', password: 'demo0201', label: '新車' },
} as const;

export function scenario(key: string): DemoScenario {
  const s = demoScenarios.find((d) => d.key === key);
  if (!s) throw new Error(`no demo scenario ${key}`);
  return s;
}

/** The number as the README shows it (4-4-4-5), as an applicant would type it. */
export function spacedNumber(s: DemoScenario): string {
  const n = loginNumber(s);
  return `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8, 12)} ${n.slice(12)}`;
}

/** Waits for the page the last action led to, and checks its title (the <title> says where we are). */
export async function expectTitle(page: Page, title: string): Promise<void> {
  const full = `${title}｜軽自動車OSS`;
  await page.waitForLoadState('load');
  await page.waitForFunction((t) => document.title === t, full, { timeout: 5_000 }).catch(() => undefined);
  expect(await page.title()).toBe(full);
}

/** Manual 1 ①–③: ポータルサイト → 「画面申請」 → 「状況の照会」. */
export async function openLoginFromTop(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('link', { name: '画面申請' }).click();
  await expectTitle(page, '画面申請');
  await page.getByRole('link', { name: '状況の照会' }).click();
  await expectTitle(page, '状況照会 ログイン');
}

/** Manual 2 ④ and ⑤ (4 ④ ⑤): 受付番号（到達番号） → 次へ → 申請用パスワード → ログイン. */
export async function logInFromLoginPage(page: Page, number: string, password: string): Promise<void> {
  await page.getByRole('textbox', { name: NUMBER_LABEL }).fill(number);
  await page.getByRole('button', { name: '次へ' }).click();
  await page.waitForURL('**/inquiry/login/password');
  await page.getByLabel(PASSWORD_LABEL, { exact: true }).fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.waitForLoadState('load');
}

/** The short way in for the tests that visit every demo application: straight to 状況照会 ログイン. */
export async function logInAs(page: Page, s: DemoScenario): Promise<void> {
  await page.goto('/inquiry/login');
  await logInFromLoginPage(page, spacedNumber(s), s.password);
  await page.waitForURL('**/inquiry/status');
}

/** 終了 at the bottom of 申請状況確認: back to the 画面申請 menu, logged out. */
export async function finish(page: Page): Promise<void> {
  await page.getByRole('button', { name: '終了', exact: true }).click();
  await page.waitForURL('**/online?ended=1');
}
