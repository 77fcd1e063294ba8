import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoInstantFormatter } from '../../../bench/lib/partition.js';

/** The generator writes some twenty million instants a million applications without Date#toISOString (round six): the same text. */
describe("the generator's instants", () => {
  it('are what Date#toISOString writes, for any instant', () => {
    const iso = isoInstantFormatter();
    fc.assert(
      fc.property(fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }), (ms) => {
        expect(iso(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
    // Around the data's own days, and the edges of the fast path.
    for (const ms of [0, 1, 999, 1000, 86_399_999, 86_400_000, Date.parse('2026-12-01T03:00:00Z'), Date.parse('2026-12-31T23:59:59.999Z'), 253_402_300_799_999, 253_402_300_800_000, -1])
      expect(iso(ms)).toBe(new Date(ms).toISOString());
  });
});
