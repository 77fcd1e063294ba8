import { describe, expect, it } from 'vitest';
import type { Application } from '../../src/domain/application.js';
import type { ProcedureCode } from '../../src/domain/procedures.js';
import {
  allowedActions,
  attachmentsComplete,
  bulkPaymentNumberTaken,
  currentDeadline,
  deadlineInstant,
  deadlineReminders,
  linesOfStage,
  progressSummary,
  REMINDER_DAYS,
  reminderStartsOn,
  stepMarks,
} from '../../src/domain/rules.js';
import { statusesOf, type ApplicantAction, type StatusCode, type StepMark } from '../../src/domain/statuses.js';
import { CORRECTION_DEADLINE, FEES_DUE, reach, type Situation, VEHICLE_TAX_DUE } from './support.js';

const D: StepMark = 'done';
const A: StepMark = 'action';
const P: StepMark = 'pending';

type Row = [marks: StepMark[], actions: ApplicantAction[]];

/**
 * 手続進捗状況 and the buttons offered, for a representative application of every status,
 * reached through real events, looked at one minute after its last change (before any deadline).
 * Stopped statuses: 取り下げ from まとめ払い中, 無効 by 納付期限切れ in 検査手数料等納付待ち,
 * 却下 from 検査申請補正待ち.
 */
const continuousInspection: Record<StatusCode, Row> | Partial<Record<StatusCode, Row>> = {
  awaitingAcceptance: [[P, P, P], []],
  notAccepted: [[P, P, P], ['applyAgain']],
  acceptedAwaitingAttachments: [[P, P, P], []],
  inspectionFeesDue: [[A, P, P], ['pay', 'chooseBulkPayment']],
  inspectionFeesBulkPayment: [[A, P, P], ['takeBulkPaymentNumber', 'withdraw']],
  weightTaxDue: [[A, P, P], ['pay', 'chooseBulkPayment']],
  weightTaxBulkPayment: [[A, P, P], ['takeBulkPaymentNumber']],
  inspectionUnderExamination: [[D, P, P], []],
  inspectionCorrectionRequested: [[D, A, P], ['correct', 'withdraw']],
  preparingReturn: [[D, D, P], []],
  readyForReturn: [[D, D, A], ['issueCollectionCode']],
  returned: [[D, D, D], []],
  withdrawn: [[P, P, P], ['applyAgain']],
  invalidated: [[P, P, P], ['applyAgain']],
  rejected: [[D, P, P], ['applyAgain']],
};

const newVehicle: Partial<Record<StatusCode, Row>> = {
  awaitingAcceptance: [[P, P, P, P], []],
  notAccepted: [[P, P, P, P], ['applyAgain']],
  acceptedAwaitingAttachments: [[P, P, P, P], []],
  inspectionFeesDue: [[A, P, P, P], ['pay', 'chooseBulkPayment']],
  inspectionFeesBulkPayment: [[A, P, P, P], ['takeBulkPaymentNumber', 'withdraw']],
  weightTaxDue: [[A, P, P, P], ['pay', 'chooseBulkPayment']],
  weightTaxBulkPayment: [[A, P, P, P], ['takeBulkPaymentNumber']],
  inspectionUnderExamination: [[D, P, P, P], []],
  inspectionCorrectionRequested: [[D, A, P, P], ['correct', 'withdraw']],
  taxDeclarationUnderExamination: [[D, D, P, P], []],
  taxDeclarationCorrectionRequested: [[D, D, A, P], ['correct']],
  vehicleTaxDue: [[D, D, A, P], ['pay', 'chooseBulkPayment']],
  vehicleTaxBulkPayment: [[D, D, A, P], ['takeBulkPaymentNumber']],
  preparingDelivery: [[D, D, D, P], []],
  readyForDelivery: [[D, D, D, A], ['issueCollectionCode']],
  delivered: [[D, D, D, D], []],
  withdrawn: [[P, P, P, P], ['applyAgain']],
  invalidated: [[P, P, P, P], ['applyAgain']],
  rejected: [[D, P, P, P], ['applyAgain']],
};

