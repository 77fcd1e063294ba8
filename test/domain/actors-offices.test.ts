import { describe, expect, it } from 'vitest';
import { actorId, actorKindLabels, actorLabel } from '../../src/domain/actors.js';
import { inspectionOffices, isOfficeCode, isTaxOfficeCode, officeOf, taxOfficeFor, taxOffices } from '../../src/domain/offices.js';
import { attachmentKinds, attachmentStates, isProcedureCode, procedures, summaryFieldLabels } from '../../src/domain/procedures.js';
import { applicant, clock, office, payEasy } from './support.js';

describe('actors', () => {
  it('labels every kind in Japanese', () => {
    expect(actorKindLabels).toEqual({
      applicant: '申請者',
      inspectionOffice: '軽自動車検査協会事務所等',
      taxOffice: '都道府県税事務所',
      paymentNetwork: '収納機関（Pay-easy）',
      attachmentSource: '添付書類取得元システム',
      clock: 'システム（期限管理）',
    });
  });
  it('an agency actor has an id and its own label; the applicant and the clock have neither', () => {
    expect([actorId(office('tokyo')), actorLabel(office('tokyo'))]).toEqual(['staff-tokyo', 'tokyo 審査担当']);
    expect([actorId(payEasy), actorLabel(payEasy)]).toEqual(['payeasy', 'Pay-easy']);
    expect([actorId(applicant), actorLabel(applicant)]).toEqual([null, '申請者']);
    expect([actorId(clock), actorLabel(clock)]).toEqual([null, 'システム（期限管理）']);
  });
});

describe('offices', () => {
  it('東京主管事務所 issues 品川 and 世田谷 plates; its tax office is 東京都', () => {
    expect(officeOf('tokyo')).toMatchObject({ name: '東京主管事務所', plateRegions: ['品川', '世田谷'] });
    expect(taxOfficeFor('tokyo')).toEqual({ code: 'tokyoTax', name: '東京都', payeeKana: 'ﾄｳｷﾖｳﾄ', collectorNumber: '01300' });
  });
  it('every office points to a known tax office, and every tax office has a 5-digit 収納機関番号', () => {
    for (const o of Object.values(inspectionOffices)) expect(isTaxOfficeCode(o.taxOfficeCode)).toBe(true);
    for (const t of Object.values(taxOffices)) expect(t.collectorNumber).toMatch(/^\d{5}$/);
  });
  it('codes are checked against the tables, not the prototype', () => {
    expect(isOfficeCode('osaka')).toBe(true);
    expect(isOfficeCode('toString')).toBe(false);
    expect(isOfficeCode('')).toBe(false);
    expect(isTaxOfficeCode('osakaTax')).toBe(true);
    expect(isTaxOfficeCode('hasOwnProperty')).toBe(false);
  });
});

describe('procedures', () => {
  it('isProcedureCode', () => {
    expect(isProcedureCode('continuousInspection')).toBe(true);
    expect(isProcedureCode('newVehicle')).toBe(true);
    expect(isProcedureCode('新車')).toBe(false);
  });
  it('summary fields in the manual\'s order', () => {
    expect(procedures.continuousInspection.summaryFields.map((f) => summaryFieldLabels[f])).toEqual([
      '申請年月日',
      '受付番号',
      '車両番号',
      '車台番号',
      '申請者名',
      '使用者名',
      '申請先軽自動車検査協会事務所等',
      '記録等事務代行者委託番号',
      '記録等事務代行者氏名又は名称',
      '記録等事務代行利用可否',
    ]);
    expect(procedures.newVehicle.summaryFields.map((f) => summaryFieldLabels[f])).toEqual([
      '申請年月日',
      '受付番号',
      '車台番号',
      '申請者名',
      '使用者名',
      '使用者名（高水準）',
      '所有者名',
      '所有者名（高水準）',
      '申請先軽自動車検査協会事務所等',
    ]);
  });
  it('attachments in the manual\'s order, with 未取得 / 取得済 / 不要', () => {
    expect(procedures.continuousInspection.attachments.map((k) => attachmentKinds[k])).toEqual(['自動車損害賠償責任保険（共済）証明書', '保安基準適合証']);
    expect(procedures.newVehicle.attachments.map((k) => attachmentKinds[k])).toEqual(['完成検査終了証兼譲渡証明書', '自動車損害賠償責任保険（共済）証明書', '希望番号予約済証']);
    expect(attachmentStates).toEqual({ notAcquired: '未取得', acquired: '取得済', notRequired: '不要' });
  });
  it('返付 for 継続検査, 交付 for 新車', () => {
    expect([procedures.continuousInspection.deliveryWord, procedures.newVehicle.deliveryWord]).toEqual(['返付', '交付']);
    expect([procedures.continuousInspection.label, procedures.newVehicle.fullLabel]).toEqual(['継続検査', '新車〔新規検査・地方税申告〕']);
  });
});
