import { describe, expect, it } from 'vitest';
import { actorKindLabels, type Actor, type ActorKind } from '../../src/domain/actors.js';
import type { Application, PaymentLine } from '../../src/domain/application.js';
import { validateCorrection } from '../../src/domain/corrections.js';
import { applyEvent, eventAllowedIn, eventLabels, eventsFor, stageLabel, type ApplicationEvent, type EventType } from '../../src/domain/events.js';
import type { ProcedureCode } from '../../src/domain/procedures.js';
import { statusCodes, statuses, statusesOf, type StatusCode } from '../../src/domain/statuses.js';
import { addDays, deadlinePassesAt, japanDateOf } from '../../src/domain/time.js';
import {
  actorKinds,
  actorOf,
  applicant,
  attachmentSource,
  clock,
  CORRECTION_DEADLINE,
  counterIds,
  d,
  FEES_DUE,
  office,
  payEasy,
  reach,
  RECEIPT,
  Scene,
  taxOffice,
  TODAY,
  VEHICLE_TAX_DUE,
  vehicleNumber,
} from './support.js';

const eventTypes = Object.keys(eventLabels).filter((t) => t !== 'arrive') as EventType[];

/** Who may post each event. */
const actorsOfEvent: Record<EventType, ActorKind[]> = {
  accept: ['inspectionOffice'],
  refuseAcceptance: ['inspectionOffice'],
  acquireAttachment: ['attachmentSource'],
  markAttachmentNotRequired: ['inspectionOffice', 'attachmentSource'],
  issueFees: ['inspectionOffice'],
  chooseBulkPayment: ['applicant'],
  takeBulkPaymentNumber: ['applicant'],
  joinPaymentGroup: ['applicant'],
  leavePaymentGroup: ['applicant', 'clock'],
  recordPayment: ['paymentNetwork'],
  requestCorrection: ['inspectionOffice'],
  submitCorrection: ['applicant'],
  completeExamination: ['inspectionOffice'],
  reject: ['inspectionOffice'],
  invalidate: ['inspectionOffice'],
  requestTaxCorrection: ['taxOffice'],
  assessVehicleTax: ['taxOffice'],
  markReady: ['inspectionOffice'],
  handOver: ['inspectionOffice'],
  withdraw: ['applicant'],
  issueCollectionCode: ['applicant'],
  expireCorrection: ['clock'],
  expirePayment: ['clock'],
};

const beforeExamination: StatusCode[] = [
  'awaitingAcceptance',
  'acceptedAwaitingAttachments',
  'inspectionFeesDue',
  'inspectionFeesBulkPayment',
  'weightTaxDue',
  'weightTaxBulkPayment',
  'inspectionUnderExamination',
  'inspectionCorrectionRequested',
];
const paymentStatuses: StatusCode[] = ['inspectionFeesDue', 'inspectionFeesBulkPayment', 'weightTaxDue', 'weightTaxBulkPayment', 'vehicleTaxDue', 'vehicleTaxBulkPayment'];

/** The statuses each event may happen in. */
const fromStatuses: Record<EventType, StatusCode[]> = {
  accept: ['awaitingAcceptance'],
  refuseAcceptance: ['awaitingAcceptance'],
  acquireAttachment: beforeExamination,
  markAttachmentNotRequired: beforeExamination,
  issueFees: ['acceptedAwaitingAttachments'],
  chooseBulkPayment: ['inspectionFeesDue', 'weightTaxDue', 'vehicleTaxDue'],
  takeBulkPaymentNumber: ['inspectionFeesBulkPayment', 'weightTaxBulkPayment', 'vehicleTaxBulkPayment'],
  joinPaymentGroup: ['inspectionFeesBulkPayment', 'weightTaxBulkPayment', 'vehicleTaxBulkPayment'],
  leavePaymentGroup: ['inspectionFeesBulkPayment', 'weightTaxBulkPayment', 'vehicleTaxBulkPayment'],
  recordPayment: paymentStatuses,
  requestCorrection: ['inspectionUnderExamination'],
  submitCorrection: ['inspectionCorrectionRequested', 'taxDeclarationCorrectionRequested'],
  completeExamination: ['inspectionUnderExamination'],
  reject: ['inspectionUnderExamination', 'inspectionCorrectionRequested'],
  invalidate: beforeExamination,
  requestTaxCorrection: ['taxDeclarationUnderExamination'],
  assessVehicleTax: ['taxDeclarationUnderExamination'],
  markReady: ['preparingReturn', 'preparingDelivery'],
  handOver: ['readyForReturn', 'readyForDelivery'],
  withdraw: ['inspectionFeesBulkPayment', 'inspectionCorrectionRequested'],
  issueCollectionCode: ['readyForReturn', 'readyForDelivery'],
  expireCorrection: ['inspectionCorrectionRequested', 'taxDeclarationCorrectionRequested'],
  expirePayment: paymentStatuses,
};

/** Where a status-allowed event is still refused by the representative application's facts. */
const refusedByFacts: Partial<Record<`${EventType}@${StatusCode}`, string>> = {
  // the representative application still waits for its attachments
  'completeExamination@inspectionUnderExamination': 'attachmentsIncomplete: 未取得の添付書類があるため、審査を完了できません。',
  // まとめ払い中 before the applicant took the number: there is nothing the network could have been paid against
  'recordPayment@inspectionFeesBulkPayment': 'statusDoesNotAllow: まとめ納付の納付番号が取得されていないため、納付を受け付けられません。',
  'recordPayment@weightTaxBulkPayment': 'statusDoesNotAllow: まとめ納付の納付番号が取得されていないため、納付を受け付けられません。',
  'recordPayment@vehicleTaxBulkPayment': 'statusDoesNotAllow: まとめ納付の納付番号が取得されていないため、納付を受け付けられません。',
  // no まとめ納付 number has been taken, so there is none to cancel
  'leavePaymentGroup@inspectionFeesBulkPayment': 'statusDoesNotAllow: 納付番号が取得されていないため、取り消す納付番号はありません。',
  'leavePaymentGroup@weightTaxBulkPayment': 'statusDoesNotAllow: 納付番号が取得されていないため、取り消す納付番号はありません。',
  'leavePaymentGroup@vehicleTaxBulkPayment': 'statusDoesNotAllow: 納付番号が取得されていないため、取り消す納付番号はありません。',
};

const LATER = new Date('2027-01-01T00:00:00Z');

