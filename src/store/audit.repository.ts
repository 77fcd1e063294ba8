import type { AuditRecord } from '../domain/audit.js';
import type { Executor } from './database.js';

/** The audit trail: append and read only (no update, no delete anywhere in the code). */
export function auditRepository(db: Executor) {
  return {
    /** Lines in the order given, 500 a statement. */
    async appendMany(records: readonly AuditRecord[]): Promise<void> {
      for (let i = 0; i < records.length; i += 500) {
        await db
          .insertInto('audit_log')
          .values(
            records.slice(i, i + 500).map((r) => ({
              id: r.id,
              occurred_at: r.occurredAt.toISOString(),
              action: r.action,
              actor_kind: r.actorKind,
              actor_id: r.actorId,
              actor_label: r.actorLabel,
              client_address: r.clientAddress,
              application_id: r.applicationId,
              receipt_number: r.receiptNumber,
              detail: r.detail,
            })),
          )
          .execute();
      }
    },

    /** Lines in [from, to), oldest first, at most `limit` (one more tells the caller there are more). */
    async between(from: Date, to: Date, limit: number): Promise<AuditRecord[]> {
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('occurred_at', '>=', from.toISOString())
        .where('occurred_at', '<', to.toISOString())
        .orderBy('occurred_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        occurredAt: new Date(r.occurred_at),
        action: r.action,
        actorKind: r.actor_kind,
        actorId: r.actor_id,
        actorLabel: r.actor_label,
        clientAddress: r.client_address,
        applicationId: r.application_id,
        receiptNumber: r.receipt_number,
        detail: r.detail,
      }));
    },
  };
}