const tables: Record<ProcedureCode, Partial<Record<StatusCode, Row>>> = { continuousInspection, newVehicle };

describe.each(['continuousInspection', 'newVehicle'] as const)('every status of %s', (procedure) => {
  const table = tables[procedure];
  it('the table covers exactly the statuses of the procedure', () => {
    expect(Object.keys(table).sort()).toEqual([...statusesOf(procedure)].sort());
  });
  it.each(statusesOf(procedure))('%s: step marks and allowed actions', (status) => {
    const scene = reach(procedure, status);
    expect(scene.app.status).toBe(status);
    const [marks, actions] = table[status] as Row;
    expect(stepMarks(scene.app)).toEqual(marks);
    expect(allowedActions(scene.app, scene.now)).toEqual(actions);
  });
});

describe('variants: the same status, other facts', () => {
  const variants: [ProcedureCode, Situation, StatusCode, StepMark[], ApplicantAction[]][] = [
    ['continuousInspection', 'inspectionFeesBulkPaymentNumberTaken', 'inspectionFeesBulkPayment', [A, P, P], ['pay']],
    ['continuousInspection', 'weightTaxBulkPaymentNumberTaken', 'weightTaxBulkPayment', [A, P, P], ['pay']],
    ['newVehicle', 'vehicleTaxBulkPaymentNumberTaken', 'vehicleTaxBulkPayment', [D, D, A, P], ['pay']],
    ['continuousInspection', 'withdrawnFromCorrection', 'withdrawn', [D, P, P], ['applyAgain']],
    ['newVehicle', 'withdrawnFromCorrection', 'withdrawn', [D, P, P, P], ['applyAgain']],
    ['continuousInspection', 'invalidatedAtAcceptance', 'invalidated', [P, P, P], ['applyAgain']],
    ['newVehicle', 'invalidatedAtVehicleTax', 'invalidated', [D, D, P, P], ['applyAgain']],
    ['continuousInspection', 'rejectedByExpiry', 'rejected', [D, P, P], ['applyAgain']],
    ['newVehicle', 'rejectedInExamination', 'rejected', [D, P, P, P], ['applyAgain']],
    ['continuousInspection', 'examinationReady', 'inspectionUnderExamination', [D, P, P], []],
  ];
  it.each(variants)('%s / %s (%s)', (procedure, situation, status, marks, actions) => {
    const scene = reach(procedure, situation);
    expect(scene.app.status).toBe(status);
    expect(stepMarks(scene.app)).toEqual(marks);
    expect(allowedActions(scene.app, scene.now)).toEqual(actions);
  });

  it('a stopped application counts a 重量税 of ¥0 (不要) as settled', () => {
    const scene = reach('continuousInspection', 'withdrawnFromCorrection', { weightTaxBand: 'exempt' });
    expect(stepMarks(scene.app)).toEqual([D, P, P]);
  });

  it('a stopped application whose stage has no payment lines has not done 手続準備', () => {
    const scene = reach('newVehicle', 'notAccepted');
    expect(linesOfStage(scene.app, 'inspectionFees')).toEqual([]);
    expect(stepMarks(scene.app)).toEqual([P, P, P, P]);
  });

  it('stepMarks throws for a status of the other procedure (a corrupt record)', () => {
    const app: Application = { ...reach('continuousInspection', 'awaitingAcceptance').app, status: 'vehicleTaxDue' };
    expect(() => stepMarks(app)).toThrow('status vehicleTaxDue does not belong to continuousInspection');
  });
});

