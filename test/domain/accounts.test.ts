import { describe, expect, it } from 'vitest';
import { formatUserId, mayDisableTwoFactor, mayIssueApiToken, mayUseAccountPages, parseAccountListSearch, parseMailAddress, parseUserIdShape, twoFactorStanding } from '../../src/domain/accounts.js';
import { listGroupOf } from '../../src/domain/status-view.js';
import { statusCodes, statuses } from '../../src/domain/statuses.js';

describe('利用者ID and its 申請一覧, as the domain decides them (issue 16)', () => {
  it('puts each status in one group: needs the user where it asks for 納付, まとめ納付, 補正 or the 2D code', () => {
    const needs = statusCodes.filter((s) => listGroupOf(s) === 'needsUser');
    expect(needs.sort()).toEqual(
      ['inspectionFeesDue', 'inspectionFeesBulkPayment', 'weightTaxDue', 'weightTaxBulkPayment', 'inspectionCorrectionRequested', 'taxDeclarationCorrectionRequested', 'vehicleTaxDue', 'vehicleTaxBulkPayment', 'readyForReturn', 'readyForDelivery'].sort(),
    );
    for (const s of statusCodes) if (statuses[s].terminal) expect(listGroupOf(s), s).toBe('finished');
    expect(listGroupOf('inspectionUnderExamination')).toBe('inProgress');
    expect(listGroupOf('awaitingAcceptance')).toBe('inProgress');
  });

  it('reads a 利用者ID in any spacing and shows it 4-4-4', () => {
    expect(parseUserIdShape('２０２６ １２０６-００１４')).toEqual({ ok: true, value: '202612060014' });
    expect(parseUserIdShape('2026 1206')).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '利用者IDは数字12桁で入力してください。' } });
    expect(formatUserId('202612060014')).toBe('2026 1206 0014');
  });

  it('understands the search box: a number in any spacing, a 車両番号, a 車台番号, else part of a 使用者名', () => {
    expect(parseAccountListSearch('2112-2310 5000　30459')).toEqual({ ok: true, value: { kind: 'number', number: '21122310500030459', chassisNumber: '21122310500030459' } });
    expect(parseAccountListSearch('品川５８０さ１２３４')).toEqual({ ok: true, value: { kind: 'vehicleNumber', vehicleNumber: '品川 580 さ 1234' } });
    expect(parseAccountListSearch('mh85s-7700077')).toEqual({ ok: true, value: { kind: 'chassisNumber', chassisNumber: 'MH85S-7700077', typed: 'mh85s-7700077' } });
    expect(parseAccountListSearch('大崎')).toEqual({ ok: true, value: { kind: 'userName', userName: '大崎' } });
    expect(parseAccountListSearch('  ')).toEqual({ ok: true, value: null });
  });

  it('checks the shape of a 連絡先メールアドレス', () => {
    expect(parseMailAddress(' office@example.jp ')).toEqual({ ok: true, value: 'office@example.jp' });
    expect(parseMailAddress('office@example')).toMatchObject({ ok: false });
  });
});

describe('the operator’s two-factor rule: required for accounts that hold more than one application if the operator sets it (issue 16, decision 0013)', () => {
  const on = { requiredForSeveralApplications: true };
  const off = { requiredForSeveralApplications: false };

  it('applies only when the operator sets it and the account holds more than one application', () => {
    expect([0, 1, 2, 10_000].map((n) => twoFactorStanding(off, n, false))).toEqual(['optional', 'optional', 'optional', 'optional']);
    expect([0, 1, 2, 10_000].map((n) => twoFactorStanding(off, n, true))).toEqual(['optional', 'optional', 'optional', 'optional']);
    expect([0, 1].map((n) => twoFactorStanding(on, n, false))).toEqual(['optional', 'optional']);
    expect([0, 1].map((n) => twoFactorStanding(on, n, true))).toEqual(['optional', 'optional']);
    expect([2, 3, 10_000].map((n) => twoFactorStanding(on, n, false))).toEqual(['missing', 'missing', 'missing']);
    expect([2, 3, 10_000].map((n) => twoFactorStanding(on, n, true))).toEqual(['required', 'required', 'required']);
  });

  it('closes the account’s pages and new API tokens only while two-factor is missing, and refuses its removal while the rule applies', () => {
    expect(mayUseAccountPages('optional')).toEqual({ ok: true, value: true });
    expect(mayUseAccountPages('required')).toEqual({ ok: true, value: true });
    expect(mayUseAccountPages('missing')).toEqual({ ok: false, refusal: { code: 'twoFactorRequired', message: '申請を2件以上お持ちの利用者IDは、二要素認証の設定が必要です。' } });
    expect(mayIssueApiToken('required').ok).toBe(true);
    expect(mayIssueApiToken('optional').ok).toBe(true);
    expect(mayIssueApiToken('missing')).toEqual({ ok: false, refusal: { code: 'twoFactorRequired', message: 'APIトークンを発行するには、先に二要素認証を設定してください（申請を2件以上お持ちの利用者IDは、運営者の設定により二要素認証が必要です）。' } });
    expect(mayDisableTwoFactor('optional').ok).toBe(true);
    expect(mayDisableTwoFactor('required')).toEqual({ ok: false, refusal: { code: 'twoFactorRequired', message: '申請を2件以上お持ちの利用者IDは、運営者の設定により二要素認証が必要なため、解除できません。' } });
  });
});