/** A plausible event of the type for the application at that time. */
function eventFor(type: EventType, app: Application, at: Date): ApplicationEvent {
  const today = japanDateOf(at);
  switch (type) {
    case 'accept':
      return { type, receiptNumber: RECEIPT };
    case 'refuseAcceptance':
    case 'reject':
    case 'invalidate':
      return { type, reasonTitle: '理由', reasonDetail: '詳細' };
    case 'acquireAttachment':
    case 'markAttachmentNotRequired':
      return { type, kind: 'insuranceCertificate' };
    case 'issueFees':
      return { type, dueOn: addDays(today, 14) };
    case 'recordPayment':
      return { type, stage: statuses[app.status].paymentStage ?? 'inspectionFees', paidOn: today };
    case 'requestCorrection':
    case 'requestTaxCorrection':
      return { type, reasonTitle: '理由', reasonDetail: '詳細', deadline: addDays(today, 9) };
    case 'submitCorrection':
      return { type, changes: [] };
    case 'completeExamination':
      return { type, completedOn: today, vehicleNumber };
    case 'assessVehicleTax':
      return { type, dueOn: addDays(today, 19) };
    case 'joinPaymentGroup':
      return { type, groupId: 'group-1', paymentNumber: '40000000000000000001', confirmationNumber: '200001' };
    case 'leavePaymentGroup':
      return { type, groupId: 'group-1', cause: 'cancelled' };
    case 'chooseBulkPayment':
    case 'takeBulkPaymentNumber':
    case 'markReady':
    case 'handOver':
    case 'withdraw':
    case 'issueCollectionCode':
    case 'expireCorrection':
    case 'expirePayment':
      return { type };
  }
}

const timeFor = (type: EventType, now: Date) => (type === 'expireCorrection' || type === 'expirePayment' ? LATER : now);

describe('who may post which event', () => {
  it('eventsFor lists, per actor kind, the events it may post', () => {
    for (const kind of actorKinds) {
      expect(eventsFor(kind).sort()).toEqual(eventTypes.filter((t) => actorsOfEvent[t].includes(kind)).sort());
    }
  });
  it('the table covers every event type', () => {
    expect(Object.keys(actorsOfEvent).sort()).toEqual([...eventTypes].sort());
    expect(eventTypes).toHaveLength(23);
  });
  describe.each(eventTypes)('%s by any other actor kind: actorNotAllowed', (type) => {
    const status = fromStatuses[type].find((s) => statusesOf('newVehicle').includes(s)) as StatusCode;
    const scene = reach('newVehicle', status);
    it.each(actorKinds.filter((k) => !actorsOfEvent[type].includes(k)))('%s is refused', (kind) => {
      const r = applyEvent(scene.app, eventFor(type, scene.app, scene.now), actorOf(kind), { at: timeFor(type, scene.now), ids: counterIds() });
      expect(r).toEqual({ ok: false, refusal: { code: 'actorNotAllowed', message: `${actorKindLabels[kind]}は「${eventLabels[type]}」を行うことができません。` } });
    });
  });
});

describe('in which statuses each event may happen', () => {
  it.each(eventTypes)('eventAllowedIn(%s) is exactly the table', (type) => {
    expect(statusCodes.filter((s) => eventAllowedIn(type, s))).toEqual(statusCodes.filter((s) => fromStatuses[type].includes(s)));
  });

  describe.each(['continuousInspection', 'newVehicle'] as const)('%s: every event × every status through applyEvent', (procedure) => {
    describe.each(statusesOf(procedure))('in %s', (status) => {
      const scene = reach(procedure, status);
      const def = statuses[status];
      it.each(eventTypes)('%s', (type) => {
        const actor = actorOf(actorsOfEvent[type][0] as ActorKind);
        const at = timeFor(type, scene.now);
        const before = structuredClone(scene.app);
        const r = applyEvent(scene.app, eventFor(type, scene.app, at), actor, { at, ids: counterIds() });
        expect(scene.app).toEqual(before);
        if (actor.kind === 'taxOffice' && procedure === 'continuousInspection') {
          expect(r).toEqual({ ok: false, refusal: { code: 'procedureDoesNotAllow', message: '軽自動車税申告は新車の手続にのみあります。' } });
        } else if (type === 'recordPayment' && status === 'invalidated') {
          // a payment to an application made 無効: only one made by its 納付期限 (decision 0004); this one is refused
          expect(r.ok ? 'ok' : r.refusal.code).toMatch(/^(statusDoesNotAllow|deadlinePassed)$/);
        } else if (def.terminal) {
          expect(r).toEqual({ ok: false, refusal: { code: 'statusDoesNotAllow', message: `この申請は「${def.label}」のため、これ以上操作できません。` } });
        } else if (!fromStatuses[type].includes(status)) {
          expect(r).toEqual({ ok: false, refusal: { code: 'statusDoesNotAllow', message: `現在の申請状況「${def.label}」では「${eventLabels[type]}」はできません。` } });
        } else {
          const expected = refusedByFacts[`${type}@${status}`];
          if (expected) {
            expect(r.ok ? 'ok' : `${r.refusal.code}: ${r.refusal.message}`).toBe(expected);
          } else {
            expect(r.ok ? 'ok' : `${r.refusal.code}: ${r.refusal.message}`).toBe('ok');
            if (r.ok) {
              expect(r.value.application.version).toBe(scene.app.version + 1);
              expect(r.value.history.fromStatus).toBe(status);
              expect(r.value.history.event).toBe(type);
              expect(statusesOf(procedure)).toContain(r.value.application.status);
            }
          }
        }
      });
    });
  });
});

describe('offices act only on their own applications', () => {
  const officeEvents = eventTypes.filter((t) => actorsOfEvent[t].includes('inspectionOffice'));
  it.each(officeEvents)('%s by another 事務所等 (練馬支所 on a 東京主管事務所 application): otherOffice', (type) => {
    const status = fromStatuses[type][0] as StatusCode;
    const procedure: ProcedureCode = statusesOf('continuousInspection').includes(status) ? 'continuousInspection' : 'newVehicle';
    const scene = reach(procedure, status);
    const r = scene.try(eventFor(type, scene.app, scene.now), office('nerima'), scene.now);
    expect(r).toEqual({ ok: false, refusal: { code: 'otherOffice', message: '他の事務所等の申請は操作できません。' } });
  });
  it('even on a finished application, another office learns nothing but otherOffice', () => {
    const scene = reach('continuousInspection', 'returned');
    expect(scene.try({ type: 'markReady' }, office('osaka'))).toEqual({ ok: false, refusal: { code: 'otherOffice', message: '他の事務所等の申請は操作できません。' } });
  });
});

