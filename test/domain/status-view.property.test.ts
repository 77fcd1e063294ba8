import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor, ActorKind } from '../../src/domain/actors.js';
import type { Application } from '../../src/domain/application.js';
import { allowedEvents, applyEvent, eventOptions, eventPrecondition, eventTypes, type ApplicationEvent, type EventType } from '../../src/domain/events.js';
import { procedures, type ProcedureCode } from '../../src/domain/procedures.js';
import { allowedActions } from '../../src/domain/rules.js';
import { isStopped, statusView } from '../../src/domain/status-view.js';
import { statuses, statusesOf, type ApplicantAction, type PaymentStage, type StatusCode } from '../../src/domain/statuses.js';
import { addDays, japanDateOf } from '../../src/domain/time.js';
import { seededIds } from '../../src/services/ids.js';
import { actorOf, DAY, filed, HOUR, RECEIPT, T0, vehicleNumber } from './support.js';

const kinds: ActorKind[] = ['applicant', 'inspectionOffice', 'taxOffice', 'paymentNetwork', 'attachmentSource', 'clock'];
const applicantActionList: ApplicantAction[] = ['pay', 'chooseBulkPayment', 'takeBulkPaymentNumber', 'withdraw', 'correct', 'issueCollectionCode', 'applyAgain'];
const actionEvent: Partial<Record<ApplicantAction, EventType>> = {
  chooseBulkPayment: 'chooseBulkPayment',
  takeBulkPaymentNumber: 'takeBulkPaymentNumber',
  withdraw: 'withdraw',
  correct: 'submitCorrection',
  issueCollectionCode: 'issueCollectionCode',
};

/** A well-formed event of the type: what a correct caller would send. */
function eventOf(type: EventType, app: Application, at: Date, days: number): ApplicationEvent {
  const today = japanDateOf(at);
  const stage: PaymentStage = statuses[app.status].paymentStage ?? 'inspectionFees';
  const attachment = procedures[app.procedure].attachments[days % procedures[app.procedure].attachments.length] ?? 'insuranceCertificate';
  switch (type) {
    case 'accept':
      return { type, receiptNumber: RECEIPT };
    case 'refuseAcceptance':
    case 'reject':
    case 'invalidate':
      return { type, reasonTitle: '理由', reasonDetail: '詳細' };
    case 'acquireAttachment':
    case 'markAttachmentNotRequired':
      return { type, kind: attachment };
    case 'issueFees':
      return { type, dueOn: addDays(today, days) };
    case 'recordPayment':
      return { type, stage, paidOn: today };
    case 'requestCorrection':
    case 'requestTaxCorrection':
      return { type, reasonTitle: '理由', reasonDetail: '詳細', deadline: addDays(today, days) };
    case 'submitCorrection':
      return { type, changes: [] };
    case 'completeExamination':
      return { type, completedOn: today, vehicleNumber };
    case 'assessVehicleTax':
      return { type, dueOn: addDays(today, days), amount: days % 5 === 0 ? 0 : undefined };
    default:
      return { type } as ApplicationEvent;
  }
}

const step = fc.record({
  pick: fc.nat(),
  // Mostly an allowed event of some actor; sometimes any event by any actor (refused, mostly).
  anything: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  // Mostly an event that does not stop the application, so that runs go far.
  progress: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  // Never 0: two events of one application in the same millisecond do not happen (see noticeOutcome).
  advance: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 1, max: 6 * HOUR }) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 2 * DAY }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 * DAY }) }),
  days: fc.integer({ min: 1, max: 14 }),
});

const stopping: EventType[] = ['refuseAcceptance', 'reject', 'invalidate', 'withdraw', 'expireCorrection', 'expirePayment'];
const visited: Record<ProcedureCode, Set<StatusCode>> = { continuousInspection: new Set(), newVehicle: new Set() };

