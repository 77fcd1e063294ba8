import { describe, expect, it } from 'vitest';
import { procedureCodes, procedures } from '../../src/domain/procedures.js';
import {
  guides,
  isStatusCode,
  manualStatusTable,
  statusCodes,
  statusDefinition,
  statuses,
  statusesOf,
  stepMarkLabels,
  stepMarkSpoken,
  type StatusCode,
} from '../../src/domain/statuses.js';

/** The manual's section 6 (申請状況の詳細): 項番, 申請状況, 参照先の手順書. */
const manualSection6: [number, string, StatusCode, string][] = [
  [1, '検査手数料等納付待ち', 'inspectionFeesDue', '【画面申請】税・手数料納付の操作手順'],
  [2, '検査手数料等まとめ払い中', 'inspectionFeesBulkPayment', '【画面申請】税・手数料納付の操作手順'],
  [3, '自動車重量税納付待ち', 'weightTaxDue', '【画面申請】税・手数料納付の操作手順'],
  [4, '自動車重量税まとめ払い中', 'weightTaxBulkPayment', '【画面申請】税・手数料納付の操作手順'],
  [5, '軽自動車税納付待ち', 'vehicleTaxDue', '【画面申請】税・手数料納付の操作手順'],
  [6, '軽自動車税まとめ払い中', 'vehicleTaxBulkPayment', '【画面申請】税・手数料納付の操作手順'],
  [7, '交付準備完了', 'readyForDelivery', '【画面申請】二次元コード発行の操作手順'],
  [8, '返付準備完了', 'readyForReturn', '【画面申請】二次元コード発行の操作手順'],
  [9, '検査申請補正待ち', 'inspectionCorrectionRequested', '【申請共通】補正申請の操作手順 もしくは、【申請共通】申請取り下げの操作手順'],
  // The manual's cell spans 9 and 10, but only 9 says the applicant may withdraw instead of correcting
  // (補正を行わず、申請を取り下げること可能です); 10 points to the correction guide alone.
  [10, '軽自動車税申告補正待ち', 'taxDeclarationCorrectionRequested', '【申請共通】補正申請の操作手順'],
  [11, '検査申請取り下げ', 'withdrawn', '【画面申請】初回申請の操作手順'],
  [12, '検査申請無効', 'invalidated', '【画面申請】初回申請の操作手順'],
  [13, '検査申請却下', 'rejected', '【画面申請】初回申請の操作手順'],
  [14, '未受付', 'notAccepted', '【画面申請】初回申請の操作手順'],
];