describe('tax offices: 新車 only, and only the tax office of the office\'s prefecture', () => {
  it.each(['requestTaxCorrection', 'assessVehicleTax'] as const)('%s on a 継続検査 application: procedureDoesNotAllow', (type) => {
    const scene = reach('continuousInspection', 'inspectionUnderExamination');
    expect(scene.try(eventFor(type, scene.app, scene.now), taxOffice('tokyoTax'))).toEqual({ ok: false, refusal: { code: 'procedureDoesNotAllow', message: '軽自動車税申告は新車の手続にのみあります。' } });
  });
  it.each(['requestTaxCorrection', 'assessVehicleTax'] as const)('%s by 神奈川県 on a 東京主管事務所 application: otherOffice', (type) => {
    const scene = reach('newVehicle', 'taxDeclarationUnderExamination');
    expect(scene.try(eventFor(type, scene.app, scene.now), taxOffice('kanagawaTax'))).toEqual({ ok: false, refusal: { code: 'otherOffice', message: '他の都道府県税事務所の申請は操作できません。' } });
    expect(scene.try(eventFor(type, scene.app, scene.now), taxOffice('tokyoTax')).ok).toBe(true);
  });
  it('東京都 examines the declarations of every Tokyo office (練馬支所 too); 大阪府 those of 大阪主管事務所', () => {
    const nerima = reach('newVehicle', 'taxDeclarationUnderExamination', { officeCode: 'nerima' });
    expect(nerima.try({ type: 'assessVehicleTax', dueOn: VEHICLE_TAX_DUE }, taxOffice('tokyoTax')).ok).toBe(true);
    const osaka = new Scene('newVehicle', { officeCode: 'osaka' });
    expect(osaka.try({ type: 'accept', receiptNumber: RECEIPT }, office('osaka')).ok).toBe(true);
    expect(osaka.try({ type: 'accept', receiptNumber: RECEIPT }, office('tokyo')).ok).toBe(false);
  });
  it('the 環境性能割 line is payable to the prefecture of the office', () => {
    const s = reach('newVehicle', 'taxDeclarationUnderExamination', { officeCode: 'osaka' });
    s.do({ type: 'assessVehicleTax', dueOn: VEHICLE_TAX_DUE }, taxOffice('osakaTax'));
    const line = s.app.paymentLines.find((l) => l.stage === 'vehicleTax');
    expect(line).toMatchObject({ feeKind: '軽自動車税環境性能割', payeeName: '大阪府', payeeKana: 'ｵｵｻｶﾌ', collectorNumber: '02700', amount: 16_500 });
  });
});

describe('a transition: version + 1 and a history draft', () => {
  it('records from/to status, actor, reason, details and time', () => {
    const s = reach('continuousInspection', 'inspectionUnderExamination');
    const at = new Date('2026-06-02T02:00:00Z');
    const r = s.try({ type: 'requestCorrection', reasonTitle: '申請書・添付書類の不備エラー', reasonDetail: '申請書、添付書類のいずれかまたは両方に不備があります。', deadline: d('2026-06-05') }, office(), at);
    if (!r.ok) throw new Error(r.refusal.message);
    expect(r.value.application.version).toBe(s.app.version + 1);
    expect(r.value.application.statusChangedAt).toEqual(at);
    expect(r.value.history).toEqual({
      event: 'requestCorrection',
      fromStatus: 'inspectionUnderExamination',
      toStatus: 'inspectionCorrectionRequested',
      actor: office(),
      reason: '申請書・添付書類の不備エラー',
      details: { deadline: '2026-06-05' },
      occurredAt: at,
    });
  });
  it('an event that keeps the status keeps 状況更新日時 but still counts a version', () => {
    const s = reach('continuousInspection', 'inspectionFeesBulkPayment');
    const changedAt = s.app.statusChangedAt;
    const v = s.app.version;
    s.do({ type: 'takeBulkPaymentNumber' }, applicant);
    expect(s.app.status).toBe('inspectionFeesBulkPayment');
    expect(s.app.statusChangedAt).toEqual(changedAt);
    expect(s.app.version).toBe(v + 1);
    expect(s.history.at(-1)).toMatchObject({ event: 'takeBulkPaymentNumber', fromStatus: 'inspectionFeesBulkPayment', toStatus: 'inspectionFeesBulkPayment', reason: null, details: { stage: 'inspectionFees' } });
  });
  it('a refusal leaves the application as it was', () => {
    const s = reach('continuousInspection', 'inspectionFeesBulkPayment');
    const snapshot = structuredClone(s.app);
    expect(s.try({ type: 'recordPayment', stage: 'inspectionFees', paidOn: TODAY }, payEasy).ok).toBe(false);
    expect(s.app).toEqual(snapshot);
  });
  it('an unknown event type is refused', () => {
    const s = reach('continuousInspection', 'awaitingAcceptance');
    expect(s.try({ type: 'teleport' } as unknown as ApplicationEvent, applicant)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '不明なイベントです。' } });
  });
});

const line = (over: Partial<PaymentLine>): Partial<PaymentLine> => over;

describe('the happy path of 継続検査 ends in 返付済', () => {
  const s = new Scene('continuousInspection');
  it('arrives as 受付審査中 with version 1 and no 受付番号', () => {
    expect(s.app).toMatchObject({ id: 'id-1', status: 'awaitingAcceptance', version: 1, receiptNumber: null, arrivalNumber: '26060120000000001', collectionCodeSerial: 0 });
  });
  it('accept: 受付番号 issued, 添付書類取得待ち', () => {
    s.do({ type: 'accept', receiptNumber: RECEIPT }, office());
    expect(s.app).toMatchObject({ status: 'acceptedAwaitingAttachments', receiptNumber: RECEIPT, version: 2 });
    expect(s.history.at(-1)?.details).toEqual({ receiptNumber: RECEIPT });
  });
  it('issueFees: 検査手数料 ¥1,100 and 技術情報管理手数料 ¥400 on one Pay-easy number, 自動車重量税 ¥6,600 on another', () => {
    s.do({ type: 'issueFees', dueOn: FEES_DUE }, office());
    expect(s.app.status).toBe('inspectionFeesDue');
    const common = { feeClass: '一般料金', paymentCategory: '-', status: 'unpaid', paidOn: null, dueOn: FEES_DUE };
    expect(s.app.paymentLines).toEqual([
      { id: 'id-2', stage: 'inspectionFees', feeKind: '検査手数料', amount: 1100, payeeName: '軽自動車検査協会', payeeKana: 'ｹｲｼﾞﾄﾞｳｼﾔｹﾝｻｷﾖｳｶｲ', collectorNumber: '00100', paymentNumber: '30000000000000000001', confirmationNumber: '100001', ...common },
      { id: 'id-3', stage: 'inspectionFees', feeKind: '技術情報管理手数料', amount: 400, payeeName: '自動車技術総合機構', payeeKana: 'ｼﾞﾄﾞｳｼﾔｷﾞｼﾞﾕﾂｿｳｺﾞｳｷｺｳ', collectorNumber: '00100', paymentNumber: '30000000000000000001', confirmationNumber: '100001', ...common },
      { id: 'id-4', stage: 'weightTax', feeKind: '自動車重量税', amount: 6600, payeeName: '国（自動車重量税）', payeeKana: 'ｸﾆ(ｼﾞﾄﾞｳｼﾔｼﾞﾕｳﾘﾖｳｾﾞｲ)', collectorNumber: '00200', paymentNumber: '30000000000000000002', confirmationNumber: '100002', ...common },
    ]);
    expect(s.history.at(-1)?.details).toEqual({ dueOn: FEES_DUE, amounts: [['検査手数料', 1100], ['技術情報管理手数料', 400], ['自動車重量税', 6600]] });
  });
  it('paying the inspection fees leads to 自動車重量税納付待ち, with 納付完了日', () => {
    s.do({ type: 'recordPayment', stage: 'inspectionFees', paidOn: TODAY }, payEasy);
    expect(s.app.status).toBe('weightTaxDue');
    expect(s.app.paymentLines.map((l) => [l.status, l.paidOn])).toEqual([
      ['paid', TODAY],
      ['paid', TODAY],
      ['unpaid', null],
    ]);
    expect(s.history.at(-1)?.details).toEqual({ stage: 'inspectionFees', paidOn: TODAY, paymentNumber: '30000000000000000001' });
  });
  it('paying the weight tax leads to 検査申請審査中', () => {
    s.do({ type: 'recordPayment', stage: 'weightTax', paidOn: TODAY }, payEasy);
    expect(s.app.status).toBe('inspectionUnderExamination');
  });
  it('attachments arrive without changing the status', () => {
    s.do({ type: 'acquireAttachment', kind: 'insuranceCertificate' }, attachmentSource);
    s.do({ type: 'acquireAttachment', kind: 'safetyStandardCertificate' }, attachmentSource);
    expect(s.app.status).toBe('inspectionUnderExamination');
    expect(s.app.attachments).toEqual([
      { kind: 'insuranceCertificate', state: 'acquired' },
      { kind: 'safetyStandardCertificate', state: 'acquired' },
    ]);
    expect(s.history.at(-1)?.details).toEqual({ kind: 'safetyStandardCertificate', state: 'acquired' });
  });
  it('completeExamination: 審査完了年月日 set, 返付準備中', () => {
    s.do({ type: 'completeExamination', completedOn: TODAY }, office());
    expect(s.app).toMatchObject({ status: 'preparingReturn', examinationCompletedOn: TODAY });
    expect(s.app.vehicle.vehicleNumber).toBe('品川 580 さ 1234');
  });
  it('markReady: 返付準備完了', () => {
    s.do({ type: 'markReady' }, office());
    expect(s.app.status).toBe('readyForReturn');
  });
  it('issueCollectionCode: serial 1, status unchanged', () => {
    s.do({ type: 'issueCollectionCode' }, applicant);
    expect(s.app).toMatchObject({ status: 'readyForReturn', collectionCodeSerial: 1 });
    expect(s.history.at(-1)?.details).toEqual({ serial: 1 });
  });
  it('handOver: 返付済, version 11 after 10 events', () => {
    s.do({ type: 'handOver' }, office());
    expect(s.app).toMatchObject({ status: 'returned', version: 11 });
    expect(s.history.at(-1)?.details).toEqual({ collectionCodeSerial: 1 });
    expect(s.history.map((h) => h.toStatus)).toEqual([
      'acceptedAwaitingAttachments',
      'inspectionFeesDue',
      'weightTaxDue',
      'inspectionUnderExamination',
      'inspectionUnderExamination',
      'inspectionUnderExamination',
      'preparingReturn',
      'readyForReturn',
      'readyForReturn',
      'returned',
    ]);
  });
});