describe('申請を取り下げる (manual 7 and 11)', () => {
  it('検査手数料等まとめ払い中, before a payment number is taken: offered', () => {
    const s = reach('continuousInspection', 'inspectionFeesBulkPayment');
    expect(bulkPaymentNumberTaken(s.app)).toBe(false);
    expect(allowedActions(s.app, s.now)).toContain('withdraw');
  });
  it('検査手数料等まとめ払い中, after the payment number is taken: not offered', () => {
    const s = reach('continuousInspection', 'inspectionFeesBulkPaymentNumberTaken');
    expect(bulkPaymentNumberTaken(s.app)).toBe(true);
    expect(allowedActions(s.app, s.now)).not.toContain('withdraw');
  });
  it('検査手数料等まとめ払い中 past the 納付期限: nothing is offered', () => {
    const s = reach('continuousInspection', 'inspectionFeesBulkPayment');
    expect(allowedActions(s.app, new Date('2026-06-15T14:59:59Z'))).toEqual(['takeBulkPaymentNumber', 'withdraw']);
    expect(allowedActions(s.app, new Date('2026-06-15T15:00:00Z'))).toEqual([]);
  });
  it('自動車重量税まとめ払い中: never offered', () => {
    const s = reach('newVehicle', 'weightTaxBulkPayment');
    expect(allowedActions(s.app, s.now)).not.toContain('withdraw');
  });
  it.each(['continuousInspection', 'newVehicle'] as const)('検査申請補正待ち (%s): offered with 補正 until the last second of the 補正期限', (procedure) => {
    const s = reach(procedure, 'inspectionCorrectionRequested');
    expect(s.app.correctionDeadline).toBe(CORRECTION_DEADLINE);
    expect(allowedActions(s.app, new Date('2026-06-10T14:59:59Z'))).toEqual(['correct', 'withdraw']);
    expect(allowedActions(s.app, new Date('2026-06-10T15:00:00Z'))).toEqual([]);
  });
  it('軽自動車税申告補正待ち: 補正 until the deadline, never 取り下げ', () => {
    const s = reach('newVehicle', 'taxDeclarationCorrectionRequested');
    expect(allowedActions(s.app, new Date('2026-06-10T14:59:59Z'))).toEqual(['correct']);
    expect(allowedActions(s.app, new Date('2026-06-10T15:00:00Z'))).toEqual([]);
  });
});

describe('納付 and まとめ納付', () => {
  it('納付待ち: pay and choose まとめ納付 until the 納付期限, nothing after', () => {
    const s = reach('continuousInspection', 'weightTaxDue');
    expect(allowedActions(s.app, new Date('2026-06-15T14:59:59Z'))).toEqual(['pay', 'chooseBulkPayment']);
    expect(allowedActions(s.app, new Date('2026-06-15T15:00:00Z'))).toEqual([]);
  });
  it('まとめ払い中: 納付 only once the number is taken; taking it only once', () => {
    const before = reach('newVehicle', 'vehicleTaxBulkPayment');
    expect(allowedActions(before.app, before.now)).toEqual(['takeBulkPaymentNumber']);
    const after = reach('newVehicle', 'vehicleTaxBulkPaymentNumberTaken');
    expect(allowedActions(after.app, after.now)).toEqual(['pay']);
    expect(allowedActions(after.app, new Date('2026-06-20T15:00:00Z'))).toEqual([]);
  });
  it('bulkPaymentNumberTaken is false outside payment statuses', () => {
    expect(bulkPaymentNumberTaken(reach('continuousInspection', 'inspectionUnderExamination').app)).toBe(false);
  });
});

describe('受取者認証兼受取車両個別申告用二次元コードの発行 (manual 8)', () => {
  it('返付準備完了 with a 記録等事務代行者 who cannot be used (利用不可): offered', () => {
    const s = reach('continuousInspection', 'readyForReturn', { agentUsable: false });
    expect(allowedActions(s.app, s.now)).toEqual(['issueCollectionCode']);
  });
  it('返付準備完了 with a usable 記録等事務代行者: not needed, not offered', () => {
    const s = reach('continuousInspection', 'readyForReturn', { agentUsable: true });
    expect(s.app.recordingAgent?.usable).toBe(true);
    expect(allowedActions(s.app, s.now)).toEqual([]);
  });
  it('返付準備完了 without any 記録等事務代行者: offered', () => {
    const s = reach('continuousInspection', 'readyForReturn', { agentCommissionNumber: '', agentName: '' });
    expect(s.app.recordingAgent).toBeNull();
    expect(allowedActions(s.app, s.now)).toEqual(['issueCollectionCode']);
  });
  it('offered whatever the time: readiness has no deadline', () => {
    const s = reach('newVehicle', 'readyForDelivery');
    expect(allowedActions(s.app, new Date('2030-01-01T00:00:00Z'))).toEqual(['issueCollectionCode']);
  });
  it.each(['continuousInspection', 'newVehicle'] as const)('only in 返付準備完了 / 交付準備完了 (%s)', (procedure) => {
    for (const status of statusesOf(procedure)) {
      const s = reach(procedure, status);
      expect(allowedActions(s.app, s.now).includes('issueCollectionCode')).toBe(status === 'readyForReturn' || status === 'readyForDelivery');
    }
  });
});

