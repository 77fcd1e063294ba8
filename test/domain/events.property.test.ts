import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor, ActorKind } from '../../src/domain/actors.js';
import type { Application } from '../../src/domain/application.js';
import { validateCorrection } from '../../src/domain/corrections.js';
import { applyEvent, eventAllowedIn, eventLabels, eventsFor, type ApplicationEvent, type EventType } from '../../src/domain/events.js';
import { inspectionOffices, type OfficeCode } from '../../src/domain/offices.js';
import { attachmentKinds, procedures, type AttachmentKind, type ProcedureCode } from '../../src/domain/procedures.js';
import { allowedActions, attachmentsComplete, bulkPaymentNumberTaken, currentDeadline, deadlineReminders, progressSummary, stepMarks } from '../../src/domain/rules.js';
import { statuses, statusesOf, type ApplicantAction, type PaymentStage, type StatusCode } from '../../src/domain/statuses.js';
import { addDays, japanDateOf } from '../../src/domain/time.js';
import { seededIds } from '../../src/services/ids.js';
import { actorKinds, DAY, filed, HOUR, office, RECEIPT, T0, taxOffice, vehicleNumber } from './support.js';

const eventTypes = Object.keys(eventLabels).filter((t) => t !== 'arrive') as EventType[];
const kinds = Object.keys(attachmentKinds) as AttachmentKind[];
const stages: PaymentStage[] = ['inspectionFees', 'weightTax', 'vehicleTax'];

/** The applicant events whose success the status page promises through allowedActions. */
const promisedBy: Partial<Record<EventType, ApplicantAction>> = {
  chooseBulkPayment: 'chooseBulkPayment',
  takeBulkPaymentNumber: 'takeBulkPaymentNumber',
  withdraw: 'withdraw',
  submitCorrection: 'correct',
  issueCollectionCode: 'issueCollectionCode',
};

const correctionInputs = [{}, { userName: '軽自 次郎' }, { chassisNumber: 'ax01-0000099' }, { ownerName: '軽自リース株式会社', ownerAddress: '東京都千代田区1-1' }, { applicantName: '' }];

interface Command {
  readonly pick: number;
  /** progress: an event the status allows that does not stop the application; allowed: any the status allows; any: any at all. */
  readonly mode: 'progress' | 'allowed' | 'any';
  readonly rightActor: boolean;
  readonly actorPick: number;
  readonly otherOffice: boolean;
  readonly dayOffset: number;
  readonly blankReason: boolean;
  readonly stagePick: number;
  readonly kindPick: number;
  readonly amount: number | undefined;
  readonly withVehicleNumber: boolean;
  readonly tomorrow: boolean;
  readonly correction: number;
  readonly advance: number;
}

const command: fc.Arbitrary<Command> = fc.record({
  pick: fc.nat(),
  mode: fc.oneof(
    { weight: 7, arbitrary: fc.constant('progress' as const) },
    { weight: 2, arbitrary: fc.constant('allowed' as const) },
    { weight: 1, arbitrary: fc.constant('any' as const) },
  ),
  rightActor: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  actorPick: fc.nat(),
  otherOffice: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  dayOffset: fc.integer({ min: -2, max: 20 }),
  blankReason: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  stagePick: fc.nat(),
  kindPick: fc.nat(),
  amount: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(0, 12_300, -1) }),
  withVehicleNumber: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  tomorrow: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  correction: fc.nat({ max: correctionInputs.length - 1 }),
  advance: fc.oneof(
    { weight: 14, arbitrary: fc.integer({ min: 0, max: 6 * HOUR }) },
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 3 * DAY }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 25 * DAY }) },
  ),
});

const start = fc.record({
  procedure: fc.constantFrom<ProcedureCode>('continuousInspection', 'newVehicle'),
  officeCode: fc.constantFrom<OfficeCode>('tokyo', 'nerima', 'kanagawa', 'fukuoka'),
  weightTaxBand: fc.constantFrom('exempt', 'eco', 'standard', 'over13', 'over18' as const),
  agentUsable: fc.boolean(),
  preferredNumber: fc.boolean(),
  acquisitionPrice: fc.constantFrom(1_650_000, 2_345_678, 999_999, 500_000),
  environmentalTaxRate: fc.constantFrom(0, 1, 2),
  seed: fc.string({ maxLength: 8 }),
});

function actorFor(kind: ActorKind, app: Application, other: boolean): Actor {
  const own = app.officeCode;
  switch (kind) {
    case 'inspectionOffice':
      return office(other ? 'osaka' : own);
    case 'taxOffice':
      return taxOffice(other ? 'osakaTax' : inspectionOffices[own].taxOfficeCode);
    case 'applicant':
      return { kind: 'applicant' };
    case 'paymentNetwork':
      return { kind: 'paymentNetwork', id: 'payeasy', label: 'Pay-easy' };
    case 'attachmentSource':
      return { kind: 'attachmentSource', id: 'ext', label: '外部' };
    case 'clock':
      return { kind: 'clock' };
  }
}