describe('the happy path of 新車 ends in 交付済', () => {
  const s = new Scene('newVehicle');
  it('runs through the inspection, the tax declaration and delivery', () => {
    expect(s.app.partialDocumentExamination).toBe('実施不要（ALL電子）');
    s.do({ type: 'accept', receiptNumber: RECEIPT }, office());
    s.do({ type: 'issueFees', dueOn: FEES_DUE }, office());
    expect(s.app.paymentLines.map((l) => [l.feeKind, l.amount])).toEqual([
      ['検査手数料', 1100],
      ['技術情報管理手数料', 400],
      ['自動車重量税', 7500],
    ]);
    s.do({ type: 'recordPayment', stage: 'inspectionFees', paidOn: TODAY }, payEasy);
    s.do({ type: 'recordPayment', stage: 'weightTax', paidOn: TODAY }, payEasy);
    s.do({ type: 'acquireAttachment', kind: 'completionCertificate' }, attachmentSource);
    s.do({ type: 'acquireAttachment', kind: 'insuranceCertificate' }, attachmentSource);
    s.do({ type: 'completeExamination', completedOn: TODAY, vehicleNumber }, office());
    expect(s.app).toMatchObject({ status: 'taxDeclarationUnderExamination', examinationCompletedOn: TODAY });
    expect(s.app.vehicle.vehicleNumber).toBe('品川 580 さ 1234');
    expect(s.history.at(-1)?.details).toEqual({ completedOn: TODAY, vehicleNumber: '品川 580 さ 1234' });

    s.do({ type: 'assessVehicleTax', dueOn: VEHICLE_TAX_DUE }, taxOffice());
    expect(s.app.status).toBe('vehicleTaxDue');
    expect(s.app.paymentLines.at(-1)).toEqual({
      id: 'id-5',
      stage: 'vehicleTax',
      feeKind: '軽自動車税環境性能割',
      feeClass: '一般料金',
      amount: 16_500,
      payeeName: '東京都',
      payeeKana: 'ﾄｳｷﾖｳﾄ',
      collectorNumber: '01300',
      paymentNumber: '30000000000000000003',
      confirmationNumber: '100003',
      paymentCategory: '-',
      status: 'unpaid',
      paidOn: null,
      dueOn: VEHICLE_TAX_DUE,
    });
    expect(s.history.at(-1)?.details).toEqual({ amount: 16_500, dueOn: VEHICLE_TAX_DUE });

    s.do({ type: 'recordPayment', stage: 'vehicleTax', paidOn: TODAY }, payEasy);
    expect(s.app.status).toBe('preparingDelivery');
    s.do({ type: 'markReady' }, office());
    expect(s.app.status).toBe('readyForDelivery');
    s.do({ type: 'issueCollectionCode' }, applicant);
    s.do({ type: 'handOver' }, office());
    expect(s.app).toMatchObject({ status: 'delivered', version: 13, collectionCodeSerial: 1 });
    expect(s.app.paymentLines.every((l) => l.status === 'paid')).toBe(true);
  });
});

