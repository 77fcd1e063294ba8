import { demoScenarios, loginNumber, type DemoScenario } from '../../../../src/demo/scenarios.js';
import type { Application } from '../../../../src/domain/application.js';
import { asReceiptNumber } from '../../../../src/domain/receipt-number.js';
import type { HistoryEntry } from '../../../../src/domain/history.js';
import type { TestApp } from '../../../support/app.js';
import { csrfTokenOf, type TestBrowser } from '../../../support/browser.js';
import { browserFor } from '../../api/support.js';

/**
 * A browser with its own client address: logins are throttled per address (issue 5), and the
 * applicant-action tests log in far more often than one person would.
 */
export { browserFor };

export function scenario(key: string): DemoScenario {
  const s = demoScenarios.find((d) => d.key === key);
  if (!s) throw new Error(`no demo scenario ${key}`);
  return s;
}

export async function applicationIdOf(t: TestApp, s: DemoScenario): Promise<string> {
  const id = await t.services.findApplicationId(asReceiptNumber(loginNumber(s)));
  if (!id) throw new Error(`demo ${s.key} not seeded`);
  return id;
}

export interface Logged {
  readonly b: TestBrowser;
  readonly id: string;
  readonly s: DemoScenario;
  /** The status page right after the login. */
  readonly status: string;
  /** A CSRF token of the session (from the status page). */
  readonly csrf: string;
}

export async function loginAs(t: TestApp, key: string): Promise<Logged> {
  const s = scenario(key);
  const b = browserFor(t.app);
  const page = await b.login(loginNumber(s), s.password);
  if (page.statusCode !== 200) throw new Error(`status page of ${key}: ${page.statusCode}`);
  return { b, id: await applicationIdOf(t, s), s, status: page.body, csrf: csrfTokenOf(page.body) };
}

export interface Snapshot {
  readonly application: Application;
  readonly history: HistoryEntry[];
}

/** The application and its history as stored: compared before and after a refused action. */
export async function snapshot(t: TestApp, id: string): Promise<Snapshot> {
  const read = await t.services.statusInquiry.read(id);
  if (!read) throw new Error(`application ${id} not found`);
  return { application: read.application, history: await t.services.statusInquiry.history(id) };
}

/** The version a page was rendered from (its hidden field). */
export function versionOf(html: string): string {
  const m = /name="version" value="([0-9]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no version field on the page');
  return m[1];
}

export const allKeys = demoScenarios.map((s) => s.key);

/** 2026-11-26 is TEST_NOW's day: a Japan instant on a day relative to it. */
export function japanTime(date: string, time: string): Date {
  return new Date(`${date}T${time}+09:00`);
}