describe('whatever the history, the status view and the allowed events agree', () => {
  it('holds over random histories (600 runs)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ProcedureCode>('continuousInspection', 'newVehicle'),
        fc.boolean(),
        fc.constantFrom('exempt', 'standard' as const),
        fc.array(step, { minLength: 20, maxLength: 80 }),
        (procedure, agentUsable, weightTaxBand, steps) => {
          const ids = seededIds(`status-view:${procedure}:${steps.length}`);
          let at = T0;
          let app = filed(procedure, { agentUsable, weightTaxBand }, ids, at);
          let corrections = 0;
          visited[procedure].add(app.status);
          for (const s of steps) {
            at = new Date(at.getTime() + s.advance);

            // The precondition is the first half of applyEvent: a refusal is the same refusal (one actor kind a step).
            {
              const kind = kinds[(s.pick >> 3) % kinds.length] as ActorKind;
              const actor: Actor = actorOf(kind);
              const options = eventOptions(app, actor, at);
              for (const type of eventTypes) {
                const pre = options[type];
                assert.deepStrictEqual(pre, eventPrecondition(app, type, actor, at));
                if (pre.ok) continue;
                const r = applyEvent(app, eventOf(type, app, at, s.days), actor, { at, ids });
                assert.deepStrictEqual(r.ok ? null : r.refusal, pre.refusal, `${type} by ${kind} in ${app.status}`);
              }
            }

            const v = statusView(app, at);
            const allowed = allowedActions(app, at);
            for (const action of applicantActionList) {
              // the view's actions are the domain's allowed actions, refusal and all
              assert.equal(v.actions[action].ok, allowed.includes(action), `${action} in ${app.status}`);
              const type = actionEvent[action];
              if (type) {
                const r = applyEvent(app, eventOf(type, app, at, s.days), { kind: 'applicant' }, { at, ids });
                assert.equal(r.ok, v.actions[action].ok, `${action} applies iff allowed, in ${app.status}`);
              }
            }
            // a button is shown enabled iff its action is allowed
            if (v.withdrawal) assert.equal(v.withdrawal.withdraw.ok, v.actions.withdraw.ok);
            if (v.correction) {
              assert.equal(v.correction.correct.ok, v.actions.correct.ok);
              if (v.correction.withdraw) assert.equal(v.correction.withdraw.ok, v.actions.withdraw.ok);
            }
            assert.equal(v.collection?.issueCode?.ok ?? false, v.actions.issueCollectionCode.ok, `2D code in ${app.status}`);
            for (const g of v.payments) {
              if (g.payButton) assert.ok(g.stage === v.paymentStage && (v.actions.pay.ok || v.actions.takeBulkPaymentNumber.ok), `納付 button in ${app.status}`);
              if (g.pay.ok) assert.ok(g.payButton);
            }
            // a stopped application owes nothing and will never be collected
            if (isStopped(app)) {
              assert.ok(v.payments.every((g) => g.state !== 'unpaid' && !g.payButton && (g.state === 'paid' || g.dueOn === null)), `owes in ${app.status}`);
              assert.equal(v.collection, null);
              assert.equal(v.withdrawal, null);
              assert.equal(v.correction, null);
              assert.deepStrictEqual(v.deadlines, []);
              assert.ok(v.applyAgain);
            }
            // every 「!」 comes with a message
            if (v.steps.some((x) => x.mark === 'action')) assert.notEqual(v.message, null, `no message in ${app.status}`);
            // 補正済 exactly as many times as a correction was filed
            assert.equal(v.notices.filter((n) => n.label === '補正（補正済）').length, corrections);

            // move on: an allowed event of some actor, or anything at all
            // (allowed by the precondition, and with this payload accepted: an attachment may already be in)
            const all = kinds.flatMap((kind) => allowedEvents(app, actorOf(kind), at).map((type) => [kind, type] as const)).filter(([kind, type]) => applyEvent(app, eventOf(type, app, at, s.days), actorOf(kind), { at, ids }).ok);
            const onward = all.filter(([, type]) => !stopping.includes(type));
            const options = s.progress && onward.length > 0 ? onward : all;
            const [kind, type] = !s.anything && options.length > 0 ? (options[s.pick % options.length] as (typeof options)[number]) : ([kinds[s.pick % kinds.length], eventTypes[s.pick % eventTypes.length]] as [ActorKind, EventType]);
            const r = applyEvent(app, eventOf(type, app, at, s.days), actorOf(kind), { at, ids });
            if (r.ok) {
              if (type === 'submitCorrection') corrections += 1;
              app = r.value.application;
              visited[procedure].add(app.status);
            }
          }
        },
      ),
      // A fixed seed, so that the coverage check below never depends on luck.
      { numRuns: 600, seed: 20261206 },
    );
  }, 120_000);

  it('the runs above reached every status of both procedures', () => {
    expect([...visited.continuousInspection].sort()).toEqual([...statusesOf('continuousInspection')].sort());
    expect([...visited.newVehicle].sort()).toEqual([...statusesOf('newVehicle')].sort());
  });
});
