import type { Page } from 'playwright-core';
import { axeReport } from './axe.js';

/**
 * Everything we ask of every page, as readable problems (an empty list: the page passes):
 * axe with the WCAG 2.0–2.2 A/AA tags, lang="ja", a title naming the page and the site, exactly
 * one h1, and a skip link whose target exists.
 */
export async function auditPage(page: Page): Promise<string[]> {
  const problems = await axeReport(page);
  const facts = await page.evaluate(() => {
    const skip = document.querySelector<HTMLAnchorElement>('a.skip-link');
    const target = skip ? document.querySelector(skip.getAttribute('href') ?? '#none') : null;
    return {
      lang: document.documentElement.lang,
      title: document.title,
      h1: document.querySelectorAll('h1').length,
      skipText: skip?.textContent?.trim() ?? null,
      skipTarget: target ? target.tagName.toLowerCase() : null,
    };
  });
  if (facts.lang !== 'ja') problems.push(`lang is "${facts.lang}", not "ja"`);
  if (!/^.+｜軽自動車OSS( 事務所等用画面)?$/.test(facts.title)) problems.push(`title "${facts.title}" does not name the page and the site`);
  if (facts.h1 !== 1) problems.push(`${facts.h1} h1 elements (one expected)`);
  if (facts.skipText !== '本文へ移動') problems.push('no skip link 本文へ移動');
  if (facts.skipTarget !== 'main') problems.push(`the skip link leads to ${facts.skipTarget ?? 'nothing'}, not to <main>`);
  return problems;
}

/** Collects the problems of many pages, keyed by a label, so one failure lists them all. */
export class AuditLog {
  readonly problems: Record<string, string[]> = {};
  readonly checked: string[] = [];

  async check(page: Page, label: string): Promise<void> {
    this.checked.push(label);
    const found = await auditPage(page);
    if (found.length > 0) this.problems[label] = found;
  }
}
