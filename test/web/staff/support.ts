import { expect } from 'vitest';
import type { TestApp } from '../../support/app.js';
import type { TestBrowser } from '../../support/browser.js';
import { browserFor } from '../api/support.js';

export const TOKYO_CLERK = { loginId: 'tokyo-clerk', password: 'demo-staff-tokyo' } as const;
export const NERIMA_CLERK = { loginId: 'nerima-clerk', password: 'demo-staff-nerima' } as const;

/** A clerk's browser, logged in to the staff UI (the demo clerks come with the demo data). */
export async function staffBrowser(t: TestApp, clerk: { loginId: string; password: string } = TOKYO_CLERK): Promise<TestBrowser> {
  const b = browserFor(t.app);
  await b.get('/staff/login');
  const res = await b.post('/staff/login', { loginId: clerk.loginId, password: clerk.password });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
  return b;
}

/** The hidden version of a decision form on the last page. */
export function versionOn(html: string, decision: string): string {
  const form = new RegExp(`action="/staff/applications/\\d{17}/${decision}"[\\s\\S]*?name="version" value="(\\d+)"`).exec(html);
  if (!form?.[1]) throw new Error(`no ${decision} form on the page`);
  return form[1];
}

/** The hidden one-time form token of a decision form on the last page. */
export function formTokenOn(html: string, decision: string): string {
  const form = new RegExp(`action="/staff/applications/\\d{17}/${decision}"[\\s\\S]*?name="formToken" value="([0-9a-f-]{36})"`).exec(html);
  if (!form?.[1]) throw new Error(`no form token in the ${decision} form`);
  return form[1];
}
