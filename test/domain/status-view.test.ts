import { describe, expect, it } from 'vitest';
import type { ProcedureCode } from '../../src/domain/procedures.js';
import { applicantActions, statusView, type StatusView } from '../../src/domain/status-view.js';
import { statusesOf, stepMarkLabels } from '../../src/domain/statuses.js';
import { applicant, CORRECTION_DEADLINE, FEES_DUE, reach, type Situation } from './support.js';

/**
 * The status view of every status of both procedures, reached through real events. Each row reads:
 * steps (済 ! 未), where the 通知メッセージ points, the payment groups (状態, +納付 when the button
 * shows, 期限- when no 納付期限 is shown), the boxes (7 withdrawal, 8 collection with its 2D-code
 * button + allowed / x disabled, 11 correction with w withdrawal, again = 再度の申請), and the notices.
 */
type Row = readonly [steps: string, message: string | null, payments: string, boxes: string, notices: string];

function row(v: StatusView): Row {
  const box = (ok: boolean, name: string) => `${name}${ok ? '' : 'x'}`;
  return [
    v.steps.map((s) => stepMarkLabels[s.mark]).join(''),
    v.message?.target ?? null,
    v.payments.map((g) => `${g.stage}:${g.state}${g.payButton ? '+納付' : ''}${g.dueOn ? '' : ' 期限-'}`).join(' '),
    [
      v.withdrawal ? box(v.withdrawal.withdraw.ok, '7') : '',
      v.collection ? (v.collection.issueCode ? `8${v.collection.issueCode.ok ? '+' : 'x'}` : '8') : '',
      v.correction ? `${box(v.correction.correct.ok, '11')}${v.correction.withdraw ? box(v.correction.withdraw.ok, 'w') : ''}` : '',
      v.applyAgain ? 'again' : '',
    ]
      .filter(Boolean)
      .join(' '),
    v.notices.map((n) => n.label).join('/'),
  ];
}

const FEES = 'inspectionFees:unpaid+納付 weightTax:unpaid';
const PAID2 = 'inspectionFees:paid weightTax:paid';
const NONE2 = 'inspectionFees:notRequired 期限- weightTax:notRequired 期限-';

const expected: Record<ProcedureCode, Partial<Record<Situation, Row>>> = {
  continuousInspection: {
    awaitingAcceptance: ['未未未', null, '', '8x', ''],
    notAccepted: ['未未未', 'notices', '', 'again', '未受付'],
    invalidatedAtAcceptance: ['未未未', 'notices', '', 'again', '無効'],
    acceptedAwaitingAttachments: ['未未未', null, '', '8x', ''],
    inspectionFeesDue: ['!未未', 'payments', FEES, '8x', ''],
    inspectionFeesBulkPayment: ['!未未', 'payments', FEES, '7 8x', ''],
    inspectionFeesBulkPaymentNumberTaken: ['!未未', 'payments', FEES, '8x', ''],
    withdrawn: ['未未未', 'notices', NONE2, 'again', '取り下げ'],
    invalidated: ['未未未', 'notices', NONE2, 'again', '無効'],
    weightTaxDue: ['!未未', 'payments', 'inspectionFees:paid weightTax:unpaid+納付', '8x', ''],
    weightTaxBulkPayment: ['!未未', 'payments', 'inspectionFees:paid weightTax:unpaid+納付', '8x', ''],
    weightTaxBulkPaymentNumberTaken: ['!未未', 'payments', 'inspectionFees:paid weightTax:unpaid+納付', '8x', ''],
    inspectionUnderExamination: ['済未未', null, PAID2, '8x', ''],
    inspectionCorrectionRequested: ['済!未', 'notices', PAID2, '8x 11w', '補正'],
    withdrawnFromCorrection: ['済未未', 'notices', PAID2, 'again', '取り下げ/補正'],
    rejected: ['済未未', 'notices', PAID2, 'again', '却下/補正'],
    rejectedInExamination: ['済未未', 'notices', PAID2, 'again', '却下'],
    rejectedByExpiry: ['済未未', 'notices', PAID2, 'again', '却下/補正'],
    preparingReturn: ['済済未', null, PAID2, '8x', ''],
    readyForReturn: ['済済!', 'delivery', PAID2, '8+', ''],
    returned: ['済済済', null, PAID2, '8', ''],
  },
  newVehicle: {
    awaitingAcceptance: ['未未未未', null, '', '8x', ''],
    notAccepted: ['未未未未', 'notices', '', 'again', '未受付'],
    invalidatedAtAcceptance: ['未未未未', 'notices', '', 'again', '無効'],
    acceptedAwaitingAttachments: ['未未未未', null, '', '8x', ''],
    inspectionFeesDue: ['!未未未', 'payments', FEES, '8x', ''],
    inspectionFeesBulkPayment: ['!未未未', 'payments', FEES, '7 8x', ''],
    inspectionFeesBulkPaymentNumberTaken: ['!未未未', 'payments', FEES, '8x', ''],
    withdrawn: ['未未未未', 'notices', NONE2, 'again', '取り下げ'],
    invalidated: ['未未未未', 'notices', NONE2, 'again', '無効'],
    weightTaxDue: ['!未未未', 'payments', 'inspectionFees:paid weightTax:unpaid+納付', '8x', ''],
    weightTaxBulkPayment: ['!未未未', 'payments', 'inspectionFees:paid weightTax:unpaid+納付', '8x', ''],
    weightTaxBulkPaymentNumberTaken: ['!未未未', 'payments', 'inspectionFees:paid weightTax:unpaid+納付', '8x', ''],
    inspectionUnderExamination: ['済未未未', null, PAID2, '8x', ''],
    inspectionCorrectionRequested: ['済!未未', 'notices', PAID2, '8x 11w', '補正'],
    withdrawnFromCorrection: ['済未未未', 'notices', PAID2, 'again', '取り下げ/補正'],
    rejected: ['済未未未', 'notices', PAID2, 'again', '却下/補正'],
    rejectedInExamination: ['済未未未', 'notices', PAID2, 'again', '却下'],
    rejectedByExpiry: ['済未未未', 'notices', PAID2, 'again', '却下/補正'],
    taxDeclarationUnderExamination: ['済済未未', null, PAID2, '8x', ''],
    taxDeclarationCorrectionRequested: ['済済!未', 'notices', PAID2, '8x 11', '補正'],
    vehicleTaxDue: ['済済!未', 'payments', `${PAID2} vehicleTax:unpaid+納付`, '8x', ''],
    vehicleTaxBulkPayment: ['済済!未', 'payments', `${PAID2} vehicleTax:unpaid+納付`, '8x', ''],
    vehicleTaxBulkPaymentNumberTaken: ['済済!未', 'payments', `${PAID2} vehicleTax:unpaid+納付`, '8x', ''],
    invalidatedAtVehicleTax: ['済済未未', 'notices', `${PAID2} vehicleTax:notRequired 期限-`, 'again', '無効'],
    preparingDelivery: ['済済済未', null, `${PAID2} vehicleTax:paid`, '8x', ''],
    readyForDelivery: ['済済済!', 'delivery', `${PAID2} vehicleTax:paid`, '8+', ''],
    delivered: ['済済済済', null, `${PAID2} vehicleTax:paid`, '8', ''],
  },
};

