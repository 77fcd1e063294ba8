import { sql, type Selectable } from 'kysely';
import type { AccountTokenRecord, AccountTokenScope, FeedCursor, FeedRow } from '../domain/account-api.js';
import type { Application } from '../domain/application.js';
import { historyEntryOf } from './history.repository.js';
import { fromRows } from './applications.repository.js';
import type { Executor } from './database.js';
import type { AccountApiTokensTable, AttachmentsTable, NoticesTable, PaymentLinesTable } from './schema.js';

const toToken = (r: Selectable<AccountApiTokensTable>): AccountTokenRecord => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  scopes: r.scopes.split(',') as AccountTokenScope[],
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
  lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
});

/** Statements take at most this many values in one `in (…)` (PostgreSQL's and SQLite's limits are far above). */
const IN_CHUNK = 500;
const chunks = <T>(items: readonly T[]) => Array.from({ length: Math.ceil(items.length / IN_CHUNK) }, (_, i) => items.slice(i * IN_CHUNK, (i + 1) * IN_CHUNK));

/** The 一括申請 API's reads and its tokens (issue 17). */
export function accountApiRepository(db: Executor, dialect: 'sqlite' | 'postgres') {
  return {
    async insertToken(t: AccountTokenRecord, tokenHash: string): Promise<void> {
      await db
        .insertInto('account_api_tokens')
        .values({
          id: t.id,
          account_id: t.accountId,
          token_hash: tokenHash,
          name: t.name,
          scopes: t.scopes.join(','),
          created_at: t.createdAt.toISOString(),
          expires_at: t.expiresAt.toISOString(),
          revoked_at: null,
          last_used_at: null,
        })
        .execute();
    },

    async tokenByHash(tokenHash: string): Promise<AccountTokenRecord | null> {
      const r = await db.selectFrom('account_api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return r ? toToken(r) : null;
    },

    async tokens(accountId: string): Promise<AccountTokenRecord[]> {
      const rows = await db.selectFrom('account_api_tokens').selectAll().where('account_id', '=', accountId).orderBy('created_at', 'desc').orderBy('id').execute();
      return rows.map(toToken);
    },

    async revokeToken(accountId: string, id: string, at: Date): Promise<boolean> {
      const r = await db.updateTable('account_api_tokens').set({ revoked_at: at.toISOString() }).where('id', '=', id).where('account_id', '=', accountId).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Records a use; at most once a minute per token, so that reads do not all become writes. */
    async touchToken(id: string, at: Date): Promise<void> {
      const before = new Date(at.getTime() - 60_000).toISOString();
      await db
        .updateTable('account_api_tokens')
        .set({ last_used_at: at.toISOString() })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', before)]))
        .execute();
    },

    /**
     * The account's changes after the cursor, in feed order. PostgreSQL: only rows of transactions
     * older than every transaction still running, so that one that commits late is never passed by.
     */
    async changes(accountId: string, after: FeedCursor, limit: number): Promise<FeedRow[]> {
      let q = db
        .selectFrom('status_history as h')
        .innerJoin('account_applications as aa', (j) => j.onRef('aa.application_id', '=', 'h.application_id').on('aa.account_id', '=', accountId))
        .innerJoin('applications as a', 'a.id', 'h.application_id')
        .select(['h.feed_position', 'h.application_id', 'h.seq', 'h.event', 'h.from_status', 'h.to_status', 'h.actor_kind', 'h.actor_id', 'h.actor_label', 'h.reason', 'h.details', 'h.occurred_at', 'a.arrival_number', 'a.receipt_number'])
        .where(sql<boolean>`(h.feed_position, h.application_id, h.seq) > (${after.position}, ${after.applicationId}, ${after.seq})`);
      if (dialect === 'postgres') q = q.where(sql<boolean>`h.feed_position < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`);
      const rows = await q.orderBy('h.feed_position').orderBy('h.application_id').orderBy('h.seq').limit(limit).execute();
      return rows.map((r) => ({
        cursor: { position: Number(r.feed_position), applicationId: r.application_id, seq: r.seq },
        arrivalNumber: r.arrival_number,
        receiptNumber: r.receipt_number,
        entry: historyEntryOf(r),
      }));
    },

    /** Which of these 受付番号/到達番号 name the account's applications: number → application id. */
    async ownedByNumbers(accountId: string, numbers: readonly string[]): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      for (const part of chunks(numbers)) {
        const rows = await db
          .selectFrom('applications as a')
          .innerJoin('account_applications as aa', (j) => j.onRef('aa.application_id', '=', 'a.id').on('aa.account_id', '=', accountId))
          .select(['a.id', 'a.arrival_number', 'a.receipt_number'])
          .where((eb) => eb.or([eb('a.arrival_number', 'in', part), eb('a.receipt_number', 'in', part)]))
          .execute();
        for (const r of rows) {
          found.set(r.arrival_number, r.id);
          if (r.receipt_number) found.set(r.receipt_number, r.id);
        }
      }
      return found;
    },

    /** Many applications with their parts, four statements per 500. */
    async loadMany(ids: readonly string[]): Promise<Map<string, Application>> {
      const apps = new Map<string, Application>();
      for (const part of chunks(ids)) {
        const [rows, attachments, lines, notices] = await Promise.all([
          db.selectFrom('applications').selectAll().where('id', 'in', part).execute(),
          db.selectFrom('attachments').selectAll().where('application_id', 'in', part).execute(),
          db.selectFrom('payment_lines').selectAll().where('application_id', 'in', part).execute(),
          db.selectFrom('notices').selectAll().where('application_id', 'in', part).execute(),
        ]);
        const by = <R extends { application_id: string }>(list: R[]) => {
          const m = new Map<string, R[]>();
          for (const r of list) m.set(r.application_id, [...(m.get(r.application_id) ?? []), r]);
          return m;
        };
        const a = by<Selectable<AttachmentsTable>>(attachments);
        const l = by<Selectable<PaymentLinesTable>>(lines);
        const n = by<Selectable<NoticesTable>>(notices);
        for (const row of rows) apps.set(row.id, fromRows(row, a.get(row.id) ?? [], l.get(row.id) ?? [], n.get(row.id) ?? []));
      }
      return apps;
    },
  };
}
