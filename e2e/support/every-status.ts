import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { demoScenarios } from '../../src/demo/scenarios.js';
import type { ProcedureCode } from '../../src/domain/procedures.js';
import { statuses } from '../../src/domain/statuses.js';
import { auditPage } from './audit.js';
import { pageSignature, reachableFrom } from './crawl.js';
import type { E2e } from './fixture.js';
import { logInAs } from './portal.js';

/** Pages the status page links to that are checked elsewhere (not per application). */
const COMMON = [/^\/inquiry\/status(\?|$|#)/, /^\/inquiry\/status-guide/, /^\/inquiry\/login/, /^\/(online|faq|glossary|sitemap|contact|terms|first-time|bulk|notices)?$/];

/**
 * One test per demo application of the procedure (one per status, and the variants the README
 * lists): log in, audit 申請状況確認, then every page its enabled buttons and links open for that
 * application (the applicant's actions), each distinct state of a page once. One page (one
 * context) serves the whole file: each login replaces the previous session.
 */
export function auditEveryStatus(e2e: E2e, procedure: ProcedureCode): void {
  const seenStates = new Set<string>();
  let page: Page;
  beforeAll(async () => {
    page = await e2e.newPage();
  });
  for (const s of demoScenarios.filter((d) => d.procedure === procedure)) {
    const label = statuses[s.expectedStatus].label;
    const name = s.note.startsWith(label) ? s.note : `${label}（${s.note}）`;
    it(`${name}: zero violations on 申請状況確認 and on every page it opens`, async () => {
      await logInAs(page, s);
      expect(await page.locator('.current-status__label').textContent()).toBe(label);
      // 手続進捗状況 has its sentence for screen readers in every status.
      expect(await page.getByRole('navigation', { name: '手続進捗状況' }).locator('.visually-hidden').first().textContent()).toMatch(/^全[34]ステップ中、/);
      const problems: Record<string, string[]> = {};
      const status = await auditPage(page);
      if (status.length > 0) problems['/inquiry/status'] = status;
      for (const path of await reachableFrom(page)) {
        if (COMMON.some((re) => re.test(path))) continue;
        await page.goto(path);
        const state = `${path.split('?')[0]}|${await pageSignature(page)}`;
        if (seenStates.has(state)) continue;
        seenStates.add(state);
        const found = await auditPage(page);
        if (found.length > 0) problems[path] = found;
      }
      expect(problems).toEqual({});
    });
  }
}