describe('the status catalogue and the manual\'s section 6 (申請状況の詳細)', () => {
  it('exactly 14 statuses carry a manual 項番, each of 1..14 once', () => {
    const items = statusCodes.map((c): number | null => statuses[c].manualItem).filter((i): i is number => i !== null);
    expect(items).toHaveLength(14);
    expect([...items].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it.each(manualSection6)('項番%i 「%s」 (%s) points to %s', (item, label, code, guide) => {
    const def = statusDefinition(code);
    expect(def.manualItem).toBe(item);
    expect(def.label).toBe(label);
    expect(def.guide).toBe(guide);
  });

  it('manualStatusTable lists them in the manual\'s order', () => {
    expect(manualStatusTable().map((e) => [e.item, e.definition.label, e.code])).toEqual(manualSection6.map(([i, l, c]) => [i, l, c]));
  });

  it('the descriptions are the manual\'s words', () => {
    expect(statuses.inspectionFeesDue.description).toBe('検査手数料・技術情報管理手数料の納付が可能な状態です。検査手数料・技術情報管理手数料の納付を行ってください。');
    expect(statuses.weightTaxDue.description).toBe('自動車重量税の納付が可能な状態です。自動車重量税の納付を行ってください。');
    expect(statuses.vehicleTaxDue.description).toBe('軽自動車税環境性能割の納付が可能な状態です。軽自動車税環境性能割の納付を行ってください。');
    expect(statuses.readyForReturn.description).toBe(
      '自動車検査証の交付（返付）が可能な状態です。\n軽自動車検査協会事務所等の窓口で、自動車検査証等の交付物を受け取る際は、「受取者認証兼受取車両個別申告用二次元コード」を印刷し、交付物の受け取り時に、申請先の軽自動車検査協会の事務所等に提出してください。',
    );
    expect(statuses.readyForDelivery.description).toBe(statuses.readyForReturn.description);
    expect(statuses.inspectionCorrectionRequested.description).toBe(
      '検査申請の申請内容や添付書類に軽微な誤り、不足等があり、軽自動車検査協会の審査により補正が通知された状態です。\n通知等情報の指示に従い、申請内容の補正を行ってください。\n補正を行わず、申請を取り下げること可能です。',
    );
    expect(statuses.taxDeclarationCorrectionRequested.description).toBe(
      '軽自動車税申告の申請内容や添付書類に軽微な誤り、不足等があり、都道府県税の審査により補正が通知された状態です。\n通知等情報の指示に従い、申請内容の補正を行ってください。',
    );
    expect(statuses.withdrawn.description).toBe('申請者自身により、申請の取り下げが完了した状態です。\n必要に応じ、再度申請を行ってください。');
    expect(statuses.invalidated.description).toBe(
      '納付期限日以内に手数料が納付されなかった状態、または、軽自動車検査協会での受付チェックにより無効が通知された状態です。\n通知等情報の内容をご確認のうえ、再度申請を行ってください。',
    );
    expect(statuses.rejected.description).toBe('軽自動車検査協会の審査により却下が通知された状態です。\n通知等情報の内容をご確認のうえ、再度申請を行ってください。');
    expect(statuses.notAccepted.description).toBe('申請データや署名用電子証明書等に不備があり、申請が受け付けられていない状態です。\n表示内容をご確認のうえ、再度申請を行ってください。');
  });

  it('the states between the manual\'s statuses have no 項番 and no guide', () => {
    const between = statusCodes.filter((c) => statuses[c].manualItem === null);
    expect(between).toEqual([
      'awaitingAcceptance',
      'acceptedAwaitingAttachments',
      'inspectionUnderExamination',
      'taxDeclarationUnderExamination',
      'preparingReturn',
      'preparingDelivery',
      'returned',
      'delivered',
    ]);
    for (const c of between) expect(statuses[c].guide).toBeNull();
    expect(statuses.returned.label).toBe('返付済');
    expect(statuses.delivered.label).toBe('交付済');
  });

  it('states where the applicant waits say that offices examine on business days only', () => {
    for (const c of ['awaitingAcceptance', 'acceptedAwaitingAttachments', 'inspectionUnderExamination', 'taxDeclarationUnderExamination'] as const) {
      expect(statuses[c].description).toContain('審査は開庁日（平日。祝日と12月29日〜1月3日を除く）の窓口受付時間内に行われます。時間外に届いたものは翌開庁日以降に審査されます。');
    }
  });

  it('the guides are the manual\'s 参照先の手順書', () => {
    expect(guides).toEqual({
      payment: '【画面申請】税・手数料納付の操作手順',
      collectionCode: '【画面申請】二次元コード発行の操作手順',
      correctionOrWithdrawal: '【申請共通】補正申請の操作手順 もしくは、【申請共通】申請取り下げの操作手順',
      correction: '【申請共通】補正申請の操作手順',
      withdrawal: '【申請共通】申請取り下げの操作手順',
      firstApplication: '【画面申請】初回申請の操作手順',
    });
  });
});

describe('which statuses belong to which procedure', () => {
  it('継続検査 has 15 statuses, ending in 返付', () => {
    expect(statusesOf('continuousInspection')).toEqual([
      'awaitingAcceptance',
      'notAccepted',
      'acceptedAwaitingAttachments',
      'inspectionFeesDue',
      'inspectionFeesBulkPayment',
      'weightTaxDue',
      'weightTaxBulkPayment',
      'inspectionUnderExamination',
      'inspectionCorrectionRequested',
      'preparingReturn',
      'readyForReturn',
      'returned',
      'withdrawn',
      'invalidated',
      'rejected',
    ]);
  });
  it('新車 has 19 statuses, with the tax declaration and ending in 交付', () => {
    expect(statusesOf('newVehicle')).toEqual([
      'awaitingAcceptance',
      'notAccepted',
      'acceptedAwaitingAttachments',
      'inspectionFeesDue',
      'inspectionFeesBulkPayment',
      'weightTaxDue',
      'weightTaxBulkPayment',
      'inspectionUnderExamination',
      'inspectionCorrectionRequested',
      'taxDeclarationUnderExamination',
      'taxDeclarationCorrectionRequested',
      'vehicleTaxDue',
      'vehicleTaxBulkPayment',
      'preparingDelivery',
      'readyForDelivery',
      'delivered',
      'withdrawn',
      'invalidated',
      'rejected',
    ]);
  });
  it('every status belongs to at least one procedure', () => {
    for (const c of statusCodes) expect(procedureCodes.some((p) => statusesOf(p).includes(c))).toBe(true);
  });
  it('a status with step marks has them for exactly its procedures, one per step', () => {
    for (const c of statusCodes) {
      const def = statusDefinition(c);
      if (def.steps === 'stopped') continue;
      expect(Object.keys(def.steps).sort()).toEqual([...def.procedures].sort());
      for (const p of def.procedures) expect(def.steps[p]).toHaveLength(procedures[p].steps.length);
    }
  });
});

describe('status attributes', () => {
  it('terminal: 未受付, 返付済, 交付済, 取り下げ, 無効, 却下 and nothing else', () => {
    expect(statusCodes.filter((c) => statuses[c].terminal)).toEqual(['notAccepted', 'returned', 'delivered', 'withdrawn', 'invalidated', 'rejected']);
  });
  it('stopped statuses keep the steps done when they stopped: 未受付, 取り下げ, 無効, 却下', () => {
    expect(statusCodes.filter((c) => statuses[c].steps === 'stopped')).toEqual(['notAccepted', 'withdrawn', 'invalidated', 'rejected']);
  });
  it('payment stage, まとめ払い and deadline kind per status', () => {
    const table = Object.fromEntries(statusCodes.map((c) => [c, [statuses[c].paymentStage, statuses[c].bulkPayment, statuses[c].deadline]]));
    expect(table).toEqual({
      awaitingAcceptance: [null, false, null],
      notAccepted: [null, false, null],
      acceptedAwaitingAttachments: [null, false, null],
      inspectionFeesDue: ['inspectionFees', false, 'payment'],
      inspectionFeesBulkPayment: ['inspectionFees', true, 'payment'],
      weightTaxDue: ['weightTax', false, 'payment'],
      weightTaxBulkPayment: ['weightTax', true, 'payment'],
      inspectionUnderExamination: [null, false, null],
      inspectionCorrectionRequested: [null, false, 'correction'],
      taxDeclarationUnderExamination: [null, false, null],
      taxDeclarationCorrectionRequested: [null, false, 'correction'],
      vehicleTaxDue: ['vehicleTax', false, 'payment'],
      vehicleTaxBulkPayment: ['vehicleTax', true, 'payment'],
      preparingReturn: [null, false, null],
      preparingDelivery: [null, false, null],
      readyForDelivery: [null, false, null],
      readyForReturn: [null, false, null],
      returned: [null, false, null],
      delivered: [null, false, null],
      withdrawn: [null, false, null],
      invalidated: [null, false, null],
      rejected: [null, false, null],
    });
  });
  it('applicantMay: what each status offers before the further conditions of rules.ts', () => {
    const table = Object.fromEntries(statusCodes.map((c) => [c, [...statuses[c].applicantMay]]));
    expect(table).toEqual({
      awaitingAcceptance: [],
      notAccepted: ['applyAgain'],
      acceptedAwaitingAttachments: [],
      inspectionFeesDue: ['pay', 'chooseBulkPayment'],
      inspectionFeesBulkPayment: ['pay', 'takeBulkPaymentNumber', 'withdraw'],
      weightTaxDue: ['pay', 'chooseBulkPayment'],
      weightTaxBulkPayment: ['pay', 'takeBulkPaymentNumber'],
      inspectionUnderExamination: [],
      inspectionCorrectionRequested: ['correct', 'withdraw'],
      taxDeclarationUnderExamination: [],
      taxDeclarationCorrectionRequested: ['correct'],
      vehicleTaxDue: ['pay', 'chooseBulkPayment'],
      vehicleTaxBulkPayment: ['pay', 'takeBulkPaymentNumber'],
      preparingReturn: [],
      preparingDelivery: [],
      readyForDelivery: ['issueCollectionCode'],
      readyForReturn: ['issueCollectionCode'],
      returned: [],
      delivered: [],
      withdrawn: ['applyAgain'],
      invalidated: ['applyAgain'],
      rejected: ['applyAgain'],
    });
  });
  it('withdrawal is offered only in 検査手数料等まとめ払い中 and 検査申請補正待ち (manual 7 and 11)', () => {
    expect(statusCodes.filter((c) => (statuses[c].applicantMay as readonly string[]).includes('withdraw'))).toEqual(['inspectionFeesBulkPayment', 'inspectionCorrectionRequested']);
  });
  it('the 2D code is offered only in 交付準備完了 and 返付準備完了 (manual 8)', () => {
    expect(statusCodes.filter((c) => (statuses[c].applicantMay as readonly string[]).includes('issueCollectionCode'))).toEqual(['readyForDelivery', 'readyForReturn']);
  });
  it('isStatusCode knows the catalogue and nothing from the prototype', () => {
    expect(isStatusCode('rejected')).toBe(true);
    expect(isStatusCode('却下')).toBe(false);
    expect(isStatusCode('toString')).toBe(false);
    expect(isStatusCode('constructor')).toBe(false);
  });
  it('step marks read 済 / ! / 未', () => {
    expect(stepMarkLabels).toEqual({ done: '済', action: '!', pending: '未' });
    expect(stepMarkSpoken).toEqual({ done: '完了', action: 'お客様の操作が必要', pending: '未完了' });
  });
  it('the procedures\' steps are the manual\'s', () => {
    expect(procedures.continuousInspection.steps).toEqual(['手続準備', '軽自動車検査協会事務所等への手続', '返付']);
    expect(procedures.newVehicle.steps).toEqual(['手続準備', '軽自動車検査協会事務所等への手続', '軽自動車税申告窓口への手続', '交付']);
  });
});
