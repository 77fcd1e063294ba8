/** One line of the audit trail (who did what, when, from where, to which application). */
export interface AuditRecord {
  readonly id: string;
  readonly occurredAt: Date;
  readonly action: string;
  readonly actorKind: string;
  readonly actorId: string | null;
  readonly actorLabel: string;
  readonly clientAddress: string | null;
  readonly applicationId: string | null;
  readonly receiptNumber: string | null;
  readonly detail: string | null;
}
