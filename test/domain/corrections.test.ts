import { describe, expect, it } from 'vitest';
import { applyFieldChanges, checkText, correctableFields, currentValue, validateCorrection } from '../../src/domain/corrections.js';
import { filed } from './support.js';

const ci = filed('continuousInspection');
const nv = filed('newVehicle');
const nvOwned = filed('newVehicle', { ownerSameAsUser: false, ownerName: '軽自リース株式会社', ownerAddress: '東京都千代田区1-1', userNameHigh: '六本木商事' });

describe('補正申請: validateCorrection', () => {
  it('lists only the fields whose value changes, in the form\'s order', () => {
    expect(validateCorrection(ci, { chassisNumber: 'AX01-0000002', userName: '軽自 太郎', applicantName: '軽自法務事務所' })).toEqual({
      ok: true,
      changes: [
        { field: 'applicantName', before: '軽自行政書士事務所', after: '軽自法務事務所' },
        { field: 'chassisNumber', before: 'AX01-0000001', after: 'AX01-0000002' },
      ],
    });
  });
  it('nothing submitted, nothing changed', () => {
    expect(validateCorrection(ci, {})).toEqual({ ok: true, changes: [] });
  });
  it('normalises (NFKC, spaces) before comparing: the same name typed in full-width is no change', () => {
    expect(validateCorrection(ci, { userName: '軽自　　太郎 ', chassisNumber: 'ａｘ０１－００００００１' })).toEqual({ ok: true, changes: [] });
    expect(validateCorrection(ci, { userName: 'ｹｲｼﾞ ﾀﾛｳ' })).toEqual({ ok: true, changes: [{ field: 'userName', before: '軽自 太郎', after: 'ケイジ タロウ' }] });
  });
  it('field-level errors, all at once', () => {
    expect(validateCorrection(ci, { applicantName: '', userAddress: 'あ'.repeat(121), userName: '軽自\u0000太郎', chassisNumber: 'AX01 1' })).toEqual({
      ok: false,
      errors: {
        applicantName: '申請者名を入力してください。',
        userName: '使用者名に使用できない文字が含まれています。',
        userAddress: '使用者住所は120文字以内で入力してください。',
        chassisNumber: '車台番号は半角英数字とハイフンで、30文字以内で入力してください（例：AX01-0000001）。',
      },
    });
  });
  it('length limits are the form\'s: 60 for names, 120 for addresses', () => {
    expect(validateCorrection(ci, { applicantName: 'あ'.repeat(60), applicantAddress: 'い'.repeat(120) }).ok).toBe(true);
    expect(validateCorrection(ci, { applicantName: 'あ'.repeat(61) })).toEqual({ ok: false, errors: { applicantName: '申請者名は60文字以内で入力してください。' } });
    expect(validateCorrection(ci, { chassisNumber: '1'.repeat(31) }).ok).toBe(false);
  });
  it('fields of the other procedure are ignored (継続検査 has no 所有者 or 高水準)', () => {
    expect(validateCorrection(ci, { ownerName: '', ownerAddress: 'x', userNameHigh: '髙' })).toEqual({ ok: true, changes: [] });
  });
  it('高水準 names are optional: blank clears them', () => {
    expect(validateCorrection(nvOwned, { userNameHigh: '' })).toEqual({ ok: true, changes: [{ field: 'userNameHigh', before: '六本木商事', after: null }] });
    expect(validateCorrection(nv, { userNameHigh: '  ' })).toEqual({ ok: true, changes: [] });
    expect(validateCorrection(nv, { userNameHigh: '髙橋商事' })).toEqual({ ok: true, changes: [{ field: 'userNameHigh', before: null, after: '髙橋商事' }] });
  });

  describe('新車 with 所有者 同上', () => {
    it('blank owner fields are fine and change nothing', () => {
      expect(validateCorrection(nv, { ownerName: '', ownerAddress: ' ', ownerNameHigh: '' })).toEqual({ ok: true, changes: [] });
    });
    it('naming an owner records a change from null', () => {
      expect(validateCorrection(nv, { ownerName: '軽自リース株式会社', ownerAddress: '東京都千代田区1-1' })).toEqual({
        ok: true,
        changes: [
          { field: 'ownerName', before: null, after: '軽自リース株式会社' },
          { field: 'ownerAddress', before: null, after: '東京都千代田区1-1' },
        ],
      });
    });
    it('a separate owner, once named, cannot be blanked', () => {
      expect(validateCorrection(nvOwned, { ownerName: '', ownerAddress: '' })).toEqual({
        ok: false,
        errors: { ownerName: '所有者名を入力してください。', ownerAddress: '所有者住所を入力してください。' },
      });
    });
  });
});