describe('まとめ納付', () => {
  it('chooseBulkPayment clears the numbers of the stage and sets 納付区分 まとめ納付', () => {
    const s = reach('continuousInspection', 'inspectionFeesDue');
    s.do({ type: 'chooseBulkPayment' }, applicant);
    expect(s.app.status).toBe('inspectionFeesBulkPayment');
    expect(s.app.paymentLines.map((l) => [l.stage, l.paymentNumber, l.confirmationNumber, l.paymentCategory])).toEqual([
      ['inspectionFees', null, null, 'まとめ納付'],
      ['inspectionFees', null, null, 'まとめ納付'],
      ['weightTax', '30000000000000000002', '100002', '-'],
    ]);
  });
  it('recordPayment before the number is taken is refused', () => {
    const s = reach('continuousInspection', 'inspectionFeesBulkPayment');
    expect(s.try({ type: 'recordPayment', stage: 'inspectionFees', paidOn: TODAY }, payEasy)).toEqual({
      ok: false,
      refusal: { code: 'statusDoesNotAllow', message: 'まとめ納付の納付番号が取得されていないため、納付を受け付けられません。' },
    });
  });
  it('takeBulkPaymentNumber assigns one shared number; taking it twice is refused', () => {
    const s = reach('continuousInspection', 'inspectionFeesBulkPayment');
    s.do({ type: 'takeBulkPaymentNumber' }, applicant);
    expect(s.app.paymentLines.map((l) => [l.paymentNumber, l.confirmationNumber, l.paymentCategory])).toEqual([
      ['30000000000000000003', '100003', 'まとめ納付'],
      ['30000000000000000003', '100003', 'まとめ納付'],
      ['30000000000000000002', '100002', '-'],
    ]);
    expect(s.try({ type: 'takeBulkPaymentNumber' }, applicant)).toEqual({ ok: false, refusal: { code: 'paymentNumberTaken', message: '納付番号はすでに取得されています。' } });
  });
  it('once paid, the next stage follows', () => {
    const s = reach('continuousInspection', 'inspectionFeesBulkPaymentNumberTaken');
    s.do({ type: 'recordPayment', stage: 'inspectionFees', paidOn: TODAY }, payEasy);
    expect(s.app.status).toBe('weightTaxDue');
    expect(s.app.paymentLines.slice(0, 2).map((l) => [l.status, l.paymentCategory])).toEqual([
      ['paid', 'まとめ納付'],
      ['paid', 'まとめ納付'],
    ]);
  });
  it('自動車重量税 and 軽自動車税 can be paid together as well', () => {
    const w = reach('newVehicle', 'weightTaxBulkPaymentNumberTaken');
    w.do({ type: 'recordPayment', stage: 'weightTax', paidOn: TODAY }, payEasy);
    expect(w.app.status).toBe('inspectionUnderExamination');
    const v = reach('newVehicle', 'vehicleTaxBulkPaymentNumberTaken');
    v.do({ type: 'recordPayment', stage: 'vehicleTax', paidOn: TODAY }, payEasy);
    expect(v.app.status).toBe('preparingDelivery');
  });
  it('まとめ納付 cannot be chosen, nor its number taken, once the 納付期限 has passed', () => {
    const due = reach('continuousInspection', 'inspectionFeesDue');
    const passed = deadlinePassesAt(FEES_DUE);
    expect(due.try({ type: 'chooseBulkPayment' }, applicant, new Date(passed.getTime() - 1)).ok).toBe(true);
    expect(due.try({ type: 'chooseBulkPayment' }, applicant, passed)).toEqual({ ok: false, refusal: { code: 'deadlinePassed', message: '納付期限を過ぎているため、まとめ納付を選択できません。' } });
    const bulk = reach('continuousInspection', 'inspectionFeesBulkPayment');
    expect(bulk.try({ type: 'takeBulkPaymentNumber' }, applicant, new Date(passed.getTime() - 1)).ok).toBe(true);
    expect(bulk.try({ type: 'takeBulkPaymentNumber' }, applicant, passed)).toEqual({ ok: false, refusal: { code: 'deadlinePassed', message: '納付期限を過ぎているため、納付番号を取得できません。' } });
  });
});

describe('recordPayment', () => {
  it('for the wrong stage is refused', () => {
    const s = reach('continuousInspection', 'weightTaxDue');
    expect(s.try({ type: 'recordPayment', stage: 'inspectionFees', paidOn: TODAY }, payEasy)).toEqual({
      ok: false,
      refusal: { code: 'statusDoesNotAllow', message: '現在の申請状況では、この税・手数料（検査手数料・技術情報管理手数料）の納付は受け付けられません。' },
    });
  });
  it('with a 納付日 in the future is refused; today is fine', () => {
    const s = reach('continuousInspection', 'weightTaxDue');
    expect(s.try({ type: 'recordPayment', stage: 'weightTax', paidOn: d('2026-06-02') }, payEasy)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '納付日に未来の日付は指定できません。' } });
    expect(s.try({ type: 'recordPayment', stage: 'weightTax', paidOn: TODAY }, payEasy).ok).toBe(true);
  });
  it('of a stage with nothing unpaid is alreadyDone', () => {
    const s = reach('continuousInspection', 'weightTaxDue');
    const paid: Application = { ...s.app, paymentLines: s.app.paymentLines.map((l) => ({ ...l, status: 'paid' as const })) };
    expect(applyEvent(paid, { type: 'recordPayment', stage: 'weightTax', paidOn: TODAY }, payEasy, { at: s.now, ids: counterIds() })).toEqual({
      ok: false,
      refusal: { code: 'alreadyDone', message: 'この税・手数料はすでに納付済です。' },
    });
  });
  it('stageLabel names the stages', () => {
    expect(stageLabel('inspectionFees')).toBe('検査手数料・技術情報管理手数料');
    expect(stageLabel('weightTax')).toBe('自動車重量税');
    expect(stageLabel('vehicleTax')).toBe('軽自動車税環境性能割');
  });
});

describe('issueFees', () => {
  it('a 重量税 of ¥0 (免税) is a "-" line without a number, and paying the fees leads straight to the examination', () => {
    const s = reach('continuousInspection', 'inspectionFeesDue', { weightTaxBand: 'exempt' });
    expect(s.app.paymentLines.at(-1)).toMatchObject(line({ stage: 'weightTax', amount: 0, status: 'notRequired', paymentNumber: null, confirmationNumber: null, paymentCategory: '-' }));
    s.do({ type: 'recordPayment', stage: 'inspectionFees', paidOn: TODAY }, payEasy);
    expect(s.app.status).toBe('inspectionUnderExamination');
  });
  it('a 納付期限 in the past is refused; today is fine', () => {
    const s = reach('continuousInspection', 'acceptedAwaitingAttachments');
    expect(s.try({ type: 'issueFees', dueOn: d('2026-05-31') }, office())).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '納付期限は本日以降の日付を指定してください。' } });
    expect(s.try({ type: 'issueFees', dueOn: TODAY }, office()).ok).toBe(true);
  });
});

describe('refusal of acceptance, rejection and invalidation', () => {
  it('refuseAcceptance: 未受付 with a notice', () => {
    const s = reach('newVehicle', 'notAccepted');
    expect(s.app.notices).toEqual([
      { id: 'id-2', kind: 'notAccepted', agencyName: '軽自動車検査協会事務所等', deadline: null, reasonTitle: '署名検証エラー', reasonDetail: '署名用電子証明書の有効期限が切れています。', issuedAt: s.at, resolvedAt: null },
    ]);
    expect(s.history.at(-1)?.reason).toBe('署名検証エラー');
  });
  it.each([
    ['refuseAcceptance', 'awaitingAcceptance'],
    ['reject', 'inspectionUnderExamination'],
    ['invalidate', 'acceptedAwaitingAttachments'],
    ['requestCorrection', 'inspectionUnderExamination'],
  ] as const)('%s needs a reason: 理由を入力してください。', (type, status) => {
    const s = reach('continuousInspection', status);
    const event = { ...eventFor(type, s.app, s.now), reasonTitle: ' 　' } as ApplicationEvent;
    expect(s.try(event, office())).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '理由を入力してください。' } });
  });
  it('invalidate during a correction resolves the correction notice and clears the deadline', () => {
    const s = reach('continuousInspection', 'inspectionCorrectionRequested');
    s.do({ type: 'invalidate', reasonTitle: '受付チェックエラー', reasonDetail: '重複申請です。' }, office());
    expect(s.app).toMatchObject({ status: 'invalidated', correctionDeadline: null });
    expect(s.app.notices.map((n) => [n.kind, n.resolvedAt])).toEqual([
      ['correction', s.at],
      ['invalidation', null],
    ]);
  });
  it('reject: 却下 with a rejection notice', () => {
    const s = reach('continuousInspection', 'rejectedInExamination');
    expect(s.app.notices.at(-1)).toMatchObject({ kind: 'rejection', agencyName: '軽自動車検査協会事務所等', reasonTitle: '保安基準不適合', deadline: null });
  });
});

