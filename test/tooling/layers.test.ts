import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

/** The rule set `npm test` runs (npm run lint:layers), read from the repository's own config. */
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;
const root = fileURLToPath(new URL('../..', import.meta.url));

async function violations(baseDir: string): Promise<string[]> {
  const result = await cruise(['src'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden ?? [] }, baseDir });
  const summary = (result.output as ICruiseResult).summary;
  return summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('the layers (web → services → domain + store), checked by dependency-cruiser', () => {
  it('fails on each deliberate wrong import of the fixture, and only on those', async () => {
    expect(await violations(fileURLToPath(new URL('layers-fixture', import.meta.url)))).toEqual([
      'domain-no-io: src/domain/rule.ts → fs',
      'domain-stays-inside: src/domain/rule.ts → src/services/helper.ts',
      'services-below-web: src/services/use-case.ts → src/web/page.ts',
      'store-below-services: src/store/repository.ts → src/services/helper.ts',
      'web-not-store: src/web/page.ts → src/store/rows.ts',
    ]);
  });

  it('finds nothing wrong in the real src/', async () => {
    expect(await violations(root)).toEqual([]);
  });
});
