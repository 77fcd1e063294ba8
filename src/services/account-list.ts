import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { AccountListSearch } from '../domain/accounts.js';
import { formatJapanDate, formatJapanDateTime } from '../domain/format.js';
import { inspectionOffices } from '../domain/offices.js';
import { procedures } from '../domain/procedures.js';
import { formatReceiptNumber } from '../domain/receipt-number.js';
import { formatVehicleNumber } from '../domain/vehicle.js';
import { spreadsheetSafe } from './audit.js';
import { displayNumber } from '../domain/application.js';
import type { OfficeCode } from '../domain/offices.js';
import type { ProcedureCode } from '../domain/procedures.js';
import type { ReceiptNumber } from '../domain/receipt-number.js';
import { listGroupOf, listGroupOrder, type ListGroup } from '../domain/status-view.js';
import { statusCodes, statuses, statusesOf, type StatusCode, type StatusDefinition } from '../domain/statuses.js';
import { addDays, japanDateOf, startOfJapanDay, type JapanDate } from '../domain/time.js';
import { accountRepository, type AccountListQuery, type AccountListRow } from '../store/accounts.repository.js';
import type { ServiceDeps } from './context.js';

export const ACCOUNT_LIST_PAGE_SIZE = 50;
/** The CSV is read in pages of this many rows, so memory stays flat whatever the list's length. */
const CSV_BATCH = 1000;

/** all; one group of the list (お客様の操作が必要, 手続中, 終了); or one status. */
export type AccountStatusFilter = 'all' | ListGroup | StatusCode;

export interface AccountListFilters {
  readonly status: AccountStatusFilter;
  readonly procedure: ProcedureCode | null;
  readonly officeCode: OfficeCode | null;
  /** 申請年月日 from / to (Japan dates, both included). */
  readonly filedFrom: JapanDate | null;
  readonly filedTo: JapanDate | null;
  readonly search: AccountListSearch | null;
  readonly page: number;
}

export interface AccountListItem extends AccountListRow {
  readonly number: ReceiptNumber;
  readonly group: ListGroup;
  /** The running deadline (補正期限 or 納付期限) as a Japan date. */
  readonly deadline: { readonly kind: 'correction' | 'payment'; readonly date: JapanDate } | null;
}

export interface AccountListPage {
  readonly items: readonly AccountListItem[];
  readonly total: number;
  readonly page: number;
  readonly pageCount: number;
  readonly pageSize: number;
  readonly now: Date;
}

export interface AccountListStamp {
  readonly name: string;
  /** The list version with the account's creation time (`7@2026-12-06T…`). */
  readonly listVersion: string;
  readonly now: Date;
}

function statusesFor(filter: AccountStatusFilter, procedure: ProcedureCode | null): StatusCode[] | null {
  const base = filter === 'all' ? null : (listGroupOrder as readonly string[]).includes(filter) ? statusCodes.filter((s) => listGroupOf(s) === filter) : [filter as StatusCode];
  if (!procedure) return base;
  const ofProcedure = statusesOf(procedure);
  return (base ?? statusCodes).filter((s) => ofProcedure.includes(s));
}

function toItem(r: AccountListRow): AccountListItem {
  const kind = (statuses[r.status] as StatusDefinition | undefined)?.deadline ?? null;
  return {
    ...r,
    number: displayNumber(r),
    group: listGroupOf(r.status),
    // deadline_at is the first instant after the 期限日: the day before it, in Japan.
    deadline: r.deadlineAt && kind ? { kind, date: addDays(japanDateOf(r.deadlineAt), -1) } : null,
  };
}

const CSV_COLUMNS = ['受付番号（到達番号）', '手続', '車両番号', '車台番号', '使用者名', '現在の申請状況', '期限の種類', '期限日', '申請先軽自動車検査協会事務所等', '申請年月日', '状況更新日時'] as const;
const deadlineLabels = { correction: '補正期限', payment: '納付期限' } as const;

function csvRow(i: AccountListItem): string[] {
  return [
    formatReceiptNumber(i.number),
    procedures[i.procedure].label,
    i.vehicleNumber ? formatVehicleNumber(i.vehicleNumber) : '',
    i.chassisNumber,
    i.userName,
    statuses[i.status].label,
    i.deadline ? deadlineLabels[i.deadline.kind] : '',
    i.deadline ? formatJapanDate(i.deadline.date) : '',
    inspectionOffices[i.officeCode].name,
    formatJapanDate(japanDateOf(i.filedAt)),
    formatJapanDateTime(i.statusChangedAt),
  ].map(spreadsheetSafe);
}

