import { describe, expect, it } from 'vitest';
import { inspectionOffices } from '../../src/domain/offices.js';
import {
  formatVehicleNumber,
  parseChassisNumber,
  parseVehicleNumber,
  vehicleNumberFromString,
  vehicleNumberToString,
  type VehicleNumber,
} from '../../src/domain/vehicle.js';

const PLATE_MESSAGE = '車両番号は「品川 580 さ 1234」のように、地名・分類番号・ひらがな・一連指定番号の順に入力してください（区切りの空白は省略できます）。';
const CHASSIS_MESSAGE = '車台番号は半角英数字とハイフンで、30文字以内で入力してください（例：AX01-0000001）。';
const shinagawa: VehicleNumber = { region: '品川', classNumber: '580', kana: 'さ', serial: '1234' };

function plate(input: string): VehicleNumber {
  const r = parseVehicleNumber(input);
  if (!r.ok) throw new Error(`refused ${JSON.stringify(input)}: ${r.refusal.message}`);
  return r.value;
}

describe('車両番号: shown as 品川 - 580 - さ - 1234', () => {
  it('formats parts as the manual\'s summary table shows them', () => {
    expect(formatVehicleNumber(shinagawa)).toBe('品川 - 580 - さ - 1234');
  });
  it('formats the stored form too', () => {
    expect(formatVehicleNumber('品川 580 さ 1234')).toBe('品川 - 580 - さ - 1234');
  });
  it('is stored with single spaces and read back', () => {
    expect(vehicleNumberToString(shinagawa)).toBe('品川 580 さ 1234');
    expect(vehicleNumberFromString('品川 580 さ 1234')).toEqual(shinagawa);
  });

  describe('parseVehicleNumber accepts', () => {
    it.each([
      ['spaces', '品川 580 さ 1234'],
      ['hyphens', '品川-580-さ-1234'],
      ['the display form', '品川 - 580 - さ - 1234'],
      ['full-width digits', '品川 ５８０ さ １２３４'],
      ['full-width spaces', '品川　580　さ　1234'],
      ['full-width hyphens', '品川－580－さ－1234'],
      ['several spaces and surrounding blanks', '  品川   580  さ 1234  '],
      ['no separators (issue 14)', '品川580さ1234'],
      ['no separators, full-width digits (issue 14)', '品川５８０さ１２３４'],
      ['some separators only', '品川 580さ1234'],
    ])('%s: %s', (_what, input) => {
      expect(plate(input)).toEqual(shinagawa);
    });
    it('a serial of fewer digits, with the dots of the plate', () => {
      expect(plate('品川 580 さ 1')).toEqual({ ...shinagawa, serial: '1' });
      expect(plate('品川 580 さ ・・12')).toEqual({ ...shinagawa, serial: '・・12' });
    });
    it('a serial written as on the plate, 12-34, is stored as 1234', () => {
      expect(plate('品川 580 さ 12-34')).toEqual(shinagawa);
      expect(plate('品川-580-さ-12-34')).toEqual(shinagawa);
    });
    it('classes with letters and short classes', () => {
      expect(plate('世田谷 50A あ 1')).toEqual({ region: '世田谷', classNumber: '50A', kana: 'あ', serial: '1' });
      expect(plate('練馬 50 あ 99')).toEqual({ region: '練馬', classNumber: '50', kana: 'あ', serial: '99' });
    });
    it.each(Object.values(inspectionOffices).flatMap((o) => o.plateRegions.map((r) => [o.name, r] as const)))('the plates %s issues: %s', (_office, region) => {
      expect(plate(`${region} 580 あ 1234`)).toEqual({ region, classNumber: '580', kana: 'あ', serial: '1234' });
    });
  });

  describe('parseVehicleNumber refuses', () => {
    it('empty input: 車両番号を入力してください。', () => {
      expect(parseVehicleNumber('')).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '車両番号を入力してください。' } });
      expect(parseVehicleNumber(' 　 ')).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '車両番号を入力してください。' } });
    });
    it.each([
      ['garbage', 'abc'],
      ['no region', '580 さ 1234'],
      ['katakana instead of hiragana', '品川 580 サ 1234'],
      ['a serial of five digits', '品川 580 さ 12345'],
      ['a class of four characters', '品川 5800 さ 1234'],
      ['a missing serial', '品川 580 さ'],
      ['extra parts', '品川 580 さ 1234 5'],
      ['a Latin region', 'Tokyo 580 さ 1234'],
      ['SQL', "'; DROP TABLE applications; --"],
    ])('%s: %s', (_what, input) => {
      expect(parseVehicleNumber(input)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: PLATE_MESSAGE } });
    });
  });
});

describe('車台番号: e.g. AX01-0000001 or 1234567890', () => {
  it.each([
    ['AX01-0000001', 'AX01-0000001'],
    ['1234567890', '1234567890'],
    ['ax01-0000001', 'AX01-0000001'],
    ['ＡＸ０１－００００００１', 'AX01-0000001'],
    ['ａｘ０１ー０００００００１', 'AX01-00000001'],
    ['  AX01-0000001  ', 'AX01-0000001'],
    ['MK53S-123456', 'MK53S-123456'],
    ['A'.repeat(30), 'A'.repeat(30)],
  ])('accepts %j as %s (normalised)', (input, expected) => {
    expect(parseChassisNumber(input)).toEqual({ ok: true, value: expected });
  });
  it('refuses empty input: 車台番号を入力してください。', () => {
    expect(parseChassisNumber('  ')).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '車台番号を入力してください。' } });
  });
  it.each([
    ['a space inside', 'AX01 0000001'],
    ['a full-width space inside', 'AX01　0000001'],
    ['symbols', 'AX01_0000001'],
    ['a slash', 'AX01/0000001'],
    ['a leading hyphen', '-AX01'],
    ['a trailing hyphen', 'AX01-'],
    ['two hyphens in a row', 'AX01--0000001'],
    ['kana', 'エーエックス01'],
    ['31 characters', 'A'.repeat(31)],
    ['10,000 characters', '1'.repeat(10_000)],
  ])('refuses %s', (_what, input) => {
    expect(parseChassisNumber(input)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: CHASSIS_MESSAGE } });
  });
});
