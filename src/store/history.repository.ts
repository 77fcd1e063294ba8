import { actorId, actorLabel } from '../domain/actors.js';
import type { HistoryDraft } from '../domain/events.js';
import type { HistoryEntry } from '../domain/history.js';
import type { StatusCode } from '../domain/statuses.js';
import type { Executor } from './database.js';

/** The append-only history of an application. `seq` is the version the event produced. */
/** One history row to write: the application, the version its event produced, the draft, the row's id. */
export interface HistoryRow {
  readonly applicationId: string;
  readonly seq: number;
  readonly draft: HistoryDraft;
  readonly id: string;
}

function rowOf({ applicationId, seq, draft, id }: HistoryRow) {
  return {
    id,
    application_id: applicationId,
    seq,
    event: draft.event,
    from_status: draft.fromStatus,
    to_status: draft.toStatus,
    actor_kind: draft.actor.kind,
    actor_id: actorId(draft.actor),
    actor_label: actorLabel(draft.actor),
    reason: draft.reason,
    details: JSON.stringify(draft.details),
    occurred_at: draft.occurredAt.toISOString(),
  };
}

/** Rows per multi-value insert (12 parameters each: well under both databases' limits). */
const INSERT_CHUNK = 500;

export function historyRepository(db: Executor) {
  return {
    async append(applicationId: string, seq: number, draft: HistoryDraft, id: string): Promise<void> {
      await db.insertInto('status_history').values(rowOf({ applicationId, seq, draft, id })).execute();
    },

    /** Many rows in a few statements (a use case that moves many applications in one transaction). */
    async appendMany(rows: readonly HistoryRow[]): Promise<void> {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db.insertInto('status_history').values(rows.slice(i, i + INSERT_CHUNK).map(rowOf)).execute();
    },

    async list(applicationId: string): Promise<HistoryEntry[]> {
      const rows = await db.selectFrom('status_history').selectAll().where('application_id', '=', applicationId).orderBy('seq').execute();
      return rows.map((r) => ({
        seq: r.seq,
        event: r.event,
        fromStatus: r.from_status as StatusCode | null,
        toStatus: r.to_status as StatusCode,
        actorKind: r.actor_kind,
        actorId: r.actor_id,
        actorLabel: r.actor_label,
        reason: r.reason,
        details: JSON.parse(r.details) as Record<string, unknown>,
        occurredAt: new Date(r.occurred_at),
      }));
    },
  };
}
