import type { StatusHistoryTable } from './schema.js';
import { actorId, actorLabel } from '../domain/actors.js';
import type { HistoryDraft } from '../domain/events.js';
import type { HistoryEntry } from '../domain/history.js';
import type { StatusCode } from '../domain/statuses.js';
import { sql } from 'kysely';
import type { Executor } from './database.js';

/** One stored history row as 申請状況の履歴 shows it (the application's history and the changes feed alike). */
export function historyEntryOf(r: Pick<StatusHistoryTable, 'seq' | 'event' | 'from_status' | 'to_status' | 'actor_kind' | 'actor_id' | 'actor_label' | 'reason' | 'details' | 'occurred_at'>): HistoryEntry {
  return {
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
  };
}

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

/** Rows per multi-value insert (13 parameters each: well under both databases' limits). */
const INSERT_CHUNK = 500;

/**
 * Where new history rows stand in the changes feed (decision 0011). SQLite: one writer holds the lock
 * from its first write to its commit, so the next numbers after the largest, taken inside the writing
 * transaction, are commit order. PostgreSQL: the id of the writing transaction; the feed hands a row
 * out only once every older transaction has ended.
 */
async function feedPositions(db: Executor, dialect: 'sqlite' | 'postgres', count: number) {
  if (dialect === 'postgres') return Array.from({ length: count }, () => sql<string>`pg_current_xact_id()::text::bigint`);
  const { last } = await db
    .selectFrom('status_history')
    .select((eb) => eb.fn.coalesce(eb.fn.max('feed_position'), sql<number>`0`).as('last'))
    .executeTakeFirstOrThrow();
  return Array.from({ length: count }, (_, i) => Number(last) + 1 + i);
}

/**
 * PostgreSQL: the rows in ONE `INSERT … SELECT FROM unnest(one array a column)`, in the order given
 * (`with ordinality`), each at the transaction's feed position: thirteen parameters however many
 * rows, instead of a multi-row VALUES of thirteen a row compiled by Kysely (docs/benchmarks.md, round seven).
 */
async function appendManyPostgres(db: Executor, rows: readonly HistoryRow[]): Promise<void> {
  const all = rows.map(rowOf);
  const column = <K extends keyof ReturnType<typeof rowOf>>(k: K) => all.map((r) => r[k]);
  await sql`
    insert into status_history (id, application_id, seq, event, from_status, to_status, actor_kind, actor_id, actor_label, reason, details, occurred_at, feed_position)
    select id, application_id, seq, event, from_status, to_status, actor_kind, actor_id, actor_label, reason, details, occurred_at, pg_current_xact_id()::text::bigint
    from unnest(${column('id')}::text[], ${column('application_id')}::text[], ${column('seq')}::int4[], ${column('event')}::text[], ${column('from_status')}::text[],
      ${column('to_status')}::text[], ${column('actor_kind')}::text[], ${column('actor_id')}::text[], ${column('actor_label')}::text[], ${column('reason')}::text[],
      ${column('details')}::text[], ${column('occurred_at')}::text[])
      with ordinality as r(id, application_id, seq, event, from_status, to_status, actor_kind, actor_id, actor_label, reason, details, occurred_at, n)
    order by n`.execute(db);
}

export function historyRepository(db: Executor, dialect: 'sqlite' | 'postgres') {
  return {
    async append(applicationId: string, seq: number, draft: HistoryDraft, id: string): Promise<void> {
      const [position] = await feedPositions(db, dialect, 1);
      await db.insertInto('status_history').values({ ...rowOf({ applicationId, seq, draft, id }), feed_position: position! }).execute();
    },

    /** Many rows in a few statements (a use case that moves many applications in one transaction), in the order given. */
    async appendMany(rows: readonly HistoryRow[]): Promise<void> {
      if (dialect === 'postgres') {
        if (rows.length > 0) await appendManyPostgres(db, rows);
        return;
      }
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        const chunk = rows.slice(i, i + INSERT_CHUNK);
        const positions = await feedPositions(db, dialect, chunk.length);
        await db
          .insertInto('status_history')
          .values(chunk.map((r, j) => ({ ...rowOf(r), feed_position: positions[j]! })))
          .execute();
      }
    },

    async list(applicationId: string): Promise<HistoryEntry[]> {
      const rows = await db.selectFrom('status_history').selectAll().where('application_id', '=', applicationId).orderBy('seq').execute();
      return rows.map(historyEntryOf);
    },
  };
}
