import { actorId, actorLabel } from '../domain/actors.js';
import type { HistoryDraft } from '../domain/events.js';
import type { HistoryEntry } from '../domain/history.js';
import type { StatusCode } from '../domain/statuses.js';
import type { Executor } from './database.js';

/** The append-only history of an application. `seq` is the version the event produced. */
export function historyRepository(db: Executor) {
  return {
    async append(applicationId: string, seq: number, draft: HistoryDraft, id: string): Promise<void> {
      await db
        .insertInto('status_history')
        .values({
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
        })
        .execute();
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
