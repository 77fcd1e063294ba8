import { AxeBuilder } from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { Page } from 'playwright-core';

/** JIS X 8341-3:2016 asks for WCAG 2.0 AA; we check up to WCAG 2.2 AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Runs axe in the page itself (legacy mode: axe.run, same-origin frames only). Our pages have no
 * frames, and this spares the blank page the default mode opens and fills for every run. Only the
 * violations are collected in detail (resultTypes), which saves a fifth of the time on a long page.
 */
export async function axeViolations(page: Page): Promise<Result[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).setLegacyMode(true).options({ resultTypes: ['violations'] }).analyze();
  return results.violations;
}

/** One line per failing element, readable in a test failure: rule, impact, element, what to fix. */
export function describeViolations(violations: readonly Result[]): string[] {
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact ?? 'n/a'}): ${n.target.join(' ')} — ${v.help}. ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`),
  );
}

/** The violations of the page as readable lines: `expect(await axeReport(page)).toEqual([])`. */
export async function axeReport(page: Page): Promise<string[]> {
  return describeViolations(await axeViolations(page));
}
