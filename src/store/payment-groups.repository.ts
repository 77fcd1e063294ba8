import type { Selectable } from 'kysely';
import type { OpenGroupSummary, PaymentGroup, PaymentGroupMember, PaymentGroupStatus } from '../domain/payment-groups.js';
import type { ReceiptNumber } from '../domain/receipt-number.js';
import type { PaymentStage } from '../domain/statuses.js';
import { deadlinePassesAt, type JapanDate } from '../domain/time.js';
import type { Executor } from './database.js';
import type { PaymentGroupMembersTable, PaymentGroupsTable } from './schema.js';

function fromRows(row: Selectable<PaymentGroupsTable>, members: Selectable<PaymentGroupMembersTable>[]): PaymentGroup {
  return {
    id: row.id,
    accountId: row.account_id,
    collector: {
      key: `${row.stage}:${row.collector_number}`,
      stage: row.stage as PaymentStage,
      collectorNumber: row.collector_number,
      payeeName: row.payee_name,
      payeeKana: row.payee_kana,
    },
    paymentNumber: row.payment_number,
    confirmationNumber: row.confirmation_number,
    total: Number(row.total),
    dueOn: row.due_on as JapanDate,
    status: row.status as PaymentGroupStatus,
    createdAt: new Date(row.created_at),
    paidOn: row.paid_on as JapanDate | null,
    closedAt: row.closed_at ? new Date(row.closed_at) : null,
    members: [...members]
      .sort((a, b) => a.position - b.position)
      .map(
        (m): PaymentGroupMember => ({
          applicationId: m.application_id,
          number: m.receipt_number as ReceiptNumber,
          lineIds: JSON.parse(m.line_ids) as string[],
          amount: Number(m.amount),
          dueOn: m.due_on as JapanDate,
        }),
      ),
  };
}

/** Rows per multi-value insert (well under SQLite's 32,766 parameters). */
const INSERT_CHUNK = 500;

/** まとめ納付 groups and their members. */
export function paymentGroupRepository(db: Executor, dialect: 'sqlite' | 'postgres') {
  async function loadWhere(column: 'id' | 'payment_number', value: string, lock: boolean): Promise<PaymentGroup | null> {
    let query = db.selectFrom('payment_groups').selectAll().where(column, '=', value);
    if (lock && dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) return null;
    const members = await db.selectFrom('payment_group_members').selectAll().where('group_id', '=', row.id).execute();
    return fromRows(row, members);
  }

  return {
    async insert(group: PaymentGroup): Promise<void> {
      await db
        .insertInto('payment_groups')
        .values({
          id: group.id,
          account_id: group.accountId,
          payment_number: group.paymentNumber,
          confirmation_number: group.confirmationNumber,
          stage: group.collector.stage,
          collector_number: group.collector.collectorNumber,
          payee_name: group.collector.payeeName,
          payee_kana: group.collector.payeeKana,
          total: group.total,
          due_on: group.dueOn,
          deadline_at: deadlinePassesAt(group.dueOn).toISOString(),
          status: group.status,
          created_at: group.createdAt.toISOString(),
          paid_on: group.paidOn,
          closed_at: group.closedAt?.toISOString() ?? null,
        })
        .execute();
      const rows = group.members.map((m, position) => ({
        group_id: group.id,
        application_id: m.applicationId,
        position,
        receipt_number: m.number,
        line_ids: JSON.stringify(m.lineIds),
        amount: m.amount,
        due_on: m.dueOn,
      }));
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db.insertInto('payment_group_members').values(rows.slice(i, i + INSERT_CHUNK)).execute();
    },

    load: (id: string) => loadWhere('id', id, false),
    /** Inside a transaction: locked until commit on PostgreSQL (SQLite has one writer). */
    loadForUpdate: (id: string) => loadWhere('id', id, true),
    loadByPaymentNumberForUpdate: (paymentNumber: string) => loadWhere('payment_number', paymentNumber, true),

    /** Writes the new status if it is still `from` (a concurrent cancel and payment: one wins). */
    async close(group: PaymentGroup, from: PaymentGroupStatus): Promise<boolean> {
      const result = await db
        .updateTable('payment_groups')
        .set({ status: group.status, paid_on: group.paidOn, closed_at: group.closedAt?.toISOString() ?? null })
        .where('id', '=', group.id)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** The account's groups, newest first. */
    async listForAccount(accountId: string, limit: number): Promise<PaymentGroup[]> {
      const rows = await db.selectFrom('payment_groups').selectAll().where('account_id', '=', accountId).orderBy('created_at', 'desc').orderBy('id').limit(limit).execute();
      if (rows.length === 0) return [];
      const members = await db
        .selectFrom('payment_group_members')
        .selectAll()
        .where(
          'group_id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.map((r) => fromRows(r, members.filter((m) => m.group_id === r.id)));
    },

    /**
     * The account's applications in one of `statuses` (まとめ払い中) with an unpaid line still without
     * a number: the candidates of 納付対象の選択, oldest first.
     */
    async candidates(accountId: string, statuses: readonly string[]): Promise<string[]> {
      const rows = await db
        .selectFrom('account_applications as aa')
        .innerJoin('applications as a', 'a.id', 'aa.application_id')
        .select(['a.id', 'a.filed_at'])
        .where('aa.account_id', '=', accountId)
        .where('a.status', 'in', [...statuses])
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('payment_lines as pl')
              .select('pl.id')
              .whereRef('pl.application_id', '=', 'a.id')
              .where('pl.status', '=', 'unpaid')
              .where('pl.payment_number', 'is', null),
          ),
        )
        .orderBy('a.filed_at')
        .orderBy('a.id')
        .execute();
      return rows.map((r) => r.id);
    },

    /** Whether the application is in any 利用者ID's list (まとめ納付 means something only then). */
    async heldByAccount(applicationId: string): Promise<boolean> {
      const row = await db.selectFrom('account_applications').select('account_id').where('application_id', '=', applicationId).limit(1).executeTakeFirst();
      return row !== undefined;
    },

    /** The open group holding this application's lines, if any: its number, total, 納付期限 and how many applications it holds. */
    async openGroupOf(applicationId: string): Promise<OpenGroupSummary | null> {
      const row = await db
        .selectFrom('payment_group_members as m')
        .innerJoin('payment_groups as g', 'g.id', 'm.group_id')
        .select((eb) => [
          'g.id',
          'g.payment_number',
          'g.total',
          'g.due_on',
          eb.selectFrom('payment_group_members as all').select((e) => e.fn.countAll().as('n')).whereRef('all.group_id', '=', 'g.id').as('members'),
        ])
        .where('m.application_id', '=', applicationId)
        .where('g.status', '=', 'open')
        .executeTakeFirst();
      return row ? { id: row.id, paymentNumber: row.payment_number, total: Number(row.total), dueOn: row.due_on as JapanDate, members: Number(row.members) } : null;
    },

    /** Ids of open groups whose 納付期限 has passed, soonest first. */
    async overdue(now: Date, limit: number): Promise<string[]> {
      const rows = await db.selectFrom('payment_groups').select('id').where('status', '=', 'open').where('deadline_at', '<=', now.toISOString()).orderBy('deadline_at').limit(limit).execute();
      return rows.map((r) => r.id);
    },
  };
}