describe('手続進捗状況 read aloud: progressSummary', () => {
  it.each([
    ['continuousInspection', 'inspectionCorrectionRequested', '全3ステップ中、1ステップ目まで完了。2ステップ目「軽自動車検査協会事務所等への手続」でお客様の操作が必要です。'],
    ['continuousInspection', 'awaitingAcceptance', '全3ステップ中、完了したステップはありません。'],
    ['continuousInspection', 'inspectionFeesDue', '全3ステップ中、完了したステップはありません。1ステップ目「手続準備」でお客様の操作が必要です。'],
    ['continuousInspection', 'inspectionUnderExamination', '全3ステップ中、1ステップ目まで完了。'],
    ['continuousInspection', 'readyForReturn', '全3ステップ中、2ステップ目まで完了。3ステップ目「返付」でお客様の操作が必要です。'],
    ['continuousInspection', 'returned', '全3ステップ中、3ステップ目まで完了。'],
    ['newVehicle', 'inspectionCorrectionRequested', '全4ステップ中、1ステップ目まで完了。2ステップ目「軽自動車検査協会事務所等への手続」でお客様の操作が必要です。'],
    ['newVehicle', 'taxDeclarationCorrectionRequested', '全4ステップ中、2ステップ目まで完了。3ステップ目「軽自動車税申告窓口への手続」でお客様の操作が必要です。'],
    ['newVehicle', 'readyForDelivery', '全4ステップ中、3ステップ目まで完了。4ステップ目「交付」でお客様の操作が必要です。'],
    ['newVehicle', 'delivered', '全4ステップ中、4ステップ目まで完了。'],
    ['newVehicle', 'rejected', '全4ステップ中、1ステップ目まで完了。'],
  ] as const)('%s / %s: %s', (procedure, status, text) => {
    expect(progressSummary(reach(procedure, status).app)).toBe(text);
  });
});

const CORRECTION_REMINDER = '補正期限が間近です。補正してください。補正期限を過ぎると期限切れ却下となり、申請は無効になります。';
const PAYMENT_REMINDER = '納付期限が間近です。納付期限日までに納付してください。納付期限を過ぎると申請は無効になります。';

