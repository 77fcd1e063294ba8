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
