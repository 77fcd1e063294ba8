import type { FeedRow } from '../../../domain/account-api.js';
import { discloseDetails, disclosureFor } from '../../../domain/disclosure.js';
import type { Application } from '../../../domain/application.js';
import { eventLabels } from '../../../domain/events.js';
import type { HistoryEntry } from '../../../domain/history.js';
import { inspectionOffices } from '../../../domain/offices.js';
import { procedures } from '../../../domain/procedures.js';
import type { Result } from '../../../domain/result.js';
import { paymentStateLabels, statusView } from '../../../domain/status-view.js';
import { isStatusCode, statuses } from '../../../domain/statuses.js';
import { stageLabel } from '../../../domain/events.js';

const allowed = (r: Result<true>) => (r.ok ? { allowed: true as const } : { allowed: false as const, reason: r.refusal.message });
const stepMarkLabels = { done: '済', action: '!', pending: '未' } as const;

/** An application as its 利用者ID reads it: the domain's status view, as JSON (what the portal page shows). */
export function applicationStatusView(app: Application, now: Date) {
  const view = statusView(app, now);
  return {
    arrivalNumber: app.arrivalNumber,
    receiptNumber: app.receiptNumber,
    procedure: app.procedure,
    procedureLabel: procedures[app.procedure].fullLabel,
    officeCode: app.officeCode,
    officeName: inspectionOffices[app.officeCode].name,
    chassisNumber: app.vehicle.chassisNumber,
    vehicleNumber: app.vehicle.vehicleNumber,
    userName: app.user.name,
    filedAt: app.filedAt.toISOString(),
    status: view.status,
    statusLabel: view.statusLabel,
    statusChangedAt: app.statusChangedAt.toISOString(),
    closed: view.closed,
    steps: view.steps.map((s) => ({ label: s.label, mark: s.mark, markLabel: stepMarkLabels[s.mark] })),
    message: view.message?.text ?? null,
    deadlines: view.deadlines.map((d) => ({ kind: d.kind, label: d.label, date: d.date, what: d.what })),
    reminders: view.reminders.map((r) => ({ kind: r.kind, date: r.date, daysLeft: r.daysLeft, message: r.message })),
    payments: view.payments.map((g) => ({
      stage: g.stage,
      stageLabel: stageLabel(g.stage),
      state: g.state,
      stateLabel: paymentStateLabels[g.state],
      collectorNumber: g.collectorNumber,
      paymentNumber: g.paymentNumber,
      confirmationNumber: g.confirmationNumber,
      paymentCategory: g.paymentCategory,
      total: g.total,
      dueOn: g.dueOn,
      paidOn: g.paidOn,
      lines: g.lines.map((l) => ({ feeKind: l.feeKind, feeClass: l.feeClass, amount: l.amount, payeeName: l.payeeName })),
    })),
    notices: view.notices.map((n) => ({ kind: n.notice.kind, label: n.label, outcome: n.outcome, agencyName: n.notice.agencyName, deadline: n.notice.deadline, reasonTitle: n.notice.reasonTitle, reasonDetail: n.notice.reasonDetail, issuedAt: n.notice.issuedAt.toISOString() })),
    actions: Object.fromEntries(Object.entries(view.actions).map(([k, r]) => [k, allowed(r)])),
    version: app.version,
  };
}

/** One change of the feed. The history's details as the applicant may read them. */
export function changeView(row: FeedRow) {
  const h: HistoryEntry = row.entry;
  return {
    arrivalNumber: row.arrivalNumber,
    receiptNumber: row.receiptNumber,
    seq: h.seq,
    event: h.event,
    eventLabel: (eventLabels as Record<string, string>)[h.event] ?? h.event,
    fromStatus: h.fromStatus,
    toStatus: h.toStatus,
    toStatusLabel: isStatusCode(h.toStatus) ? statuses[h.toStatus].label : h.toStatus,
    actor: { kind: h.actorKind, label: h.actorLabel },
    reason: h.reason,
    details: discloseDetails(h.details, disclosureFor('applicant')),
    occurredAt: h.occurredAt.toISOString(),
  };
}
