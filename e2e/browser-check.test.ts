import { describe, expect, it } from 'vitest';
import { BrowserNotFoundError, CHROMIUM_CANDIDATES, findChromium } from './support/browser.js';

describe('the e2e run without a browser fails loudly, saying how to install one', () => {
  it('a CHROMIUM_PATH that is not a program: an error naming it and the apt-get command', () => {
    let error: unknown;
    try {
      findChromium({ CHROMIUM_PATH: '/nonexistent/chromium' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BrowserNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain('CHROMIUM_PATH=/nonexistent/chromium is not an executable file.');
    expect(message).toContain('apt-get install -y chromium fonts-noto-cjk');
    expect(message).toContain('The e2e tests are never skipped.');
    for (const candidate of CHROMIUM_CANDIDATES) expect(message).toContain(candidate);
  });

  it('on this machine a browser is found (CI installs it: .ci/run)', () => {
    expect(findChromium()).toMatch(/chrom/);
  });
});
