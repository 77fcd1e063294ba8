import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchBrowser } from './browser.js';
import { claimedBy } from './pages.js';
import { startServer, type E2eServer } from './server.js';

export const DESKTOP = { width: 1280, height: 900 } as const;
export const PHONE = { width: 375, height: 812 } as const;

export type FontSizeChoice = 'small' | 'medium' | 'large';

export interface PageOptions {
  readonly viewport?: { width: number; height: number };
  /** Sets the 文字サイズ cookie before the first page, as if chosen earlier. */
  readonly fontSize?: FontSizeChoice;
  /** Turns JavaScript off: every page must work without it. */
  readonly javaScript?: boolean;
  readonly extra?: BrowserContextOptions;
}

export interface E2e {
  readonly server: E2eServer;
  readonly browser: Browser;
  readonly baseUrl: string;
  /** A fresh context (own cookies) and its page; closed after the file. Built from browser.newContext() (axe needs it). */
  newPage(options?: PageOptions): Promise<Page>;
  /** Closes a context early (its cookies go with it). */
  close(page: Page): Promise<void>;
}

/**
 * One server and one browser per test file (started in beforeAll, stopped in afterAll); each test
 * gets its own context, so cookies never leak from one applicant to the next. After the file, the
 * server must not have logged a single error (a 500 behind a page that looks fine is still a bug),
 * and, when the whole file ran, it must have reached every route e2e/support/pages.ts says it covers.
 * Pass `import.meta.url`.
 */
/** `settings`: environment settings of the server for this file only, as an operator would set them (e.g. ACCOUNT_TOTP_REQUIRED: 'on'). */
export function useE2e(testFileUrl: string, settings: Readonly<Record<string, string>> = {}): E2e {
  const file = basename(fileURLToPath(testFileUrl)).replace(/\.test\.ts$/, '');
  let server: E2eServer | undefined;
  let browser: Browser | undefined;
  const contexts = new Set<BrowserContext>();

  beforeAll(async () => {
    // Both at once; whichever started is stopped in afterAll even if the other failed.
    const [s, b] = await Promise.allSettled([startServer(settings), launchBrowser()]);
    if (s.status === 'fulfilled') server = s.value;
    if (b.status === 'fulfilled') browser = b.value;
    if (b.status === 'rejected') throw b.reason;
    if (s.status === 'rejected') throw s.reason;
  });

  // eslint-disable-next-line no-empty-pattern -- vitest reads the hook's fixtures from a destructuring pattern; this hook needs none, only the suite
  afterAll(async ({}, suite) => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    const errors = server?.errors() ?? [];
    const hits = server?.hits() ?? new Map<string, number>();
    await server?.stop();
    expect(errors, 'the server logged errors during the e2e run').toEqual([]);
    const wholeFile = server !== undefined && suite.tasks.every((t) => t.mode === 'run');
    if (wholeFile) {
      const missing = claimedBy(file).filter((route) => !hits.has(route));
      expect(missing, `routes e2e/support/pages.ts says ${file}.test.ts covers, never reached`).toEqual([]);
    }
  });

  const need = <T>(v: T | undefined, what: string): T => {
    if (!v) throw new Error(`${what} is not started (useE2e(import.meta.url) must be called in a describe block)`);
    return v;
  };

  return {
    get server() {
      return need(server, 'the server');
    },
    get browser() {
      return need(browser, 'the browser');
    },
    get baseUrl() {
      return need(server, 'the server').baseUrl;
    },
    async newPage(options: PageOptions = {}) {
      const base = need(server, 'the server').baseUrl;
      const context = await need(browser, 'the browser').newContext({
        baseURL: base,
        viewport: options.viewport ?? DESKTOP,
        locale: 'ja-JP',
        timezoneId: 'Asia/Tokyo',
        javaScriptEnabled: options.javaScript ?? true,
        ...options.extra,
      });
      contexts.add(context);
      context.setDefaultTimeout(10_000);
      if (options.fontSize) {
        await context.addCookies([{ name: 'kei_font_size', value: options.fontSize, url: base }]);
      }
      return context.newPage();
    },
    async close(page: Page) {
      const context = page.context();
      contexts.delete(context);
      await context.close();
    },
  };
}
