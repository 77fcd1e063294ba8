import { ok, refuse, type Result } from './result.js';

/**
 * 車両番号 (the number plate): 地名 (region), 分類番号 (class), ひらがな, 一連指定番号.
 * Stored as `品川 580 さ 1234`, shown as `品川 - 580 - さ - 1234`.
 */
export interface VehicleNumber {
  readonly region: string;
  readonly classNumber: string;
  readonly kana: string;
  readonly serial: string;
}

// Separators are optional: 「品川５８０さ１２３４」 as typed is the same plate (the script changes between the parts).
const PLATE = /^([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}][\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]{0,5})\s*[-－]?\s*([0-9A-Z]{1,3})\s*[-－]?\s*(\p{Script=Hiragana})\s*[-－]?\s*(・{0,3}[0-9]{1,2}(?:-?[0-9]{2})?|[0-9]{1,4})$/u;

export function parseVehicleNumber(input: string): Result<VehicleNumber> {
  // Separators (spaces or hyphens) are matched by PLATE itself, so that a serial written as on the plate (12-34) survives.
  const text = input.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (text === '') return refuse('invalidInput', '車両番号を入力してください。');
  const m = PLATE.exec(text);
  if (!m) return refuse('invalidInput', '車両番号は「品川 580 さ 1234」のように、地名・分類番号・ひらがな・一連指定番号の順に入力してください（区切りの空白は省略できます）。');
  const [, region, classNumber, kana, serial] = m as unknown as [string, string, string, string, string];
  return ok({ region, classNumber, kana, serial: serial.replace(/-/g, '') });
}

export function vehicleNumberToString(v: VehicleNumber): string {
  return `${v.region} ${v.classNumber} ${v.kana} ${v.serial}`;
}

export function vehicleNumberFromString(s: string): VehicleNumber {
  const [region = '', classNumber = '', kana = '', serial = ''] = s.split(' ');
  return { region, classNumber, kana, serial };
}

/** `品川 - 580 - さ - 1234`, as the manual's summary table shows it. */
export function formatVehicleNumber(v: VehicleNumber | string): string {
  const parts = typeof v === 'string' ? vehicleNumberFromString(v) : v;
  return `${parts.region} - ${parts.classNumber} - ${parts.kana} - ${parts.serial}`;
}

/** 車台番号, e.g. `AX01-0000001` or `1234567890`: letters, digits and hyphens. */
export function parseChassisNumber(input: string): Result<string> {
  const text = input.normalize('NFKC').trim().toUpperCase().replace(/[‐‑‒–—―−ー]/g, '-');
  if (text === '') return refuse('invalidInput', '車台番号を入力してください。');
  if (text.length > 30 || !/^[A-Z0-9]+(?:-[A-Z0-9]+)*$/.test(text)) {
    return refuse('invalidInput', '車台番号は半角英数字とハイフンで、30文字以内で入力してください（例：AX01-0000001）。');
  }
  return ok(text);
}
