import { sql } from 'kysely';
import type { OfficeCode } from '../domain/offices.js';
import type { ProcedureCode } from '../domain/procedures.js';
import type { ReceiptNumber } from '../domain/receipt-number.js';
import type { StatusCode } from '../domain/statuses.js';
import type { WorkListSearch } from '../domain/work-queue.js';
import type { ApplicationListRow } from './application-list-row.js';
import type { Executor } from './database.js';

export interface WorkListQuery {
  readonly officeCode: OfficeCode;
  /** The statuses to list (never empty: the office's index is (office_code, status, deadline_at)). */
  readonly statuses: readonly StatusCode[];
  readonly procedure: ProcedureCode | null;
  /** Only applications whose running deadline passes before this instant (deadline_at < value). */
  readonly deadlineBefore: Date | null;
  /** 受付番号（到達番号）, 車両番号 or 車台番号 typed in the search box. */
  readonly search?: WorkListSearch | null | undefined;
  /** Statuses listed first (the office must act), oldest arrival first; the rest by deadline. */
  readonly officeFirst?: readonly StatusCode[] | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** One row of the staff work list: enough to choose what to open, nothing more. */
export type WorkListRow = ApplicationListRow & { readonly applicantName: string; readonly correctionDeadline: string | null };

/**
 * The office's work list, through applications_office_status_idx (office_code, status, deadline_at):
 * equality on the office, a list of statuses; the statuses the office must act on first (oldest
 * arrival first), then the rest by deadline soonest first (no deadline last), the longest waiting first.
 */
export function workListRepository(db: Executor) {
  function filtered(q: WorkListQuery) {
    let query = db.selectFrom('applications').where('office_code', '=', q.officeCode).where('status', 'in', [...q.statuses]);
    if (q.procedure) query = query.where('procedure', '=', q.procedure);
    if (q.deadlineBefore) query = query.where('deadline_at', 'is not', null).where('deadline_at', '<', q.deadlineBefore.toISOString());
    const s = q.search;
    if (s?.kind === 'number') query = query.where((eb) => eb.or([eb('arrival_number', '=', s.number), eb('receipt_number', '=', s.number), eb('chassis_number', '=', s.chassisNumber)]));
    if (s?.kind === 'vehicleNumber') query = query.where('vehicle_number', '=', s.vehicleNumber);
    if (s?.kind === 'chassisNumber') query = query.where('chassis_number', '=', s.chassisNumber);
    return query;
  }

  /** 0, 1, … for the statuses the office must act on, in their order; then one more for the rest. */
  function officeRank(first: readonly StatusCode[]) {
    const cases = first.map((status, i) => sql`when ${status} then ${sql.lit(i)}`);
    return sql<number>`case status ${sql.join(cases, sql` `)} else ${sql.lit(first.length)} end`;
  }

  return {
    async page(q: WorkListQuery): Promise<WorkListRow[]> {
      const rows = await filtered(q)
        .select([
          'id',
          'procedure',
          'arrival_number',
          'receipt_number',
          'status',
          'status_changed_at',
          'filed_at',
          'applicant_name',
          'user_name',
          'vehicle_number',
          'chassis_number',
          'deadline_at',
          'correction_deadline',
        ])
        // What the office must act on first, oldest arrival first (the CASE is null for the rest,
        // so it orders nothing among them: within one rank every value is null or none is).
        .$if(Boolean(q.officeFirst?.length), (b) =>
          b.orderBy(officeRank(q.officeFirst!)).orderBy(sql`case when status in (${sql.join([...q.officeFirst!])}) then filed_at end`),
        )
        // Portable "nulls last": false (0) sorts before true (1) on both databases.
        .orderBy(sql`deadline_at is null`)
        .orderBy('deadline_at')
        .orderBy('status_changed_at')
        .orderBy('id')
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        procedure: r.procedure as ProcedureCode,
        arrivalNumber: r.arrival_number as ReceiptNumber,
        receiptNumber: r.receipt_number as ReceiptNumber | null,
        status: r.status as StatusCode,
        statusChangedAt: new Date(r.status_changed_at),
        filedAt: new Date(r.filed_at),
        applicantName: r.applicant_name,
        userName: r.user_name,
        vehicleNumber: r.vehicle_number,
        chassisNumber: r.chassis_number,
        deadlineAt: r.deadline_at ? new Date(r.deadline_at) : null,
        correctionDeadline: r.correction_deadline,
      }));
    },

    /** How many applications in `statuses` there are for each of these 車台番号 (all offices). */
    async countByChassis(chassisNumbers: readonly string[], statuses: readonly StatusCode[]): Promise<Map<string, number>> {
      if (chassisNumbers.length === 0) return new Map();
      const rows = await db
        .selectFrom('applications')
        .select(['chassis_number', (eb) => eb.fn.countAll().as('n')])
        .where('chassis_number', 'in', [...new Set(chassisNumbers)])
        .where('status', 'in', [...statuses])
        .groupBy('chassis_number')
        .execute();
      return new Map(rows.map((r) => [r.chassis_number, Number(r.n)]));
    },

    async count(q: Omit<WorkListQuery, 'limit' | 'offset'>): Promise<number> {
      const row = await filtered({ ...q, limit: 0, offset: 0 })
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
