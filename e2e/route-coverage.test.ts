import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test/support/app.js';
import { NOT_PAGES, PAGES } from './support/pages.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('every page of the portal and the staff UI is opened by an e2e test', () => {
  it('each GET and POST route of the app is in e2e/support/pages.ts (with the file that covers it) or is not a page', async () => {
    const t = await createTestApp();
    try {
      const routes = [...new Set(t.app.routeCatalogue.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS').map((r) => `${r.method} ${r.url}`))];
      const uncovered = routes.filter((r) => !(r in PAGES) && !NOT_PAGES.some((re) => re.test(r)));
      expect(uncovered, 'add each to e2e/support/pages.ts, with a test that opens it').toEqual([]);
      // and nothing listed that the app does not have (a renamed route would otherwise go unnoticed)
      expect(Object.keys(PAGES).filter((p) => !routes.includes(p))).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('every file named in e2e/support/pages.ts exists', () => {
    const files = [...new Set(Object.values(PAGES))];
    expect(files.filter((f) => !existsSync(join(here, `${f}.test.ts`)))).toEqual([]);
  });
});
