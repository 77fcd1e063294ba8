import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { toPalettePng } from './png-palette.js';

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
 * docs/screenshots/<name>.png, re-encoded with a 256-colour palette (a third of the size) and cut to
 * the top of the page when the whole would still be over DOCS_MAX_BYTES. Returns the paths written.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string[]> {
  mkdirSync(RUN_DIR, { recursive: true });
  const runPath = join(RUN_DIR, `${name}.png`);
  const full = await page.screenshot({ path: runPath, fullPage: true, animations: 'disabled', caret: 'hide' });
  if (!updatingDocs()) return [runPath];
  mkdirSync(DOCS_DIR, { recursive: true });
  const docsPath = join(DOCS_DIR, `${name}.png`);
  let small = toPalettePng(full);
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  const fullHeight = PNG.sync.read(full).height;
  let height = fullHeight;
  while (small.length > DOCS_MAX_BYTES && height > viewport.height) {
    height = Math.max(viewport.height, Math.floor((height * DOCS_MAX_BYTES * 0.9) / small.length));
    small = toPalettePng(await page.screenshot({ clip: { x: 0, y: 0, width: viewport.width, height }, fullPage: true, animations: 'disabled', caret: 'hide' }));
  }
  writeFileSync(docsPath, small);
  return [runPath, docsPath];
}