function eventOf(type: EventType, c: Command, app: Application, at: Date): ApplicationEvent {
  const today = japanDateOf(at);
  const reason = c.blankReason ? ' ' : '申請書・添付書類の不備エラー';
  const day = addDays(today, c.dayOffset);
  switch (type) {
    case 'accept':
      return { type, receiptNumber: RECEIPT };
    case 'refuseAcceptance':
    case 'reject':
    case 'invalidate':
      return { type, reasonTitle: reason, reasonDetail: '詳細' };
    case 'acquireAttachment':
    case 'markAttachmentNotRequired':
    {
      // mostly an attachment of the procedure, sometimes any (the other procedure's are refused)
      const pool: readonly AttachmentKind[] = c.kindPick % 4 === 0 ? kinds : procedures[app.procedure].attachments;
      return { type, kind: pool[c.kindPick % pool.length] as AttachmentKind };
    }
    case 'issueFees':
      return { type, dueOn: day };
    case 'recordPayment': {
      const current = statuses[app.status].paymentStage;
      const stage = c.stagePick % 2 === 0 && current ? current : (stages[c.stagePick % 3] as PaymentStage);
      return { type, stage, paidOn: c.tomorrow ? addDays(today, 1) : today };
    }
    case 'requestCorrection':
    case 'requestTaxCorrection':
      return { type, reasonTitle: reason, reasonDetail: '詳細', deadline: day };
    case 'submitCorrection': {
      const v = validateCorrection(app, correctionInputs[c.correction] ?? {});
      return { type, changes: v.ok ? v.changes : [] };
    }
    case 'completeExamination':
      return { type, completedOn: c.tomorrow ? addDays(today, 1) : today, vehicleNumber: c.withVehicleNumber ? vehicleNumber : undefined };
    case 'assessVehicleTax':
      return { type, dueOn: day, amount: c.amount };
    case 'joinPaymentGroup':
      return { type, groupId: 'group-1', paymentNumber: '40000000000000000001', confirmationNumber: '200001' };
    case 'leavePaymentGroup':
      return { type, groupId: 'group-1', cause: c.tomorrow ? 'expired' : 'cancelled' };
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

const stoppingEvents: EventType[] = ['refuseAcceptance', 'reject', 'invalidate', 'withdraw', 'expireCorrection', 'expirePayment'];
const stoppedOrFinished: StatusCode[] = ['returned', 'delivered', 'withdrawn', 'rejected', 'invalidated', 'notAccepted'];
const visited: Record<ProcedureCode, Set<StatusCode>> = { continuousInspection: new Set(), newVehicle: new Set() };
let accepted = 0;
let refused = 0;

describe('any sequence of events, by any actor, at any time', () => {
  it('keeps the application consistent (1,000 runs)', () => {
    fc.assert(
      fc.property(start, fc.array(command, { minLength: 1, maxLength: 60, size: 'max' }), (s, commands) => {
        const ids = seededIds(`property:${s.seed}`);
        let at = T0;
        let app = filed(s.procedure, { officeCode: s.officeCode, weightTaxBand: s.weightTaxBand, agentUsable: s.agentUsable, preferredNumber: s.preferredNumber, acquisitionPrice: s.acquisitionPrice, environmentalTaxRate: s.environmentalTaxRate }, ids, at);
        const own = statusesOf(s.procedure);
        let successes = 0;
        let stopped = false;
        let bulkNumberTakenHere = false;
        visited[s.procedure].add(app.status);

        for (const c of commands) {
          at = new Date(at.getTime() + c.advance);
          const allowed = eventTypes.filter((t) => eventAllowedIn(t, app.status));
          const candidates = c.mode === 'any' ? eventTypes : c.mode === 'allowed' ? allowed : allowed.filter((t) => !stoppingEvents.includes(t));
          const pool = candidates.length > 0 ? candidates : eventTypes;
          const type = pool[c.pick % pool.length] as EventType;
          const entitled = actorKinds.filter((k) => eventsFor(k).includes(type));
          const kind = c.rightActor ? (entitled[c.actorPick % entitled.length] as ActorKind) : (actorKinds[c.actorPick % actorKinds.length] as ActorKind);
          const actor = actorFor(kind, app, c.otherOffice);
          const event = eventOf(type, c, app, at);

          const before = app;
          const snapshot = structuredClone(app);
          const promised = actor.kind === 'applicant' && promisedBy[type] ? allowedActions(app, at).includes(promisedBy[type]) : null;
          const numberTakenBefore = app.status === 'inspectionFeesBulkPayment' && bulkPaymentNumberTaken(app);

          const r = applyEvent(app, event, actor, { at, ids });

          // the input is never mutated, refused or not (node:assert keeps 45,000 checks fast)
          assert.deepStrictEqual(before, snapshot);
          if (promised !== null) assert.equal(r.ok, promised, `${type} at ${at.toISOString()} in ${app.status}: allowedActions promised ${promised}`);

          if (!r.ok) {
            refused += 1;
            const lateReport = type === 'recordPayment' && app.status === 'invalidated';
            if (stopped) assert.ok(['statusDoesNotAllow', 'actorNotAllowed', 'otherOffice', 'procedureDoesNotAllow', ...(lateReport ? ['deadlinePassed', 'invalidInput'] : [])].includes(r.refusal.code), r.refusal.code);
          } else {
            accepted += 1;
            // a finished or stopped application never moves again — except a payment made by the 納付期限 and
            // reported after 納付期限切れ made it 無効 (docs/decisions/0004): it restores the application
            if (type === 'recordPayment' && app.status === 'invalidated') {
              const details = r.value.history.details as { paidOn: string; dueOn: string; restoredFrom: string };
              assert.equal(details.restoredFrom, 'invalidated');
              assert.ok(details.paidOn <= details.dueOn, 'a late-reported payment was made after its 納付期限');
              stopped = false;
            } else assert.equal(stopped, false, `${type} moved a ${app.status} application`);
            // withdrawal never succeeds after a まとめ納付 number was taken
            if (type === 'withdraw') {
              assert.equal(numberTakenBefore, false, 'withdrawn after the まとめ納付 number was taken');
              assert.equal(bulkNumberTakenHere, false, 'withdrawn after the まとめ納付 number was taken');
            }
            successes += 1;
            const next = r.value.application;
            const h = r.value.history;
            assert.deepStrictEqual([h.event, h.fromStatus, h.toStatus, h.actor, h.occurredAt], [type, app.status, next.status, actor, at]);
            assert.ok(next.statusChangedAt.getTime() <= at.getTime());
            if (next.status !== app.status) assert.deepStrictEqual(next.statusChangedAt, at);
            if (type === 'takeBulkPaymentNumber' && app.status === 'inspectionFeesBulkPayment') bulkNumberTakenHere = true;
            if (next.status !== 'inspectionFeesBulkPayment') bulkNumberTakenHere = false;
            app = next;
          }

          // the status belongs to the procedure; version counts the accepted events
          assert.ok(own.includes(app.status), `${app.status} is not a status of ${s.procedure}`);
          assert.equal(app.version, 1 + successes);
          visited[s.procedure].add(app.status);

          // the status page can always be drawn
          assert.equal(stepMarks(app).length, procedures[s.procedure].steps.length);
          allowedActions(app, at);
          deadlineReminders(app, at);
          currentDeadline(app);
          assert.match(progressSummary(app), /^全[34]ステップ中、/);

          // a correction deadline and an open correction notice exist exactly in the correction statuses
          const correcting = statuses[app.status].deadline === 'correction';
          assert.equal(app.correctionDeadline !== null, correcting, `correctionDeadline in ${app.status}`);
          assert.equal(app.notices.some((n) => (n.kind === 'correction' || n.kind === 'taxCorrection') && n.resolvedAt === null), correcting, `open correction notice in ${app.status}`);
          // a 受付番号 exists once accepted
          if (app.receiptNumber === null) assert.ok(['awaitingAcceptance', 'notAccepted', 'invalidated'].includes(app.status), `no 受付番号 in ${app.status}`);

          // 返付済 / 交付済 only with every payment settled, the examination done and the attachments in
          if (app.status === 'returned' || app.status === 'delivered') {
            assert.ok(app.paymentLines.length > 0);
            assert.ok(app.paymentLines.every((l) => l.status !== 'unpaid'), 'finished with an unpaid line');
            assert.notEqual(app.examinationCompletedOn, null);
            assert.ok(attachmentsComplete(app), 'finished without the attachments');
            const paidStages = [...new Set(app.paymentLines.map((l) => l.stage))].sort();
            assert.deepStrictEqual(paidStages, s.procedure === 'newVehicle' ? ['inspectionFees', 'vehicleTax', 'weightTax'] : ['inspectionFees', 'weightTax']);
            if (s.procedure === 'newVehicle') assert.notEqual(app.vehicle.vehicleNumber, null);
          }

          if (stoppedOrFinished.includes(app.status)) {
            assert.ok(statuses[app.status].terminal);
            stopped = true;
          }
        }
      }),
      // A fixed seed: the coverage check below must not depend on luck (a random run once missed
      // 軽自動車税まとめ払い中). Change the seed to explore other histories; the check tells if it still covers.
      { numRuns: 1000, seed: 20261206 },
    );
  }, 120_000);

  // Guards the generator itself (relies on the property above having run first in this file).
  it('the runs above reached every status of both procedures, and both accepted and refused events', () => {
    expect([...visited.continuousInspection].sort()).toEqual([...statusesOf('continuousInspection')].sort());
    expect([...visited.newVehicle].sort()).toEqual([...statusesOf('newVehicle')].sort());
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});