describe('statusView: every status of both procedures, as the manual shows it', () => {
  for (const procedure of ['continuousInspection', 'newVehicle'] as const) {
    it(`${procedure}: the table covers every status of the procedure`, () => {
      const reached = new Set(Object.keys(expected[procedure]).map((s) => reach(procedure, s as Situation).app.status));
      expect([...reached].sort()).toEqual([...statusesOf(procedure)].sort());
    });
    for (const [situation, want] of Object.entries(expected[procedure])) {
      it(`${procedure} ${situation}`, () => {
        const scene = reach(procedure, situation as Situation);
        expect(row(statusView(scene.app, scene.now))).toEqual(want);
      });
    }
  }
});

describe('statusView: the 通知メッセージ says what to do, in the manual words of each procedure', () => {
  const message = (p: ProcedureCode, s: Situation, at?: Date) => {
    const scene = reach(p, s);
    return statusView(scene.app, at ?? scene.now).message?.text ?? null;
  };

  it('通知等があります (継続検査) / お知らせがあります (新車) while a correction is requested', () => {
    expect(message('continuousInspection', 'inspectionCorrectionRequested')).toBe('通知等があります。画面下部の通知等情報を確認してください。');
    expect(message('newVehicle', 'inspectionCorrectionRequested')).toBe('お知らせがあります。画面下部のお知らせ情報を確認してください。');
  });

  it('検査手数料等納付待ち, 自動車重量税納付待ち, 軽自動車税納付待ち: which fee to pay', () => {
    expect(message('continuousInspection', 'inspectionFeesDue')).toBe('検査手数料・技術情報管理手数料の納付を行ってください。画面下部の納付情報を確認してください。');
    expect(message('newVehicle', 'weightTaxBulkPayment')).toBe('自動車重量税の納付を行ってください。画面下部の納付情報を確認してください。');
    expect(message('newVehicle', 'vehicleTaxDue')).toBe('軽自動車税環境性能割の納付を行ってください。画面下部の納付情報を確認してください。');
  });

  it('after the 納付期限 (before the sweeper runs) it says the payment can no longer be made', () => {
    expect(message('continuousInspection', 'inspectionFeesDue', new Date('2026-06-15T15:00:00Z'))).toBe('納付期限を過ぎているため、納付できません。画面下部の納付情報を確認してください。');
  });

  it('返付準備完了 / 交付準備完了: issue the 2D code and bring it to the counter', () => {
    expect(message('continuousInspection', 'readyForReturn')).toBe(
      '自動車検査証の返付が可能な状態です。「受取者認証兼受取車両個別申告用二次元コードの発行」ボタンから二次元コードを発行・印刷し、交付物の受け取り時に、申請先の軽自動車検査協会の事務所等に提出してください。',
    );
    expect(message('newVehicle', 'readyForDelivery')).toContain('自動車検査証の交付が可能な状態です。');
  });

  it('a 記録等事務代行者 collects: no 「!」, no message, no 2D-code button', () => {
    const scene = reach('continuousInspection', 'readyForReturn', { agentCommissionNumber: 'KIROKU0001', agentName: '指定整備事業者 品川A', agentUsable: true });
    const v = statusView(scene.app, scene.now);
    expect(row(v)).toEqual(['済済未', null, PAID2, '8', '']);
    expect(v.collection?.byAgent).toBe(true);
  });

  it('nothing to do: no message; the agencies\' お知らせ point to お知らせ', () => {
    const scene = reach('continuousInspection', 'inspectionUnderExamination');
    expect(statusView(scene.app, scene.now).message).toBeNull();
    expect(statusView(scene.app, scene.now, { announcements: 1 }).message).toEqual({ text: 'お知らせがあります。画面下部のお知らせ情報を確認してください。', target: 'announcements' });
  });
});

