import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Every run's screenshots (git-ignored). */
export const RUN_DIR = join(root, 'e2e', '.screenshots');
/** The committed set shown in docs/screenshots.md. */
export const DOCS_DIR = join(root, 'docs', 'screenshots');
/** A committed screenshot stays under this size; a longer page is cut at the height that fits. */
export const DOCS_MAX_BYTES = 300 * 1024;

/** `UPDATE_SCREENSHOTS=1` refreshes docs/screenshots/ from this run. */
export function updatingDocs(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['1', 'true', 'on', 'yes'].includes((env.UPDATE_SCREENSHOTS ?? '').toLowerCase());
}

/**
 * Saves the whole page as e2e/.screenshots/<name>.png; with UPDATE_SCREENSHOTS=1 also as
 * docs/screenshots/<name>.png, cut to the top of the page when the whole would be too large.
 * Returns the paths written.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string[]> {
  mkdirSync(RUN_DIR, { recursive: true });
  const runPath = join(RUN_DIR, `${name}.png`);
  await page.screenshot({ path: runPath, fullPage: true, animations: 'disabled', caret: 'hide' });
  if (!updatingDocs()) return [runPath];
  mkdirSync(DOCS_DIR, { recursive: true });
  const docsPath = join(DOCS_DIR, `${name}.png`);
  const size = statSync(runPath).size;
  if (size <= DOCS_MAX_BYTES) {
    copyFileSync(runPath, docsPath);
    return [runPath, docsPath];
  }
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  const fullHeight = await page.evaluate(() => document.documentElement.scrollHeight);
  let height = Math.max(viewport.height, Math.floor((fullHeight * DOCS_MAX_BYTES * 0.9) / size));
  for (;;) {
    await page.screenshot({ path: docsPath, fullPage: true, clip: { x: 0, y: 0, width: viewport.width, height }, animations: 'disabled', caret: 'hide' });
    if (statSync(docsPath).size <= DOCS_MAX_BYTES || height <= viewport.height) break;
    height = Math.max(viewport.height, Math.floor(height * 0.85));
  }
  return [runPath, docsPath];
}
