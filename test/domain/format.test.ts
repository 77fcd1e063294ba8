import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPaymentNumber, formatYen } from '../../src/domain/format.js';

describe('金額: ¥ 1,100', () => {
  it.each([
    [1100, '¥ 1,100'],
    [400, '¥ 400'],
    [0, '¥ 0'],
    [1_234_567, '¥ 1,234,567'],
    [1000, '¥ 1,000'],
    [999, '¥ 999'],
    [16_500, '¥ 16,500'],
    [100_000_000, '¥ 100,000,000'],
    [-1100, '¥ -1,100'],
  ])('%d → %s', (amount, text) => {
    expect(formatYen(amount)).toBe(text);
  });
  it.each([1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses %d: money is integer yen', (amount) => {
    expect(() => formatYen(amount)).toThrow(`yen must be an integer: ${amount}`);
  });
  it('property: removing "¥ " and commas gives the number back, groups are of three', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const text = formatYen(n);
        expect(text.startsWith('¥ ')).toBe(true);
        expect(text.slice(2)).toMatch(/^\d{1,3}(,\d{3})*$/);
        expect(Number(text.slice(2).replaceAll(',', ''))).toBe(n);
      }),
    );
  });
});

describe('納付番号 in groups of four', () => {
  it('3000 0000 0000 0000 0003 (the manual\'s example)', () => {
    expect(formatPaymentNumber('30000000000000000003')).toBe('3000 0000 0000 0000 0003');
  });
  it('a length not divisible by four leaves the rest as the last group, with no trailing space', () => {
    expect(formatPaymentNumber('1234567890')).toBe('1234 5678 90');
    expect(formatPaymentNumber('1234')).toBe('1234');
    expect(formatPaymentNumber('')).toBe('');
  });
});
