import { displayNumber } from '../domain/application.js';
import type { OfficeCode } from '../domain/offices.js';
import type { ProcedureCode } from '../domain/procedures.js';
import type { ReceiptNumber } from '../domain/receipt-number.js';
import { statusCodes, statuses, statusesOf, type StatusCode, type StatusDefinition } from '../domain/statuses.js';
import { addDays, deadlinePassesAt, japanDateOf, type JapanDate } from '../domain/time.js';
import { officeActionOrder, needsOfficeAction, type WorkListSearch } from '../domain/work-queue.js';
import { workListRepository, type WorkListRow } from '../store/work-list.repository.js';
import type { ServiceDeps } from './context.js';

export const WORK_LIST_PAGE_SIZE = 20;

/** open: every status that can still move (the default); all: every status; or one status. */
export type StatusFilter = 'open' | 'all' | StatusCode;
/** any; overdue (deadline passed, the sweeper has not run yet); due within 3 or 7 days; with a running deadline. */
export const deadlineFilters = ['any', 'overdue', 'within3', 'within7', 'withDeadline'] as const;
export type DeadlineFilter = (typeof deadlineFilters)[number];

export interface WorkListFilters {
  readonly status: StatusFilter;
  readonly procedure: ProcedureCode | null;
  readonly deadline: DeadlineFilter;
  readonly page: number;
  /** 受付番号（到達番号）, 車両番号 or 車台番号 (parsed by parseWorkListSearch), or none. */
  readonly search?: WorkListSearch | null | undefined;
}

export interface WorkListItem extends WorkListRow {
  readonly number: ReceiptNumber;
  /** The running deadline (補正期限 or 納付期限) as a Japan date. */
  readonly deadline: { readonly kind: 'correction' | 'payment'; readonly date: JapanDate } | null;
  /** The office must act on it now (受付審査中, 検査申請審査中, 返付・交付準備中). */
  readonly needsOfficeAction: boolean;
  /** Other open applications (any office) for the same 車台番号: a possible double submission. */
  readonly sameChassisOpen: number;
}

export interface WorkListPage {
  readonly items: readonly WorkListItem[];
  readonly total: number;
  readonly page: number;
  readonly pageCount: number;
  readonly pageSize: number;
  /** The instant the list was read (deadlines are shown as passed or not at this instant). */
  readonly now: Date;
}

export const openStatuses = statusCodes.filter((s) => !(statuses[s] as StatusDefinition).terminal);

function statusesFor(filter: StatusFilter, procedure: ProcedureCode | null): StatusCode[] {
  const base = filter === 'open' ? openStatuses : filter === 'all' ? statusCodes : [filter];
  if (!procedure) return [...base];
  const ofProcedure = new Set(statusesOf(procedure));
  return base.filter((s) => ofProcedure.has(s));
}

/**
 * The office's applications, filterable by status, procedure, deadline and number: what the office
 * must act on first (oldest arrival first), then the rest due soonest first.
 */
export function makeWorkList(deps: ServiceDeps) {
  return {
    async list(officeCode: OfficeCode, filters: WorkListFilters): Promise<WorkListPage> {
      const now = deps.clock.now();
      const today = japanDateOf(now);
      const within = (days: number) => new Date(deadlinePassesAt(addDays(today, days)).getTime() + 1);
      const deadlineBefore: Date | null = {
        any: null,
        overdue: new Date(now.getTime() + 1),
        within3: within(3),
        within7: within(7),
        withDeadline: new Date('9999-12-31T00:00:00Z'),
      }[filters.deadline];
      const list = statusesFor(filters.status, filters.procedure);
      if (list.length === 0) return { items: [], total: 0, page: 1, pageCount: 1, pageSize: WORK_LIST_PAGE_SIZE, now };
      const repo = workListRepository(deps.database.db);
      const query = { officeCode, statuses: list, procedure: filters.procedure, deadlineBefore, search: filters.search ?? null, officeFirst: officeActionOrder };
      const total = await repo.count(query);
      const pageCount = Math.max(1, Math.ceil(total / WORK_LIST_PAGE_SIZE));
      const page = Math.min(Math.max(1, Math.trunc(filters.page)), pageCount);
      const rows = await repo.page({ ...query, limit: WORK_LIST_PAGE_SIZE, offset: (page - 1) * WORK_LIST_PAGE_SIZE });
      const sameChassis = await repo.countByChassis(
        rows.map((r) => r.chassisNumber),
        openStatuses,
      );
      const items = rows.map((r): WorkListItem => {
        const kind = (statuses[r.status] as StatusDefinition | undefined)?.deadline ?? null;
        return {
          ...r,
          number: displayNumber(r),
          // deadline_at is the first instant after the 期限日: the day before it, in Japan.
          deadline: r.deadlineAt && kind ? { kind, date: addDays(japanDateOf(r.deadlineAt), -1) } : null,
          needsOfficeAction: needsOfficeAction(r.status),
          sameChassisOpen: Math.max(0, (sameChassis.get(r.chassisNumber) ?? 0) - (openStatuses.includes(r.status) ? 1 : 0)),
        };
      });
      return { items, total, page, pageCount, pageSize: WORK_LIST_PAGE_SIZE, now };
    },
  };
}
