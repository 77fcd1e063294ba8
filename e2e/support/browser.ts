import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The browser the e2e tests drive: Debian's Chromium (Playwright's own download cannot reach its
 * host here), at CHROMIUM_PATH or /usr/bin/chromium. Without one the run fails and says how to
 * install it: a browser test that silently skips would prove nothing.
 */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Text renders the same on every machine: no sub-pixel hinting differences in screenshots.
  '--font-render-hinting=none',
];

export class BrowserNotFoundError extends Error {}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function installHint(): string {
  return [
    'The e2e tests need Chromium, and none was found.',
    '  Install it (Debian/Ubuntu, as root):  apt-get install -y chromium fonts-noto-cjk',
    `  or point CHROMIUM_PATH at a Chromium or Chrome binary (looked in: ${CHROMIUM_CANDIDATES.join(', ')}).`,
    '  .ci/run installs both when they are missing. The e2e tests are never skipped.',
  ].join('\n');
}

/** The Chromium binary to launch, or an error that says how to get one. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.CHROMIUM_PATH?.trim();
  if (given) {
    if (executable(given)) return given;
    throw new BrowserNotFoundError(`CHROMIUM_PATH=${given} is not an executable file.\n${installHint()}`);
  }
  const found = CHROMIUM_CANDIDATES.find(executable);
  if (!found) throw new BrowserNotFoundError(installHint());
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  try {
    return await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  } catch (e) {
    throw new BrowserNotFoundError(`Chromium at ${executablePath} did not start: ${(e as Error).message}\n${installHint()}`);
  }
}