describe('補正 (correction) and 補正申請 (resubmission)', () => {
  it('requestCorrection: 検査申請補正待ち with a notice carrying the 期限日', () => {
    const s = reach('continuousInspection', 'inspectionCorrectionRequested');
    expect(s.app.correctionDeadline).toBe(CORRECTION_DEADLINE);
    expect(s.app.notices).toEqual([
      {
        id: 'id-5',
        kind: 'correction',
        agencyName: '軽自動車検査協会事務所等',
        deadline: CORRECTION_DEADLINE,
        reasonTitle: '申請書・添付書類の不備エラー',
        reasonDetail: '申請書、添付書類のいずれかまたは両方に不備があります。',
        issuedAt: s.at,
        resolvedAt: null,
      },
    ]);
  });
  it('a 補正期限 in the past is refused; today is fine', () => {
    const s = reach('continuousInspection', 'inspectionUnderExamination');
    const e = { type: 'requestCorrection', reasonTitle: '不備', reasonDetail: '', deadline: d('2026-05-31') } as const;
    expect(s.try(e, office())).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '補正期限は本日以降の日付を指定してください。' } });
    expect(s.try({ ...e, deadline: TODAY }, office()).ok).toBe(true);
    const t = reach('newVehicle', 'taxDeclarationUnderExamination');
    expect(t.try({ ...e, type: 'requestTaxCorrection' }, taxOffice())).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '補正期限は本日以降の日付を指定してください。' } });
  });
  it('submitCorrection applies the changes, resolves the notice, clears the deadline and returns to 審査中', () => {
    const s = reach('continuousInspection', 'inspectionCorrectionRequested');
    const v = validateCorrection(s.app, { userName: '軽自　次郎', chassisNumber: 'ax01-0000002' });
    if (!v.ok) throw new Error('invalid');
    s.do({ type: 'submitCorrection', changes: v.changes }, applicant, new Date('2026-06-10T14:59:59Z'));
    expect(s.app).toMatchObject({ status: 'inspectionUnderExamination', correctionDeadline: null });
    expect(s.app.user.name).toBe('軽自 次郎');
    expect(s.app.vehicle.chassisNumber).toBe('AX01-0000002');
    expect(s.app.notices[0]?.resolvedAt).toEqual(new Date('2026-06-10T14:59:59Z'));
    expect(s.history.at(-1)?.details).toEqual({
      changes: [
        { field: 'userName', before: '軽自 太郎', after: '軽自 次郎' },
        { field: 'chassisNumber', before: 'AX01-0000001', after: 'AX01-0000002' },
      ],
    });
  });
  it('the tax declaration correction returns to 軽自動車税申告審査中', () => {
    const s = reach('newVehicle', 'taxDeclarationCorrectionRequested');
    expect(s.app.notices.at(-1)).toMatchObject({ kind: 'taxCorrection', agencyName: '都道府県税事務所', deadline: CORRECTION_DEADLINE });
    s.do({ type: 'submitCorrection', changes: [] }, applicant);
    expect(s.app).toMatchObject({ status: 'taxDeclarationUnderExamination', correctionDeadline: null });
    expect(s.app.notices.at(-1)?.resolvedAt).toEqual(s.at);
  });
  it('a correction after the deadline is refused', () => {
    const s = reach('continuousInspection', 'inspectionCorrectionRequested');
    expect(s.try({ type: 'submitCorrection', changes: [] }, applicant, deadlinePassesAt(CORRECTION_DEADLINE))).toEqual({
      ok: false,
      refusal: { code: 'deadlinePassed', message: '補正期限を過ぎているため、補正申請はできません。' },
    });
  });
  it('an office may correct again after a resubmission', () => {
    const s = reach('continuousInspection', 'inspectionCorrectionRequested');
    s.do({ type: 'submitCorrection', changes: [] }, applicant);
    s.do({ type: 'requestCorrection', reasonTitle: '再補正', reasonDetail: '', deadline: d('2026-06-12') }, office());
    expect(s.app.correctionDeadline).toBe('2026-06-12');
    expect(s.app.notices.map((n) => n.resolvedAt === null)).toEqual([false, true]);
  });
});

describe('申請の取り下げ', () => {
  it('from 検査手数料等まとめ払い中 before the number: 検査申請取り下げ with a withdrawal notice', () => {
    const s = reach('continuousInspection', 'withdrawn');
    expect(s.app.status).toBe('withdrawn');
    expect(s.app.notices).toEqual([
      {
        id: 'id-5',
        kind: 'withdrawal',
        agencyName: '申請者',
        deadline: null,
        reasonTitle: '申請の取り下げ',
        reasonDetail: '申請者により申請が取り下げられました。当該受付番号の申請は継続することができません。',
        issuedAt: s.at,
        resolvedAt: null,
      },
    ]);
  });
  it('after the まとめ納付 number is taken: refused', () => {
    const s = reach('continuousInspection', 'inspectionFeesBulkPaymentNumberTaken');
    expect(s.try({ type: 'withdraw' }, applicant)).toEqual({ ok: false, refusal: { code: 'paymentNumberTaken', message: '納付番号を取得した後は、申請を取り下げることはできません。' } });
  });
  it('in まとめ払い中 past the 納付期限: refused for that reason', () => {
    const s = reach('continuousInspection', 'inspectionFeesBulkPayment');
    expect(s.try({ type: 'withdraw' }, applicant, deadlinePassesAt(FEES_DUE))).toEqual({ ok: false, refusal: { code: 'deadlinePassed', message: '納付期限を過ぎているため、申請を取り下げることはできません。' } });
  });
  it('from 検査申請補正待ち before the deadline: the correction notice is resolved, the deadline cleared', () => {
    const s = reach('newVehicle', 'withdrawnFromCorrection');
    expect(s.app).toMatchObject({ status: 'withdrawn', correctionDeadline: null });
    expect(s.app.notices.map((n) => [n.kind, n.resolvedAt])).toEqual([
      ['correction', s.at],
      ['withdrawal', null],
    ]);
  });
  it('from 検査申請補正待ち after the deadline: refused', () => {
    const s = reach('continuousInspection', 'inspectionCorrectionRequested');
    expect(s.try({ type: 'withdraw' }, applicant, new Date('2026-06-10T14:59:59Z')).ok).toBe(true);
    expect(s.try({ type: 'withdraw' }, applicant, new Date('2026-06-10T15:00:00Z'))).toEqual({ ok: false, refusal: { code: 'deadlinePassed', message: '補正期限を過ぎているため、申請を取り下げることはできません。' } });
  });
  it('a withdrawn application can never continue', () => {
    const s = reach('continuousInspection', 'withdrawn');
    for (const type of eventTypes) {
      const actor = actorOf(actorsOfEvent[type][0] as ActorKind);
      const r = s.try(eventFor(type, s.app, s.now), actor, timeFor(type, s.now));
      expect(r.ok).toBe(false);
    }
  });
});