/** 申請一覧 of a 利用者ID: only the account's own applications, filtered, searched, in pages of 50 or whole as CSV rows. */
export function makeAccountList(deps: ServiceDeps) {
  const query = (accountId: string, f: Omit<AccountListFilters, 'page'>): AccountListQuery => ({
    accountId,
    statuses: statusesFor(f.status, f.procedure),
    procedure: f.procedure,
    officeCode: f.officeCode,
    filedFrom: f.filedFrom ? startOfJapanDay(f.filedFrom) : null,
    filedBefore: f.filedTo ? startOfJapanDay(addDays(f.filedTo, 1)) : null,
    search: f.search,
  });

  /** The query and its count; letters and digits that are no 車台番号 of the list may be part of a 使用者名 (e.g. ABC商事). */
  async function resolved(accountId: string, filters: Omit<AccountListFilters, 'page'>): Promise<{ q: AccountListQuery; total: number }> {
    const repo = accountRepository(deps.database.db);
    const q = query(accountId, filters);
    const total = await repo.count(q);
    if (total > 0 || filters.search?.kind !== 'chassisNumber') return { q, total };
    const byName = query(accountId, { ...filters, search: { kind: 'userName', userName: filters.search.typed } });
    return { q: byName, total: await repo.count(byName) };
  }

  /** Every row of the filtered list in the list's order, read in batches. */
  async function* all(accountId: string, filters: Omit<AccountListFilters, 'page'>): AsyncGenerator<AccountListItem> {
    const repo = accountRepository(deps.database.db);
    const { q } = await resolved(accountId, filters);
    for (let offset = 0; ; offset += CSV_BATCH) {
      const rows = await repo.page(q, CSV_BATCH, offset);
      for (const r of rows) yield toItem(r);
      if (rows.length < CSV_BATCH) return;
    }
  }

  async function page(accountId: string, filters: AccountListFilters): Promise<AccountListPage> {
    const now = deps.clock.now();
    const repo = accountRepository(deps.database.db);
    const { q, total } = await resolved(accountId, filters);
    const pageCount = Math.max(1, Math.ceil(total / ACCOUNT_LIST_PAGE_SIZE));
    const shown = Math.min(Math.max(1, Math.trunc(filters.page) || 1), pageCount);
    const rows = total === 0 ? [] : await repo.page(q, ACCOUNT_LIST_PAGE_SIZE, (shown - 1) * ACCOUNT_LIST_PAGE_SIZE);
    return { items: rows.map(toItem), total, page: shown, pageCount, pageSize: ACCOUNT_LIST_PAGE_SIZE, now };
  }

  return {
    /**
     * What the kept first page of the list is keyed by (issue 16): the account's name and list
     * version, read now, and the time. Null for an unknown account.
     */
    async stamp(accountId: string): Promise<AccountListStamp | null> {
      const now = deps.clock.now();
      const stamp = await accountRepository(deps.database.db).listStamp(accountId);
      return stamp ? { ...stamp, now } : null;
    },

    /**
     * A page with the list version it shows: the version read before and after the page's reads.
     * Every change of the list bumps it in the change's own transaction, so equal readings mean no
     * change committed in between: the page is exactly that version's. Otherwise `listVersion` is
     * null (show the page, keep it under no version).
     */
    async versionedPage(accountId: string, filters: AccountListFilters): Promise<{ list: AccountListPage; name: string; listVersion: string | null }> {
      const repo = accountRepository(deps.database.db);
      const before = await repo.listStamp(accountId);
      const list = await page(accountId, filters);
      const after = await repo.listStamp(accountId);
      return { list, name: after?.name ?? '', listVersion: before && after && before.listVersion === after.listVersion && before.name === after.name ? after.listVersion : null };
    },

    page,

    /** The filtered list as CSV, streamed: UTF-8 with a BOM (Excel reads the Japanese), CRLF, formula-safe cells. */
    csv(accountId: string, filters: Omit<AccountListFilters, 'page'>): Readable {
      const rows = Readable.from(
        (async function* () {
          for await (const item of all(accountId, filters)) yield csvRow(item);
        })(),
      );
      // A failure half-way (the database gone) ends the download instead of leaving it hanging.
      return pipeline(rows, stringify({ header: true, columns: [...CSV_COLUMNS], bom: true, record_delimiter: 'windows' }), (error) => {
        if (error) deps.logger.warn({ event: 'account-csv-failed', err: error }, 'account list CSV ended early');
      });
    },
  };
}