describe('期限等に関するお知らせ (manual 9): from 3 days before the deadline until it passes', () => {
  const app = reach('continuousInspection', 'inspectionCorrectionRequested').app;
  // 補正期限 2026-06-10: the reminder starts 2026-06-07 00:00 JST = 2026-06-06T15:00Z.
  it('starts three days before', () => {
    expect(REMINDER_DAYS).toBe(3);
    expect(reminderStartsOn(CORRECTION_DEADLINE)).toBe('2026-06-07');
  });
  it('23:59:59 JST four days before: no reminder', () => {
    expect(deadlineReminders(app, new Date('2026-06-06T14:59:59Z'))).toEqual([]);
  });
  it('00:00:00 JST three days before: the manual\'s exact text, 3 days left', () => {
    expect(deadlineReminders(app, new Date('2026-06-06T15:00:00Z'))).toEqual([{ kind: 'correction', date: '2026-06-10', daysLeft: 3, message: CORRECTION_REMINDER }]);
  });
  it('the day before: 1 day left', () => {
    expect(deadlineReminders(app, new Date('2026-06-09T03:00:00Z'))).toEqual([{ kind: 'correction', date: '2026-06-10', daysLeft: 1, message: CORRECTION_REMINDER }]);
  });
  it('23:59:59 JST on the deadline day: still shown, 0 days left', () => {
    expect(deadlineReminders(app, new Date('2026-06-10T14:59:59Z'))).toEqual([{ kind: 'correction', date: '2026-06-10', daysLeft: 0, message: CORRECTION_REMINDER }]);
  });
  it('00:00:00 JST the day after: gone (the deadline has passed)', () => {
    expect(deadlineReminders(app, new Date('2026-06-10T15:00:00Z'))).toEqual([]);
  });
  it('the tax declaration correction uses the same text', () => {
    const tax = reach('newVehicle', 'taxDeclarationCorrectionRequested').app;
    expect(deadlineReminders(tax, new Date('2026-06-09T00:00:00Z'))).toEqual([{ kind: 'correction', date: '2026-06-10', daysLeft: 1, message: CORRECTION_REMINDER }]);
  });
  it('a 納付期限 warns too, in the same window', () => {
    const fees = reach('newVehicle', 'inspectionFeesBulkPayment').app;
    expect(deadlineReminders(fees, new Date('2026-06-11T14:59:59Z'))).toEqual([]);
    expect(deadlineReminders(fees, new Date('2026-06-11T15:00:00Z'))).toEqual([{ kind: 'payment', date: FEES_DUE, daysLeft: 3, message: PAYMENT_REMINDER }]);
    expect(deadlineReminders(fees, new Date('2026-06-15T15:00:00Z'))).toEqual([]);
  });
  it('no deadline, no reminder', () => {
    const s = reach('newVehicle', 'inspectionUnderExamination');
    expect(deadlineReminders(s.app, new Date('2026-06-15T00:00:00Z'))).toEqual([]);
  });
});

describe('currentDeadline and deadlineInstant', () => {
  it('補正期限 in a correction status', () => {
    const app = reach('continuousInspection', 'inspectionCorrectionRequested').app;
    expect(currentDeadline(app)).toEqual({ kind: 'correction', date: CORRECTION_DEADLINE });
    expect(deadlineInstant(app)?.toISOString()).toBe('2026-06-10T15:00:00.000Z');
  });
  it('納付期限 of the unpaid lines of the current stage', () => {
    expect(currentDeadline(reach('continuousInspection', 'weightTaxDue').app)).toEqual({ kind: 'payment', date: FEES_DUE });
    expect(currentDeadline(reach('newVehicle', 'vehicleTaxDue').app)).toEqual({ kind: 'payment', date: VEHICLE_TAX_DUE });
  });
  it('the earliest of several unpaid due dates', () => {
    const app = reach('continuousInspection', 'inspectionFeesDue').app;
    const lines = app.paymentLines.map((l, i) => (l.stage === 'inspectionFees' && i === 1 ? { ...l, dueOn: '2026-06-12' as typeof l.dueOn } : l));
    expect(currentDeadline({ ...app, paymentLines: lines })).toEqual({ kind: 'payment', date: '2026-06-12' });
  });
  it('none in states without a deadline', () => {
    for (const status of ['awaitingAcceptance', 'inspectionUnderExamination', 'readyForReturn', 'returned', 'rejected'] as const) {
      const app = reach('continuousInspection', status).app;
      expect(currentDeadline(app)).toBeNull();
      expect(deadlineInstant(app)).toBeNull();
    }
  });
});

describe('添付書類取得状況: attachmentsComplete', () => {
  it('未取得 remains until every attachment is 取得済 or 不要', () => {
    const waiting = reach('newVehicle', 'inspectionUnderExamination').app;
    expect(waiting.attachments.map((a) => [a.kind, a.state])).toEqual([
      ['completionCertificate', 'notAcquired'],
      ['insuranceCertificate', 'notAcquired'],
      ['preferredNumberCertificate', 'notRequired'],
    ]);
    expect(attachmentsComplete(waiting)).toBe(false);
    expect(attachmentsComplete(reach('newVehicle', 'examinationReady').app)).toBe(true);
  });
});
