import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Application } from '../../src/domain/application.js';
import { applyEvent } from '../../src/domain/events.js';
import {
  byCollector,
  cancelPaymentGroup,
  carriesGroupNumber,
  collectorLabel,
  expirePaymentGroup,
  formPaymentGroup,
  memberOnExpiry,
  paymentGroupOverdue,
  paymentTargetOf,
  settlePaymentGroup,
  type PaymentGroup,
  type PaymentTarget,
} from '../../src/domain/payment-groups.js';
import { allowedActions } from '../../src/domain/rules.js';
import { statusView } from '../../src/domain/status-view.js';
import { addDays, type JapanDate } from '../../src/domain/time.js';
import { applicant, clock, counterIds, d, FEES_DUE, reach, unwrap, VEHICLE_TAX_DUE, type Situation } from './support.js';

const NOW = new Date('2026-06-02T01:00:00Z');
const draft = { id: 'group-1', accountId: 'account-1', paymentNumber: '40000000000000000001', confirmationNumber: '200001', at: NOW };
const join = { type: 'joinPaymentGroup', groupId: 'group-1', paymentNumber: '40000000000000000001', confirmationNumber: '200001' } as const;

const appIn = (situation: Situation, overrides: Parameters<typeof reach>[2] = {}, procedure: 'continuousInspection' | 'newVehicle' = 'continuousInspection'): Application => reach(procedure, situation, overrides).app;
const withId = (app: Application, id: string, dueOn?: JapanDate): Application => ({
  ...app,
  id,
  paymentLines: app.paymentLines.map((l) => ({ ...l, id: `${id}-${l.id}`, dueOn: dueOn ?? l.dueOn })),
});
const target = (app: Application): PaymentTarget => {
  const t = paymentTargetOf(app, NOW);
  if (!t) throw new Error(`no target in ${app.status}`);
  return t;
};

describe('納付対象: an application in まとめ払い中 without a number', () => {
  it('検査手数料等まとめ払い中: its two lines, ¥1,500, collected under 収納機関番号 00100 by 軽自動車検査協会・自動車技術総合機構', () => {
    const t = target(appIn('inspectionFeesBulkPayment'));
    expect(t.lines.map((l) => [l.feeKind, l.amount])).toEqual([
      ['検査手数料', 1100],
      ['技術情報管理手数料', 400],
    ]);
    expect(t.amount).toBe(1500);
    expect(t.dueOn).toBe(FEES_DUE);
    expect(t.collector).toEqual({ key: 'inspectionFees:00100', stage: 'inspectionFees', collectorNumber: '00100', payeeName: '軽自動車検査協会・自動車技術総合機構', payeeKana: 'ｹｲｼﾞﾄﾞｳｼﾔｹﾝｻｷﾖｳｶｲ・ｼﾞﾄﾞｳｼﾔｷﾞｼﾞﾕﾂｿｳｺﾞｳｷｺｳ' });
    expect(collectorLabel(t.collector)).toBe('検査手数料・技術情報管理手数料（軽自動車検査協会・自動車技術総合機構）');
  });

  it('自動車重量税まとめ払い中: 国 (00200); 軽自動車税まとめ払い中: the prefecture of the office', () => {
    expect(target(appIn('weightTaxBulkPayment')).collector).toMatchObject({ key: 'weightTax:00200', payeeName: '国（自動車重量税）' });
    expect(target(appIn('vehicleTaxBulkPayment', {}, 'newVehicle')).collector).toMatchObject({ key: 'vehicleTax:01300', payeeName: '東京都' });
    expect(target(appIn('vehicleTaxBulkPayment', { officeCode: 'osaka' }, 'newVehicle')).collector).toMatchObject({ key: 'vehicleTax:02700', payeeName: '大阪府' });
  });

  it.each<Situation>(['inspectionFeesDue', 'inspectionFeesBulkPaymentNumberTaken', 'withdrawn', 'inspectionUnderExamination', 'invalidated'])('none in %s', (situation) => {
    expect(paymentTargetOf(appIn(situation), NOW)).toBeNull();
  });

  it('none once its 納付期限 has passed (the day after 2026-06-15)', () => {
    const app = appIn('inspectionFeesBulkPayment');
    expect(paymentTargetOf(app, new Date('2026-06-15T14:59:59Z'))).not.toBeNull();
    expect(paymentTargetOf(app, new Date('2026-06-15T15:00:00Z'))).toBeNull();
  });
});

