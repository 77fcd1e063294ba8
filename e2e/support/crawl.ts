import type { Page } from 'playwright-core';

/** Links that are not pages of their own: assets, the 文字サイズ switch, logout, downloads (.ics), images, the API. */
const NOT_A_PAGE = [/^\/assets\//, /^\/font-size/, /^\/inquiry\/logout/, /^\/staff\/logout/, /^\/api\//, /^\/healthz/, /^\/readyz/, /^\/docs/, /\.(ics|png|pdf|csv)(\?|$)/];

/**
 * Where a person can go from this page without changing anything: same-origin links and GET forms
 * (the manual's buttons that open a page), as paths with their query. Disabled buttons lead nowhere.
 */
export async function reachableFrom(page: Page): Promise<string[]> {
  const origin = new URL(page.url()).origin;
  const found = await page.evaluate(() => {
    const out: string[] = [];
    document.querySelectorAll('a[href]').forEach((a) => out.push((a as HTMLAnchorElement).href));
    document.querySelectorAll('form').forEach((f) => {
      const form = f;
      if ((form.getAttribute('method') ?? 'get').toLowerCase() !== 'get') return;
      const submit = form.querySelector<HTMLButtonElement>('button[type="submit"], button:not([type]), input[type="submit"]');
      if (!submit || submit.disabled) return;
      const url = new URL(form.action);
      new FormData(form).forEach((v, k) => url.searchParams.append(k, String(v)));
      out.push(url.href);
    });
    return out;
  });
  const paths = new Set<string>();
  for (const href of found) {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      continue;
    }
    if (url.origin !== origin) continue;
    const path = `${url.pathname}${url.search}`;
    if (NOT_A_PAGE.some((re) => re.test(path))) continue;
    paths.add(path);
  }
  return [...paths].sort();
}

/** What distinguishes one state of a page from another (its title, headings and controls), for deciding whether to check it again. */
export async function pageSignature(page: Page): Promise<string> {
  return page.evaluate(() => {
    const headings = Array.from(document.querySelectorAll("h1, h2, h3")).map((h) => (h as HTMLElement).innerText.trim());
    const controls = Array.from(document.querySelectorAll(`input:not([type="hidden"]), select, textarea, button`)).map(
      (c) => `${c.tagName}:${c.getAttribute('name') ?? ''}:${(c as HTMLButtonElement).disabled ? 'off' : 'on'}:${c.textContent?.trim() ?? ''}`,
    );
    // Numbers (受付番号, dates, counts) do not make another state of a page; its parts and controls do.
    return [document.title, ...headings, ...controls].join('|').replace(/\d/g, '#');
  });
}
