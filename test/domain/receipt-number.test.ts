import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asReceiptNumber,
  composeReceiptNumber,
  formatReceiptNumber,
  NUMBER_KIND_DIGITS,
  parseReceiptNumber,
  RECEIPT_NUMBER_LENGTH,
} from '../../src/domain/receipt-number.js';
import { d } from './support.js';

const MSG_EMPTY = '受付番号（到達番号）を入力してください。';
const MSG_LETTERS = '受付番号（到達番号）は数字17桁で入力してください。数字以外の文字が含まれています。';
const msgDigits = (n: number) => `受付番号（到達番号）は数字17桁で入力してください。入力された数字は${n}桁です。`;
const MSG_TOO_LONG = '受付番号（到達番号）は数字17桁で入力してください。';

function parsed(input: string): string {
  const r = parseReceiptNumber(input);
  if (!r.ok) throw new Error(`refused ${JSON.stringify(input)}: ${r.refusal.message}`);
  return r.value;
}

function refusal(input: string, label?: string) {
  const r = label === undefined ? parseReceiptNumber(input) : parseReceiptNumber(input, label);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(input)}`);
  return r.refusal;
}

describe('受付番号（到達番号）: 17 digits', () => {
  it('has 17 digits', () => {
    expect(RECEIPT_NUMBER_LENGTH).toBe(17);
  });

  it('is shown in groups 4-4-4-5 as the manual shows it: 2112 2310 5000 30459', () => {
    expect(formatReceiptNumber('21122310500030459')).toBe('2112 2310 5000 30459');
    expect(formatReceiptNumber('99999999999999999')).toBe('9999 9999 9999 99999');
    expect(formatReceiptNumber('12345678901234567')).toBe('1234 5678 9012 34567');
  });

  describe('accepts what applicants type or paste', () => {
    const accepted: [string, string][] = [
      ['plain digits', '21122310500030459'],
      ['the manual\'s display form with spaces', '2112 2310 5000 30459'],
      ['hyphens', '2112-2310-5000-30459'],
      ['full-width digits', '２１１２２３１０５０００３０４５９'],
      ['full-width digits and full-width spaces', '２１１２　２３１０　５０００　３０４５９'],
      ['full-width hyphens (－)', '２１１２－２３１０－５０００－３０４５９'],
      ['katakana long-vowel mark ー as a separator (IME)', '2112ー2310ー5000ー30459'],
      ['half-width long-vowel mark ｰ', '2112ｰ2310ｰ5000ｰ30459'],
      ['minus sign − and dashes ‐ – —', '2112−2310‐5000–30459'],
      ['surrounding spaces, tabs and a newline from a paste', '  2112 2310 5000 30459\n'],
      ['a tab between groups', '2112\t2310\t5000\t30459'],
      ['mixed half- and full-width', '2112 ２３１０-5000　30459'],
    ];
    it.each(accepted)('%s', (_what, input) => {
      expect(parsed(input)).toBe('21122310500030459');
    });
  });

  describe('refuses anything else with a Japanese message saying what is wrong', () => {
    it('empty input: 受付番号（到達番号）を入力してください。', () => {
      expect(refusal('')).toEqual({ code: 'invalidInput', message: MSG_EMPTY });
    });
    it('only separators count as empty', () => {
      expect(refusal('  - －　ー ')).toEqual({ code: 'invalidInput', message: MSG_EMPTY });
    });
    it('letters: 数字以外の文字が含まれています', () => {
      expect(refusal('2112 2310 5000 3045A')).toEqual({ code: 'invalidInput', message: MSG_LETTERS });
      expect(refusal('ABCDEFGHIJKLMNOPQ')).toEqual({ code: 'invalidInput', message: MSG_LETTERS });
      expect(refusal('2112.2310.5000.30459')).toEqual({ code: 'invalidInput', message: MSG_LETTERS });
      expect(refusal('２１１２２３１０５０００３０４５ｘ')).toEqual({ code: 'invalidInput', message: MSG_LETTERS });
    });
    it('non-ASCII digits that NFKC does not map (Arabic-Indic) are not digits', () => {
      expect(refusal('٢١١٢٢٣١٠٥٠٠٠٣٠٤٥٩')).toEqual({ code: 'invalidInput', message: MSG_LETTERS });
    });
    it('16 digits: 入力された数字は16桁です', () => {
      expect(refusal('2112231050003045')).toEqual({ code: 'invalidInput', message: msgDigits(16) });
    });
    it('18 digits: 入力された数字は18桁です', () => {
      expect(refusal('211223105000304591')).toEqual({ code: 'invalidInput', message: msgDigits(18) });
    });
    it('counts digits after removing separators', () => {
      expect(refusal('2112 2310 5000 3045')).toEqual({ code: 'invalidInput', message: msgDigits(16) });
      expect(refusal('1')).toEqual({ code: 'invalidInput', message: msgDigits(1) });
    });
    it('10,000 characters are refused before any normalisation', () => {
      expect(refusal('1'.repeat(10_000))).toEqual({ code: 'invalidInput', message: MSG_TOO_LONG });
      expect(refusal('２'.repeat(10_000))).toEqual({ code: 'invalidInput', message: MSG_TOO_LONG });
    });
    it('100 characters are still examined, 101 are not', () => {
      expect(parsed(' '.repeat(83) + '21122310500030459')).toBe('21122310500030459');
      expect(refusal(' '.repeat(84) + '21122310500030459')).toEqual({ code: 'invalidInput', message: MSG_TOO_LONG });
    });
    it('names the field it was given in the message', () => {
      expect(refusal('', '到達番号').message).toBe('到達番号を入力してください。');
      expect(refusal('123', '受付番号').message).toBe('受付番号は数字17桁で入力してください。入力された数字は3桁です。');
    });
  });

  it('property: format → parse round-trips for any 17-digit string', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 17, maxLength: 17 }), (digits) => {
        expect(parsed(formatReceiptNumber(digits))).toBe(digits);
      }),
      { numRuns: 500 },
    );
  });

  it('property: full-width digits with any separators parse to the same number', () => {
    const sep = fc.constantFrom('', ' ', '-', '　', '－', 'ー', '−');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...'0123456789'), { minLength: 17, maxLength: 17 }), fc.array(sep, { minLength: 17, maxLength: 17 }), (digits, seps) => {
        const wide = digits.map((c, i) => String.fromCharCode(c.charCodeAt(0) + 0xfee0) + seps[i]).join('');
        expect(parsed(wide)).toBe(digits.join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('property: any digit count other than 17 is refused with its count', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 60 }).filter((s) => s.length !== 17), (digits) => {
        expect(refusal(digits)).toEqual({ code: 'invalidInput', message: msgDigits(digits.length) });
      }),
    );
  });
});

describe('asReceiptNumber (trusted construction)', () => {
  it('accepts exactly 17 ASCII digits', () => {
    expect(asReceiptNumber('21122310500030459')).toBe('21122310500030459');
  });
  it.each(['2112 2310 5000 30459', '2112231050003045', '211223105000304590', '２１１２２３１０５０００３０４５９', ''])('throws on %j', (v) => {
    expect(() => asReceiptNumber(v)).toThrow(`not a receipt number: ${v}`);
  });
});

describe('composeReceiptNumber', () => {
  it('starts with the Japan date of issue YYMMDD, as the manual\'s example starts with its 申請年月日 211223', () => {
    expect(composeReceiptNumber(d('2021-12-23'), 'receipt', '500030459')).toBe('21122310500030459');
  });
  it('digits 7–8 say the kind: 20 到達番号, 10 受付番号', () => {
    expect(NUMBER_KIND_DIGITS).toEqual({ arrival: '20', receipt: '10' });
    expect(composeReceiptNumber(d('2026-06-01'), 'arrival', '000000001')).toBe('26060120000000001');
    expect(composeReceiptNumber(d('2026-06-01'), 'receipt', '123456789')).toBe('26060110123456789');
  });
  it('refuses random parts that are not nine digits, and dates without parts', () => {
    expect(() => composeReceiptNumber(d('2026-06-01'), 'arrival', '12345678')).toThrow('bad receipt number parts');
    expect(() => composeReceiptNumber(d('2026-06-01'), 'arrival', '1234567890')).toThrow('bad receipt number parts');
    expect(() => composeReceiptNumber(d('2026-06-01'), 'arrival', '12345678a')).toThrow('bad receipt number parts');
    expect(() => composeReceiptNumber('20260601', 'arrival', '123456789')).toThrow('bad receipt number parts');
  });
  it('what it composes parses back unchanged', () => {
    const n = composeReceiptNumber(d('2030-01-31'), 'receipt', '987654321');
    expect(parsed(formatReceiptNumber(n))).toBe(n);
    expect(formatReceiptNumber(n)).toBe('3001 3110 9876 54321');
  });
});
