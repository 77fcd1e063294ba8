import fc from 'fast-check';
import { crc32, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Combine, deflatePart, gzipOf, storedText } from '../../src/web/spliced-gzip.js';

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
        const body = gzipOf(pieces.map(([stored, text], i) => (stored ? storedText(text.repeat(3)) : deflatePart(bytes[i]!))));
        expect(gunzipSync(body).equals(Buffer.concat(bytes))).toBe(true);
      }),
      { numRuns: 50 },
    );
    const big = '日本'.repeat(25_000);
    expect(gunzipSync(gzipOf([storedText(big), deflatePart(Buffer.from('<p>end</p>'))])).toString('utf8')).toBe(`${big}<p>end</p>`);
    // A stored text's size is its UTF-8 bytes, written in place: the body is exactly as long as its blocks.
    const token = storedText('tok-日本');
    expect(token.length).toBe(10);
    expect(gzipOf([token]).length).toBe(10 + 5 + 10 + 2 + 8);
    expect(gunzipSync(gzipOf([])).length).toBe(0);
  });
});