describe('納付対象の選択: by 収納機関 and 納付区分', () => {
  it('検査手数料等, then 自動車重量税, then 軽自動車税 by prefecture; each by nearest 納付期限', () => {
    const a = target(withId(appIn('inspectionFeesBulkPayment'), 'a', d('2026-06-20')));
    const b = target(withId(appIn('inspectionFeesBulkPayment'), 'b', d('2026-06-10')));
    const w = target(withId(appIn('weightTaxBulkPayment'), 'w'));
    const tokyo = target(withId(appIn('vehicleTaxBulkPayment', {}, 'newVehicle'), 't'));
    const osaka = target(withId(appIn('vehicleTaxBulkPayment', { officeCode: 'osaka' }, 'newVehicle'), 'o'));
    const groups = byCollector([osaka, tokyo, a, w, b]);
    expect(groups.map((g) => [g.collector.key, g.targets.map((t) => t.applicationId), g.total])).toEqual([
      ['inspectionFees:00100', ['b', 'a'], 3000],
      ['weightTax:00200', ['w'], 6600],
      ['vehicleTax:01300', ['t'], 16500],
      ['vehicleTax:02700', ['o'], 16500],
    ]);
  });
});

describe('納付番号を取得: one number for the total', () => {
  const a = target(withId(appIn('inspectionFeesBulkPayment'), 'a', d('2026-06-20')));
  const b = target(withId(appIn('inspectionFeesBulkPayment'), 'b', d('2026-06-10')));

  it('the total of the lines, and the earliest 納付期限 of the selected applications', () => {
    const g = unwrap(formPaymentGroup([a, b], draft));
    expect(g).toMatchObject({ paymentNumber: '40000000000000000001', confirmationNumber: '200001', total: 3000, dueOn: '2026-06-10', status: 'open', paidOn: null, closedAt: null, accountId: 'account-1' });
    expect(g.members.map((m) => [m.applicationId, m.amount, m.dueOn, m.lineIds.length])).toEqual([
      ['a', 1500, '2026-06-20', 2],
      ['b', 1500, '2026-06-10', 2],
    ]);
  });

  it('refuses an empty selection, the same application twice, and lines of two 収納機関', () => {
    const w = target(withId(appIn('weightTaxBulkPayment'), 'w'));
    expect(formPaymentGroup([], draft)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '納付対象を選択してください。' } });
    expect(formPaymentGroup([a, a], draft)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '同じ申請が重複して選択されています。' } });
    expect(formPaymentGroup([a, w], draft)).toEqual({
      ok: false,
      refusal: { code: 'invalidInput', message: '収納機関または納付区分の異なる納付対象は、一つの納付番号にまとめられません。収納機関ごとに選択してください。' },
    });
  });
});

