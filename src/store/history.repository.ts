import { actorId, actorLabel } from '../domain/actors.js';
import type { HistoryDraft } from '../domain/events.js';
import type { HistoryEntry } from '../domain/history.js';
import type { StatusCode } from '../domain/statuses.js';
import { sql } from 'kysely';
import type { Executor } from './database.js';

/**
 * Where a new history row stands in the changes feed (decision 0011). SQLite: one writer holds the
 * lock from this insert to its commit, so max + 1 taken here is commit order. PostgreSQL: the id of
 * the writing transaction; the feed hands a row out only once every older transaction has ended.
 */
function feedPosition(dialect: 'sqlite' | 'postgres') {
  return dialect === 'postgres' ? sql<string>`pg_current_xact_id()::text::bigint` : sql<number>`(select coalesce(max(feed_position), 0) + 1 from status_history)`;
}

/** The append-only history of an application. `seq` is the version the event produced. */
export function historyRepository(db: Executor, dialect: 'sqlite' | 'postgres') {
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
          feed_position: feedPosition(dialect),
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
