import fc from 'fast-check';
import { crc32, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Combine, deflatePart, gzipOf, storedPart } from '../../src/web/spliced-gzip.js';

describe('a gzip body spliced from parts compressed apart', () => {
  it('combines CRC-32s as zlib computes the whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 3000 }), (a, b) => {
        expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
      }),
    );
  });

  it('gunzips to the parts in order, stored or deflated, empty or over one stored block (65,535 bytes)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.string({ unit: 'grapheme', maxLength: 400 })), { maxLength: 8 }), (pieces) => {
        const bytes = pieces.map(([, text]) => Buffer.from(text.repeat(3), 'utf8'));
        const body = gzipOf(pieces.map(([stored], i) => (stored ? storedPart(bytes[i]!) : deflatePart(bytes[i]!))));
        expect(gunzipSync(body).equals(Buffer.concat(bytes))).toBe(true);
      }),
      { numRuns: 50 },
    );
    const big = Buffer.alloc(140_000, '日本');
    expect(gunzipSync(gzipOf([storedPart(big), deflatePart(Buffer.from('<p>end</p>'))])).toString('utf8')).toBe(`${big.toString('utf8')}<p>end</p>`);
    expect(gunzipSync(gzipOf([])).length).toBe(0);
  });
});
