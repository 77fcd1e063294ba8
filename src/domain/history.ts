import { correctableFields, type FieldChange } from './corrections.js';
import type { StatusCode } from './statuses.js';

/** One entry of 申請状況の履歴: an event that moved (or touched) an application, as recorded. `seq` is the version it produced. */
export interface HistoryEntry {
  readonly seq: number;
  readonly event: string;
  readonly fromStatus: StatusCode | null;
  readonly toStatus: StatusCode;
  readonly actorKind: string;
  readonly actorId: string | null;
  readonly actorLabel: string;
  readonly reason: string | null;
  readonly details: Record<string, unknown>;
  readonly occurredAt: Date;
}

/** The fields a 補正申請 changed (before → after), as recorded with it; none for any other entry. */
export function correctionChangesOf(entry: HistoryEntry): FieldChange[] {
  const changes = entry.details.changes;
  if (entry.event !== 'submitCorrection' || !Array.isArray(changes)) return [];
  return (changes as FieldChange[]).filter((c) => Object.hasOwn(correctableFields, c.field));
}

/** When the 2D code was last issued (発行日時 on its page), from the history. */
export function lastCollectionCodeIssuedAt(history: readonly HistoryEntry[]): Date | null {
  return [...history].reverse().find((h) => h.event === 'issueCollectionCode')?.occurredAt ?? null;
}