describe('an application in a group (joinPaymentGroup / leavePaymentGroup)', () => {
  const scene = reach('continuousInspection', 'inspectionFeesBulkPayment');
  const joined = unwrap(applyEvent(scene.app, join, applicant, { at: NOW, ids: counterIds() }));
  const inGroup = joined.application;

  it('its lines carry the group number with 納付区分 「まとめ納付」; 申請を取り下げる disappears (part 7)', () => {
    expect(inGroup.paymentLines.filter((l) => l.stage === 'inspectionFees').map((l) => [l.paymentNumber, l.confirmationNumber, l.paymentCategory])).toEqual([
      ['40000000000000000001', '200001', 'まとめ納付'],
      ['40000000000000000001', '200001', 'まとめ納付'],
    ]);
    expect(inGroup.status).toBe('inspectionFeesBulkPayment');
    expect(joined.history).toMatchObject({ event: 'joinPaymentGroup', details: { stage: 'inspectionFees', groupId: 'group-1', paymentNumber: '40000000000000000001' } });
    expect(allowedActions(inGroup, NOW)).not.toContain('withdraw');
    expect(statusView(inGroup, NOW).withdrawal).toBeNull();
    expect(statusView(scene.app, NOW).withdrawal).not.toBeNull();
    expect(paymentTargetOf(inGroup, NOW)).toBeNull();
  });

  it('cannot join a second group', () => {
    expect(applyEvent(inGroup, join, applicant, { at: NOW, ids: counterIds() })).toEqual({ ok: false, refusal: { code: 'paymentNumberTaken', message: '納付番号はすでに取得されています。' } });
  });

  it('キャンセル returns the lines to まとめ払い中 without a number: exactly the lines before the number was taken', () => {
    const left = unwrap(applyEvent(inGroup, { type: 'leavePaymentGroup', groupId: 'group-1', cause: 'cancelled' }, applicant, { at: NOW, ids: counterIds() }));
    expect(left.application.paymentLines).toEqual(scene.app.paymentLines);
    expect(left.history).toMatchObject({ event: 'leavePaymentGroup', reason: 'まとめ納付の取消し', details: { paymentNumber: '40000000000000000001', cause: 'cancelled' } });
    expect(allowedActions(left.application, NOW)).toContain('withdraw');
  });

  it('only the clock expires a number, only the user cancels one', () => {
    const refusal = { ok: false, refusal: { code: 'actorNotAllowed', message: 'まとめ納付の納付番号は、利用者による取消し、または納付期限切れによってのみ取り消されます。' } };
    expect(applyEvent(inGroup, { type: 'leavePaymentGroup', groupId: 'group-1', cause: 'expired' }, applicant, { at: NOW, ids: counterIds() })).toEqual(refusal);
    expect(applyEvent(inGroup, { type: 'leavePaymentGroup', groupId: 'group-1', cause: 'cancelled' }, clock, { at: NOW, ids: counterIds() })).toEqual(refusal);
  });

  it('carriesGroupNumber: yes in the group, no after leaving it', () => {
    const g = unwrap(formPaymentGroup([target(scene.app)], draft));
    expect(carriesGroupNumber(inGroup, g)).toBe(true);
    expect(carriesGroupNumber(scene.app, g)).toBe(false);
  });
});

describe('the life of a group: キャンセル, 納付, 納付期限切れ', () => {
  const open: PaymentGroup = unwrap(formPaymentGroup([target(withId(appIn('inspectionFeesBulkPayment'), 'a'))], draft));
  const later = new Date('2026-06-03T01:00:00Z');

  it('キャンセル before payment; then neither payment nor a second キャンセル', () => {
    const cancelled = unwrap(cancelPaymentGroup(open, later));
    expect(cancelled).toMatchObject({ status: 'cancelled', closedAt: later });
    expect(cancelPaymentGroup(cancelled, later)).toEqual({ ok: false, refusal: { code: 'statusDoesNotAllow', message: 'この納付番号はキャンセル済（納付番号は無効）です。' } });
    expect(settlePaymentGroup(cancelled, d('2026-06-03'), later)).toEqual({ ok: false, refusal: { code: 'statusDoesNotAllow', message: 'この納付番号はキャンセル済（納付番号は無効）です。' } });
  });

  it('納付: 済 with the 納付完了日; no キャンセル after it, no second payment; no payment dated in the future', () => {
    const paid = unwrap(settlePaymentGroup(open, d('2026-06-03'), later));
    expect(paid).toMatchObject({ status: 'paid', paidOn: '2026-06-03', closedAt: later });
    expect(cancelPaymentGroup(paid, later)).toEqual({ ok: false, refusal: { code: 'alreadyDone', message: 'この納付番号はすでに納付済です。' } });
    expect(settlePaymentGroup(paid, d('2026-06-03'), later)).toEqual({ ok: false, refusal: { code: 'alreadyDone', message: 'この納付番号はすでに納付済です。' } });
    expect(settlePaymentGroup(open, d('2026-06-04'), later)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '納付日に未来の日付は指定できません。' } });
  });

  it('納付期限切れ from the first instant after the 納付期限 (Japan time); a late report of a payment made by the deadline still counts', () => {
    const lastSecond = new Date('2026-06-15T14:59:59Z');
    const after = new Date('2026-06-15T15:00:00Z');
    expect(paymentGroupOverdue(open, lastSecond)).toBe(false);
    expect(expirePaymentGroup(open, lastSecond)).toEqual({ ok: false, refusal: { code: 'deadlineNotPassed', message: '納付期限はまだ過ぎていません。' } });
    expect(paymentGroupOverdue(open, after)).toBe(true);
    const expired = unwrap(expirePaymentGroup(open, after));
    expect(expired.status).toBe('expired');
    expect(paymentGroupOverdue(expired, after)).toBe(false);
    expect(unwrap(settlePaymentGroup(expired, FEES_DUE, after))).toMatchObject({ status: 'paid', paidOn: FEES_DUE });
    expect(settlePaymentGroup(expired, d('2026-06-16'), new Date('2026-06-16T01:00:00Z'))).toEqual({
      ok: false,
      refusal: { code: 'deadlinePassed', message: '納付日（2026-06-16）が納付期限（2026-06-15）を過ぎているため、この納付番号の納付として受け付けられません。納付された金額は収納機関から返金してください。' },
    });
  });

  it('at expiry, a member whose own 納付期限 is later gets its lines back; one whose deadline passed too is left to the sweeper (無効)', () => {
    const after = new Date('2026-06-15T15:00:00Z');
    const inGroup = (dueOn: JapanDate) => unwrap(applyEvent(withId(appIn('inspectionFeesBulkPayment'), 'x', dueOn), join, applicant, { at: NOW, ids: counterIds() })).application;
    expect(memberOnExpiry(inGroup(FEES_DUE), after)).toBe('leaveToSweeper');
    expect(memberOnExpiry(inGroup(VEHICLE_TAX_DUE), after)).toBe('release');
  });
});