describe('statusView: parts 7, 10 and 11 with their real outcome', () => {
  it('補正（補正済） only after a correction was filed', () => {
    const scene = reach('continuousInspection', 'inspectionCorrectionRequested').do({ type: 'submitCorrection', changes: [] }, applicant);
    const v = statusView(scene.app, scene.now);
    expect(v.notices.map((n) => [n.label, n.outcome])).toEqual([['補正（補正済）', 'corrected']]);
    const rejected = reach('continuousInspection', 'rejectedByExpiry');
    expect(statusView(rejected.app, rejected.now).notices.map((n) => [n.label, n.outcome])).toEqual([
      ['却下', 'final'],
      ['補正', 'closed'],
    ]);
  });

  it('申請の取り下げが可能です: only in 検査手数料等まとめ払い中 before the number; its button disabled after the 納付期限', () => {
    const scene = reach('continuousInspection', 'inspectionFeesBulkPayment');
    expect(statusView(scene.app, scene.now).withdrawal?.withdraw).toEqual({ ok: true, value: true });
    const late = statusView(scene.app, new Date(`${FEES_DUE}T15:00:00Z`));
    expect(late.withdrawal?.withdraw).toEqual({ ok: false, refusal: { code: 'deadlinePassed', message: '納付期限を過ぎているため、申請を取り下げることはできません。' } });
  });

  it('補正指示が出ています after the 補正期限: both buttons disabled, with the domain refusal', () => {
    const scene = reach('continuousInspection', 'inspectionCorrectionRequested');
    const v = statusView(scene.app, new Date(`${CORRECTION_DEADLINE}T15:00:00Z`));
    expect(v.correction?.correct).toEqual({ ok: false, refusal: { code: 'deadlinePassed', message: '補正期限を過ぎているため、補正申請はできません。' } });
    expect(v.correction?.withdraw).toEqual({ ok: false, refusal: { code: 'deadlinePassed', message: '補正期限を過ぎているため、申請を取り下げることはできません。' } });
  });

  it('a stopped application owes nothing: no 納付番号, 確認番号 or 納付期限, and paying is refused with its status', () => {
    const scene = reach('continuousInspection', 'withdrawn');
    const v = statusView(scene.app, scene.now);
    for (const g of v.payments) expect([g.state, g.paymentNumber, g.confirmationNumber, g.dueOn, g.payButton, g.numberPending]).toEqual(['notRequired', null, null, null, false, false]);
    expect(v.payments[0]?.pay).toEqual({ ok: false, refusal: { code: 'statusDoesNotAllow', message: 'この申請は「検査申請取り下げ」のため、納付できません。' } });
    expect(v.collection).toBeNull();
    expect(v.deadlines).toEqual([]);
  });

  it('the applicant actions carry the refusals applyEvent gives', () => {
    const scene = reach('continuousInspection', 'inspectionFeesBulkPaymentNumberTaken');
    const actions = applicantActions(scene.app, scene.now);
    expect(actions.withdraw).toEqual({ ok: false, refusal: { code: 'paymentNumberTaken', message: '納付番号を取得した後は、申請を取り下げることはできません。' } });
    const tried = scene.try({ type: 'withdraw' }, applicant, scene.now);
    expect(tried.ok ? null : tried.refusal).toEqual(actions.withdraw.ok ? null : actions.withdraw.refusal);
    expect(actions.pay).toEqual({ ok: true, value: true });
    expect(actions.correct).toEqual({ ok: false, refusal: { code: 'statusDoesNotAllow', message: '現在の申請状況「検査手数料等まとめ払い中」では「補正申請」はできません。' } });
  });
});
