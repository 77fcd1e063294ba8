import { ok, refuse, type Result } from './result.js';

/**
 * 受付番号 / 到達番号: 17 ASCII digits. The brand keeps unchecked strings out of lookups.
 * 到達番号 is issued when an application arrives, 受付番号 when the office accepts it;
 * the applicant may log in with either.
 */
export type ReceiptNumber = string & { readonly __brand: 'ReceiptNumber' };

export const RECEIPT_NUMBER_LENGTH = 17;

/** Separators applicants paste: spaces, hyphens and the dashes an IME produces. */
const SEPARATORS = /[\s\-‐‑‒–—―−ー－]/gu;

/**
 * Accepts what applicants type or paste: `2112 2310 5000 30459`, `2112-2310-5000-30459`,
 * full-width digits `２１１２…`. Anything else is refused with a message saying what is wrong.
 */
export function parseReceiptNumber(input: string, label = '受付番号（到達番号）'): Result<ReceiptNumber> {
  // Bound the work before normalising: no real number is longer than a few dozen characters.
  if (input.length > 100) return refuse('invalidInput', `${label}は数字17桁で入力してください。`);
  const compact = input.normalize('NFKC').replace(SEPARATORS, '');
  if (compact === '') return refuse('invalidInput', `${label}を入力してください。`);
  if (!/^[0-9]+$/.test(compact)) {
    return refuse('invalidInput', `${label}は数字17桁で入力してください。数字以外の文字が含まれています。`);
  }
  if (compact.length !== RECEIPT_NUMBER_LENGTH) {
    return refuse('invalidInput', `${label}は数字17桁で入力してください。入力された数字は${compact.length}桁です。`);
  }
  return ok(compact as ReceiptNumber);
}

/** `21122310500030459` → `2112 2310 5000 30459` (4-4-4-5, as the manual shows it). */
export function formatReceiptNumber(number: string): string {
  return `${number.slice(0, 4)} ${number.slice(4, 8)} ${number.slice(8, 12)} ${number.slice(12)}`;
}

/** Trusted construction (from the database or a generator): checks the shape only. */
export function asReceiptNumber(value: string): ReceiptNumber {
  if (!/^[0-9]{17}$/.test(value)) throw new Error(`not a receipt number: ${value}`);
  return value as ReceiptNumber;
}

/** Digits 7–8 say which kind of number it is; the rest after the date is random. */
export const NUMBER_KIND_DIGITS = { arrival: '20', receipt: '10' } as const;

/**
 * Builds a number: the Japan date of issue (YYMMDD), two digits for its kind and nine random digits.
 * The random digits come from the caller so that the domain stays pure and demo data stays repeatable.
 */
export function composeReceiptNumber(japanDate: string, kind: keyof typeof NUMBER_KIND_DIGITS, nineDigits: string): ReceiptNumber {
  const [y, m, d] = japanDate.split('-');
  if (!y || !m || !d || !/^[0-9]{9}$/.test(nineDigits)) throw new Error('bad receipt number parts');
  return asReceiptNumber(`${y.slice(2)}${m}${d}${NUMBER_KIND_DIGITS[kind]}${nineDigits}`);
}