describe('deadlines run out: the clock', () => {
  it('expireCorrection before the deadline passes: refused', () => {
    const s = reach('continuousInspection', 'inspectionCorrectionRequested');
    expect(s.try({ type: 'expireCorrection' }, clock, new Date('2026-06-10T14:59:59Z'))).toEqual({ ok: false, refusal: { code: 'deadlineNotPassed', message: '補正期限はまだ過ぎていません。' } });
  });
  it('expireCorrection once passed: 期限切れ却下', () => {
    const s = reach('continuousInspection', 'rejectedByExpiry');
    expect(s.app).toMatchObject({ status: 'rejected', correctionDeadline: null });
    expect(s.app.notices.at(-1)).toEqual({
      id: 'id-6',
      kind: 'rejection',
      agencyName: '軽自動車検査協会事務所等',
      deadline: null,
      reasonTitle: '期限切れ却下',
      reasonDetail: '補正期限（2026年 06月 10日）までに補正申請が行われなかったため、申請は却下されました。',
      issuedAt: new Date('2026-06-10T15:00:00Z'),
      resolvedAt: null,
    });
    expect(s.app.notices[0]?.resolvedAt).toEqual(new Date('2026-06-10T15:00:00Z'));
    expect(s.history.at(-1)).toMatchObject({ reason: '期限切れ却下', details: { deadline: '2026-06-10' }, actor: { kind: 'clock' } });
  });
  it('a tax declaration correction expires as 都道府県税事務所\'s 期限切れ却下', () => {
    const s = reach('newVehicle', 'taxDeclarationCorrectionRequested');
    s.do({ type: 'expireCorrection' }, clock, deadlinePassesAt(CORRECTION_DEADLINE));
    expect(s.app.status).toBe('rejected');
    expect(s.app.notices.at(-1)).toMatchObject({ kind: 'rejection', agencyName: '都道府県税事務所', reasonTitle: '期限切れ却下' });
  });
  it('expirePayment before the 納付期限 passes: refused', () => {
    const s = reach('continuousInspection', 'weightTaxDue');
    expect(s.try({ type: 'expirePayment' }, clock, new Date('2026-06-15T14:59:59Z'))).toEqual({ ok: false, refusal: { code: 'deadlineNotPassed', message: '納付期限はまだ過ぎていません。' } });
  });
  it('expirePayment once passed: 検査申請無効 with a 納付期限切れ notice', () => {
    const s = reach('continuousInspection', 'invalidated');
    expect(s.app.status).toBe('invalidated');
    expect(s.app.notices).toEqual([
      {
        id: 'id-5',
        kind: 'invalidation',
        agencyName: '軽自動車検査協会事務所等',
        deadline: null,
        reasonTitle: '納付期限切れ',
        reasonDetail: '納付期限（2026年 06月 15日）までに税・手数料が納付されなかったため、申請は無効になりました。',
        issuedAt: new Date('2026-06-15T15:00:00Z'),
        resolvedAt: null,
      },
    ]);
    expect(s.history.at(-1)).toMatchObject({ reason: '納付期限切れ', details: { deadline: '2026-06-15' } });
  });
  it('a payment made on the 納付期限 but reported after 納付期限切れ: the application is restored and moves on as if reported in time (decision 0004)', () => {
    const s = reach('continuousInspection', 'invalidated');
    const stage = s.app.paymentLines.find((l) => l.status === 'unpaid')!.stage;
    const later = new Date('2026-06-16T02:00:00Z');
    // After the 納付期限: refused, the money goes back through the network.
    expect(s.try({ type: 'recordPayment', stage, paidOn: d('2026-06-16') }, payEasy, later)).toEqual({
      ok: false,
      refusal: { code: 'deadlinePassed', message: '納付日（2026-06-16）が納付期限（2026-06-15）を過ぎているため、無効になった申請の納付として受け付けられません。納付された金額は収納機関から返金してください。' },
    });
    // Another stage than the one that expired: refused.
    expect(s.try({ type: 'recordPayment', stage: stage === 'inspectionFees' ? 'weightTax' : 'inspectionFees', paidOn: FEES_DUE }, payEasy, later).ok).toBe(false);
    s.do({ type: 'recordPayment', stage, paidOn: FEES_DUE }, payEasy, later);
    expect(s.app.status).toBe(stage === 'inspectionFees' ? 'weightTaxDue' : 'inspectionUnderExamination');
    expect(s.app.paymentLines.filter((l) => l.stage === stage).every((l) => l.status === 'paid' && l.paidOn === FEES_DUE)).toBe(true);
    expect(s.app.notices.find((n) => n.kind === 'invalidation')?.resolvedAt).toEqual(later);
    expect(s.history.at(-1)).toMatchObject({
      event: 'recordPayment',
      fromStatus: 'invalidated',
      reason: '納付期限内の納付（期限後の報告）により無効を取り消し',
      details: { stage, paidOn: FEES_DUE, dueOn: FEES_DUE, restoredFrom: 'invalidated' },
    });
  });
  it('a payment to an application an office made 無効 is refused, whatever its date', () => {
    const s = reach('continuousInspection', 'inspectionFeesDue');
    s.do({ type: 'invalidate', reasonTitle: '書類の不備', reasonDetail: '申請内容に誤りがあります。' }, office());
    const r = s.try({ type: 'recordPayment', stage: 'inspectionFees', paidOn: TODAY }, payEasy);
    expect(r).toEqual({ ok: false, refusal: { code: 'statusDoesNotAllow', message: `この申請は「${statuses.invalidated.label}」のため、これ以上操作できません。` } });
  });
  it('expirePayment in まとめ払い中 too', () => {
    const s = reach('newVehicle', 'vehicleTaxBulkPayment');
    expect(s.try({ type: 'expirePayment' }, clock, deadlinePassesAt(VEHICLE_TAX_DUE)).ok).toBe(true);
  });
});