describe('property: any selection of まとめ払い lines (fixed seed)', () => {
  const kinds: { situation: Situation; procedure: 'continuousInspection' | 'newVehicle'; officeCode: 'tokyo' | 'osaka' }[] = [
    { situation: 'inspectionFeesBulkPayment', procedure: 'continuousInspection', officeCode: 'tokyo' },
    { situation: 'inspectionFeesBulkPayment', procedure: 'newVehicle', officeCode: 'osaka' },
    { situation: 'weightTaxBulkPayment', procedure: 'continuousInspection', officeCode: 'tokyo' },
    { situation: 'weightTaxBulkPayment', procedure: 'newVehicle', officeCode: 'tokyo' },
    { situation: 'vehicleTaxBulkPayment', procedure: 'newVehicle', officeCode: 'tokyo' },
    { situation: 'vehicleTaxBulkPayment', procedure: 'newVehicle', officeCode: 'osaka' },
  ];
  const base = kinds.map((k) => appIn(k.situation, { officeCode: k.officeCode }, k.procedure));
  const pick = fc.record({ kind: fc.integer({ min: 0, max: kinds.length - 1 }), days: fc.integer({ min: 1, max: 30 }) });

  it('by collector is a partition; each group totals its lines, is due on the earliest deadline; mixing collectors is refused; join then leave restores the lines', () => {
    fc.assert(
      fc.property(fc.array(pick, { minLength: 1, maxLength: 25 }), (picks) => {
        const apps = picks.map((p, i) => withId(base[p.kind]!, `app-${i}`, addDays(d('2026-06-02'), p.days)));
        const targets = apps.map(target);
        const groups = byCollector(targets);
        expect(groups.flatMap((g) => g.targets.map((t) => t.applicationId)).sort()).toEqual(targets.map((t) => t.applicationId).sort());
        for (const g of groups) {
          expect(new Set(g.targets.map((t) => t.collector.key)).size).toBe(1);
          const formed = unwrap(formPaymentGroup(g.targets, draft));
          expect(formed.total).toBe(g.targets.flatMap((t) => t.lines).reduce((s, l) => s + l.amount, 0));
          expect(formed.total).toBe(g.total);
          expect(formed.members.every((m) => m.dueOn >= formed.dueOn)).toBe(true);
          expect(formed.members.some((m) => m.dueOn === formed.dueOn)).toBe(true);
        }
        if (groups.length > 1) {
          const mixed = formPaymentGroup([groups[0]!.targets[0]!, groups[1]!.targets[0]!], draft);
          expect(mixed.ok).toBe(false);
        }
        for (const app of apps) {
          const ctx = { at: NOW, ids: counterIds() };
          const joined = unwrap(applyEvent(app, join, applicant, ctx)).application;
          expect(paymentTargetOf(joined, NOW)).toBeNull();
          const left = unwrap(applyEvent(joined, { type: 'leavePaymentGroup', groupId: 'group-1', cause: 'cancelled' }, applicant, ctx)).application;
          expect(left.paymentLines).toEqual(app.paymentLines);
          expect(target(left)).toEqual(target(app));
        }
      }),
      { numRuns: 200, seed: 20261216 },
    );
  });
});