describe('applyFieldChanges', () => {
  it('sets names, addresses and the 車台番号', () => {
    const app = applyFieldChanges(ci, [
      { field: 'applicantName', before: null, after: 'A' },
      { field: 'applicantAddress', before: null, after: 'B' },
      { field: 'userName', before: null, after: 'C' },
      { field: 'userAddress', before: null, after: 'D' },
      { field: 'chassisNumber', before: null, after: 'E-1' },
    ]);
    expect([app.applicant, app.user, app.vehicle.chassisNumber]).toEqual([
      { name: 'A', nameHigh: null, address: 'B' },
      { name: 'C', nameHigh: null, address: 'D' },
      'E-1',
    ]);
    expect(ci.applicant.name).toBe('軽自行政書士事務所');
  });
  it('an owner named on a 同上 application starts as a copy of the user', () => {
    const app = applyFieldChanges(nv, [{ field: 'ownerName', before: null, after: '軽自リース株式会社' }]);
    expect(app.owner).toEqual({ name: '軽自リース株式会社', nameHigh: null, address: '東京都港区六本木1-1-1' });
    const both = applyFieldChanges(nv, [
      { field: 'ownerName', before: null, after: 'X' },
      { field: 'ownerAddress', before: null, after: 'Y' },
      { field: 'ownerNameHigh', before: null, after: 'Z' },
    ]);
    expect(both.owner).toEqual({ name: 'X', nameHigh: 'Z', address: 'Y' });
  });
  it('高水準 can be cleared to null', () => {
    expect(applyFieldChanges(nvOwned, [{ field: 'userNameHigh', before: '六本木商事', after: null }]).user.nameHigh).toBeNull();
  });
});

describe('currentValue', () => {
  it('reads every correctable field', () => {
    expect(Object.keys(correctableFields).map((f) => currentValue(nvOwned, f as keyof typeof correctableFields))).toEqual([
      '六本木商事',
      '東京都港区六本木1-1-1',
      '六本木商事',
      '六本木商事',
      '東京都港区六本木1-1-1',
      '軽自リース株式会社',
      null,
      '東京都千代田区1-1',
      '1234567890',
    ]);
    expect(currentValue(nv, 'ownerName')).toBeNull();
  });
});

describe('checkText', () => {
  it('optional and blank: null', () => {
    expect(checkText('備考', ' 　\t', 10, false)).toEqual({ ok: true, value: null });
  });
  it('required and blank: 〜を入力してください。', () => {
    expect(checkText('備考', '', 10, true)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '備考を入力してください。' } });
  });
  it('C0 and C1 control characters are refused; white space is collapsed', () => {
    expect(checkText('氏名', 'a\u0008b', 10, true)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '氏名に使用できない文字が含まれています。' } });
    expect(checkText('氏名', 'a\u0090b', 10, true).ok).toBe(false);
    expect(checkText('氏名', ' a \n\n b ', 10, true)).toEqual({ ok: true, value: 'a b' });
  });
  it('counts code points, not UTF-16 units', () => {
    expect(checkText('氏名', '𠮷野家', 3, true)).toEqual({ ok: true, value: '𠮷野家' });
    expect(checkText('氏名', '𠮷野家!', 3, true)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '氏名は3文字以内で入力してください。' } });
  });
  it('NFKC: ① becomes 1, ㈱ becomes (株)', () => {
    expect(checkText('氏名', '①㈱', 10, true)).toEqual({ ok: true, value: '1(株)' });
  });
});