describe('assessVehicleTax (軽自動車税環境性能割)', () => {
  it('amount 0 goes straight to 交付準備中 with a "-" (不要) line', () => {
    const s = reach('newVehicle', 'taxDeclarationUnderExamination');
    s.do({ type: 'assessVehicleTax', dueOn: VEHICLE_TAX_DUE, amount: 0 }, taxOffice());
    expect(s.app.status).toBe('preparingDelivery');
    expect(s.app.paymentLines.at(-1)).toMatchObject(line({ stage: 'vehicleTax', amount: 0, status: 'notRequired', paymentNumber: null, confirmationNumber: null, paymentCategory: '-' }));
  });
  it('without an amount, computes it: ¥500,000 (免税点) is 0', () => {
    const s = reach('newVehicle', 'taxDeclarationUnderExamination', { acquisitionPrice: 500_000 });
    s.do({ type: 'assessVehicleTax', dueOn: VEHICLE_TAX_DUE }, taxOffice());
    expect(s.app.status).toBe('preparingDelivery');
  });
  it('an explicit amount wins over the computed one', () => {
    const s = reach('newVehicle', 'taxDeclarationUnderExamination');
    s.do({ type: 'assessVehicleTax', dueOn: VEHICLE_TAX_DUE, amount: 12_300 }, taxOffice());
    expect(s.app.paymentLines.at(-1)?.amount).toBe(12_300);
  });
  it.each([-1, 1.5, Number.NaN])('amount %d is refused', (amount) => {
    const s = reach('newVehicle', 'taxDeclarationUnderExamination');
    expect(s.try({ type: 'assessVehicleTax', dueOn: VEHICLE_TAX_DUE, amount }, taxOffice())).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '税額は0円以上の整数（円）で指定してください。' } });
  });
  it('a 納付期限 in the past is refused', () => {
    const s = reach('newVehicle', 'taxDeclarationUnderExamination');
    expect(s.try({ type: 'assessVehicleTax', dueOn: d('2026-05-31') }, taxOffice())).toEqual({ ok: false, refusal: { code: 'invalidInput', message: '納付期限は本日以降の日付を指定してください。' } });
  });
});

describe('添付書類 and the examination', () => {
  it('an attachment of the other procedure is refused', () => {
    const s = reach('newVehicle', 'acceptedAwaitingAttachments');
    expect(s.try({ type: 'acquireAttachment', kind: 'safetyStandardCertificate' }, attachmentSource)).toEqual({
      ok: false,
      refusal: { code: 'procedureDoesNotAllow', message: 'この手続では「保安基準適合証」は添付書類ではありません。' },
    });
  });
  it('an attachment already 取得済 or 不要 is alreadyDone', () => {
    const s = reach('newVehicle', 'acceptedAwaitingAttachments');
    s.do({ type: 'acquireAttachment', kind: 'insuranceCertificate' }, attachmentSource);
    expect(s.try({ type: 'acquireAttachment', kind: 'insuranceCertificate' }, attachmentSource)).toEqual({
      ok: false,
      refusal: { code: 'alreadyDone', message: '「自動車損害賠償責任保険（共済）証明書」はすでに取得済です。' },
    });
    expect(s.try({ type: 'acquireAttachment', kind: 'preferredNumberCertificate' }, attachmentSource)).toEqual({
      ok: false,
      refusal: { code: 'alreadyDone', message: '「希望番号予約済証」はすでに不要です。' },
    });
  });
  it('the office may mark an attachment 不要', () => {
    const s = reach('continuousInspection', 'inspectionUnderExamination');
    s.do({ type: 'markAttachmentNotRequired', kind: 'safetyStandardCertificate' }, office());
    s.do({ type: 'acquireAttachment', kind: 'insuranceCertificate' }, attachmentSource);
    expect(s.app.attachments).toEqual([
      { kind: 'insuranceCertificate', state: 'acquired' },
      { kind: 'safetyStandardCertificate', state: 'notRequired' },
    ]);
    s.do({ type: 'completeExamination', completedOn: TODAY }, office());
    expect(s.app.status).toBe('preparingReturn');
  });
  it('a 希望番号 was reserved: 希望番号予約済証 must be acquired', () => {
    const s = reach('newVehicle', 'examinationReady', { preferredNumber: true });
    expect(s.try({ type: 'completeExamination', completedOn: TODAY, vehicleNumber }, office())).toEqual({
      ok: false,
      refusal: { code: 'attachmentsIncomplete', message: '未取得の添付書類があるため、審査を完了できません。' },
    });
    s.do({ type: 'acquireAttachment', kind: 'preferredNumberCertificate' }, attachmentSource);
    expect(s.try({ type: 'completeExamination', completedOn: TODAY, vehicleNumber }, office()).ok).toBe(true);
  });
  it('審査完了年月日 in the future is refused', () => {
    const s = reach('continuousInspection', 'examinationReady');
    expect(s.try({ type: 'completeExamination', completedOn: d('2026-06-02') }, office())).toEqual({
      ok: false,
      refusal: { code: 'invalidInput', message: '審査完了年月日に未来の日付は指定できません。' },
    });
  });
  it('a new car needs its 車両番号 at the end of the examination', () => {
    const s = reach('newVehicle', 'examinationReady');
    expect(s.try({ type: 'completeExamination', completedOn: TODAY }, office())).toEqual({
      ok: false,
      refusal: { code: 'invalidInput', message: '新車の審査完了には車両番号の指定が必要です。' },
    });
  });
});

describe('二次元コードの発行', () => {
  it('can be reissued; each issue raises the serial', () => {
    const s = reach('newVehicle', 'readyForDelivery');
    s.do({ type: 'issueCollectionCode' }, applicant).do({ type: 'issueCollectionCode' }, applicant);
    expect(s.app.collectionCodeSerial).toBe(2);
    expect(s.app.status).toBe('readyForDelivery');
  });
  it('is refused where a usable 記録等事務代行者 collects', () => {
    const s = reach('continuousInspection', 'readyForReturn', { agentUsable: true });
    expect(s.try({ type: 'issueCollectionCode' }, applicant)).toEqual({ ok: false, refusal: { code: 'statusDoesNotAllow', message: '記録等事務代行者が受け取るため、二次元コードの発行は不要です。' } });
  });
});

describe('finished and stopped applications never move again', () => {
  const terminal: [ProcedureCode, StatusCode][] = [
    ['continuousInspection', 'returned'],
    ['newVehicle', 'delivered'],
    ...(['notAccepted', 'withdrawn', 'invalidated', 'rejected'] as const).flatMap((s) => [
      ['continuousInspection', s] as [ProcedureCode, StatusCode],
      ['newVehicle', s] as [ProcedureCode, StatusCode],
    ]),
  ];
  it.each(terminal)('%s / %s refuses every event with statusDoesNotAllow', (procedure, status) => {
    const s = reach(procedure, status);
    for (const type of eventTypes) {
      const actor: Actor = actorOf(actorsOfEvent[type][0] as ActorKind);
      const r = s.try(eventFor(type, s.app, s.now), actor, timeFor(type, s.now));
      if (actor.kind === 'taxOffice' && procedure === 'continuousInspection') expect(r.ok ? 'ok' : r.refusal.code).toBe('procedureDoesNotAllow');
      else if (type === 'recordPayment' && status === 'invalidated') expect(r.ok ? 'ok' : r.refusal.code).toMatch(/^(statusDoesNotAllow|deadlinePassed)$/);
      else expect(r).toEqual({ ok: false, refusal: { code: 'statusDoesNotAllow', message: `この申請は「${statuses[status].label}」のため、これ以上操作できません。` } });
    }
  });
});
