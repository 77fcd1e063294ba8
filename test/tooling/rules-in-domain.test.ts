import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { statusCodes } from '../../src/domain/statuses.js';

const webDir = fileURLToPath(new URL('../../src/web', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

/**
 * Issue 13: no rule of the manual is decided in src/web. A status code written as a literal there
 * means a page compares or picks statuses itself; the domain's status view answers that instead.
 */
describe('the web layer names no status code', () => {
  it('has no status code literal in any file of src/web', () => {
    const found: string[] = [];
    for (const file of sources(webDir)) {
      const text = readFileSync(file, 'utf8');
      for (const code of statusCodes) if (text.includes(`'${code}'`) || text.includes(`"${code}"`)) found.push(`${file.slice(webDir.length + 1)}: ${code}`);
    }
    expect(found).toEqual([]);
  });
});
