import type { Static } from '@fastify/type-provider-typebox';
import type { Application, Party } from '../../domain/application.js';
import { discloseDetails, discloseParty, disclosureFor } from '../../domain/disclosure.js';
import { allowedEvents, eventLabels } from '../../domain/events.js';
import { inspectionOffices } from '../../domain/offices.js';
import { attachmentKinds, attachmentStates, procedures } from '../../domain/procedures.js';
import { currentDeadline } from '../../domain/rules.js';
import { statusView } from '../../domain/status-view.js';
import { isStatusCode, statuses } from '../../domain/statuses.js';
import { tokenActor, type ApiTokenRecord } from '../../services/api-tokens.js';
import type { HistoryEntry } from '../../domain/history.js';
import type { ApplicationView, HistoryEntryView } from './schemas.js';

/** The events this token may post to the application now, as the domain decides (role, office, status, deadlines). */
export function availableEvents(app: Application, token: ApiTokenRecord, now: Date): string[] {
  return allowedEvents(app, tokenActor(token), now);
}

/**
 * An application as the agencies read it. Addresses go only to the offices that examine the
 * application; the payment network and attachment sources do not need them (the domain's
 * disclosure, applied to the history too: historyView).
 */
export function applicationView(app: Application, token: ApiTokenRecord, now: Date): Static<typeof ApplicationView> {
  const disclosure = disclosureFor(token.role);
  // 納付状況 as the applicant sees it: a stopped application's unpaid lines are no longer needed.
  const view = statusView(app, now);
  const lineState = new Map(view.payments.flatMap((g) => g.lines.map((l) => [l.id, g.state] as const)));
  const party = (p: Party) => discloseParty(p, disclosure);
  return {
    id: app.id,
    procedure: app.procedure,
    procedureLabel: procedures[app.procedure].fullLabel,
    arrivalNumber: app.arrivalNumber,
    receiptNumber: app.receiptNumber,
    status: app.status,
    statusLabel: statuses[app.status].label,
    statusChangedAt: app.statusChangedAt.toISOString(),
    filedAt: app.filedAt.toISOString(),
    officeCode: app.officeCode,
    officeName: inspectionOffices[app.officeCode].name,
    version: app.version,
    applicant: party(app.applicant),
    user: party(app.user),
    owner: app.owner ? party(app.owner) : null,
    vehicle: {
      vehicleNumber: app.vehicle.vehicleNumber,
      chassisNumber: app.vehicle.chassisNumber,
      model: app.vehicle.model,
      weightTaxBand: app.vehicle.weightTaxBand,
      acquisitionPrice: app.vehicle.acquisitionPrice,
      environmentalTaxRate: app.vehicle.environmentalTaxRate,
    },
    recordingAgent: app.recordingAgent ? { ...app.recordingAgent } : null,
    partialDocumentExamination: app.partialDocumentExamination,
    examinationCompletedOn: app.examinationCompletedOn,
    deadline: currentDeadline(app),
    attachments: app.attachments.map((a) => ({ kind: a.kind, label: attachmentKinds[a.kind], state: a.state, stateLabel: attachmentStates[a.state] })),
    paymentLines: app.paymentLines.map((l) => ({
      stage: l.stage,
      feeKind: l.feeKind,
      feeClass: l.feeClass,
      amount: l.amount,
      payeeName: l.payeeName,
      payeeKana: l.payeeKana,
      collectorNumber: l.collectorNumber,
      paymentNumber: l.paymentNumber,
      confirmationNumber: l.confirmationNumber,
      paymentCategory: l.paymentCategory,
      status: lineState.get(l.id) ?? l.status,
      paidOn: l.paidOn,
      dueOn: l.dueOn,
    })),
    // In the order they were issued (the page shows them newest first).
    notices: [...view.notices].reverse().map(({ notice: n, label, outcome }) => ({
      kind: n.kind,
      kindLabel: label,
      outcome,
      agencyName: n.agencyName,
      deadline: n.deadline,
      reasonTitle: n.reasonTitle,
      reasonDetail: n.reasonDetail,
      issuedAt: n.issuedAt.toISOString(),
      resolvedAt: n.resolvedAt ? n.resolvedAt.toISOString() : null,
    })),
    collectionCodeSerial: app.collectionCodeSerial,
    availableEvents: availableEvents(app, token, now),
  };
}

export function historyView(h: HistoryEntry, token: ApiTokenRecord): Static<typeof HistoryEntryView> {
  return {
    seq: h.seq,
    event: h.event,
    eventLabel: (eventLabels as Record<string, string>)[h.event] ?? h.event,
    fromStatus: h.fromStatus,
    toStatus: h.toStatus,
    toStatusLabel: isStatusCode(h.toStatus) ? statuses[h.toStatus].label : h.toStatus,
    actor: { kind: h.actorKind, id: h.actorId, label: h.actorLabel },
    reason: h.reason,
    details: discloseDetails(h.details, disclosureFor(token.role)),
    occurredAt: h.occurredAt.toISOString(),
  };
}
