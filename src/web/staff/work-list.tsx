import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { formatJapanDate, formatJapanDateTime } from '../../domain/format.js';
import { inspectionOffices } from '../../domain/offices.js';
import { procedureCodes, procedures } from '../../domain/procedures.js';
import { formatReceiptNumber } from '../../domain/receipt-number.js';
import { statusCodes, statuses } from '../../domain/statuses.js';
import { isDeadlinePassed } from '../../domain/time.js';
import { formatVehicleNumber } from '../../domain/vehicle.js';
import type { Services } from '../../services/index.js';
import { deadlineFilters, type DeadlineFilter, type WorkListFilters, type WorkListPage } from '../../services/work-list.js';
import type { PageContext } from '../page-context.js';
import { renderDocument } from '../render.js';
import { StaffLayout } from './components.js';
import { sendHtml, staffContext, staffUserOf } from './guard.js';

const deadlineFilterLabels: Record<DeadlineFilter, string> = {
  any: 'すべて',
  overdue: '期限切れ',
  within3: '3日以内に期限',
  within7: '7日以内に期限',
  withDeadline: '期限のあるもの',
};

const deadlineKindLabels = { correction: '補正期限', payment: '納付期限' } as const;

function listUrl(filters: WorkListFilters, page: number): string {
  const q = new URLSearchParams();
  if (filters.status !== 'open') q.set('status', filters.status);
  if (filters.procedure) q.set('procedure', filters.procedure);
  if (filters.deadline !== 'any') q.set('deadline', filters.deadline);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `/staff/applications?${s}` : '/staff/applications';
}

/** First, last and two either side of the current page; gaps shown as … (null). */
function pageNumbers(current: number, count: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let p = 1; p <= count; p++) {
    if (p === 1 || p === count || Math.abs(p - current) <= 2) out.push(p);
    else if (out[out.length - 1] !== null) out.push(null);
  }
  return out;
}

function Pagination({ list, filters }: { list: WorkListPage; filters: WorkListFilters }) {
  if (list.pageCount <= 1) return null;
  return (
    <nav class="pagination" aria-label="ページ送り">
      <ul class="pagination__list">
        <li>{list.page > 1 ? <a href={listUrl(filters, list.page - 1)} rel="prev">前へ</a> : <span aria-disabled="true">前へ</span>}</li>
        {pageNumbers(list.page, list.pageCount).map((p) => (
          <li>
            {p === null ? (
              <span aria-hidden="true">…</span>
            ) : p === list.page ? (
              <span aria-current="page">{p}</span>
            ) : (
              <a href={listUrl(filters, p)} aria-label={`${p}ページ目`}>
                {p}
              </a>
            )}
          </li>
        ))}
        <li>{list.page < list.pageCount ? <a href={listUrl(filters, list.page + 1)} rel="next">次へ</a> : <span aria-disabled="true">次へ</span>}</li>
      </ul>
    </nav>
  );
}

/** 作業一覧: the office's applications, due soonest first, filterable by status, procedure and deadline. */
export function WorkListPageView({ ctx, officeName, list, filters, now }: { ctx: PageContext; officeName: string; list: WorkListPage; filters: WorkListFilters; now: Date }) {
  const from = list.total === 0 ? 0 : (list.page - 1) * list.pageSize + 1;
  const to = Math.min(list.page * list.pageSize, list.total);
  return (
    <StaffLayout ctx={ctx} title={`作業一覧（${officeName}）`} current="list" wide>
      <h1 class="page-title">
        作業一覧 <span class="page-title__crumb">{officeName}</span>
      </h1>
      <form method="get" action="/staff/applications" class="filter-form" role="search" aria-label="作業一覧の絞り込み">
        <div class="filter-form__field">
          <label for="filter-status" class="form-field__label">
            申請状況
          </label>
          <select id="filter-status" name="status" class="select">
            <option value="open" selected={filters.status === 'open'}>
              処理中のすべて（完了・終了したものを除く）
            </option>
            {statusCodes.map((s) => (
              <option value={s} selected={filters.status === s}>
                {statuses[s].label}
                {statuses[s].procedures.length === 1 ? `（${procedures[statuses[s].procedures[0]].label}）` : ''}
              </option>
            ))}
            <option value="all" selected={filters.status === 'all'}>
              すべて
            </option>
          </select>
        </div>
        <div class="filter-form__field">
          <label for="filter-procedure" class="form-field__label">
            手続
          </label>
          <select id="filter-procedure" name="procedure" class="select">
            <option value="" selected={filters.procedure === null}>
              すべて
            </option>
            {procedureCodes.map((p) => (
              <option value={p} selected={filters.procedure === p}>
                {procedures[p].fullLabel}
              </option>
            ))}
          </select>
        </div>
        <div class="filter-form__field">
          <label for="filter-deadline" class="form-field__label">
            期限
          </label>
          <select id="filter-deadline" name="deadline" class="select">
            {deadlineFilters.map((d) => (
              <option value={d} selected={filters.deadline === d}>
                {deadlineFilterLabels[d]}
              </option>
            ))}
          </select>
        </div>
        <div class="filter-form__actions">
          <button type="submit" class="button button--primary">
            絞り込む
          </button>
        </div>
      </form>
      <p class="work-list__count" role="status">
        全{list.total}件{list.total > 0 ? `（${from}〜${to}件目を表示）` : ''}。期限の近い順に表示しています。
      </p>
      {list.items.length === 0 ? (
        <p>条件に合う申請はありません。</p>
      ) : (
        <div class="table-scroll" role="region" aria-labelledby="work-list-caption" tabIndex={0}>
          <table class="data-table work-list">
            <caption id="work-list-caption" class="visually-hidden">
              作業一覧（{list.page}ページ目）
            </caption>
            <thead>
              <tr>
                <th scope="col">受付番号（到達番号）</th>
                <th scope="col">手続</th>
                <th scope="col">申請状況</th>
                <th scope="col">期限</th>
                <th scope="col">申請者名</th>
                <th scope="col">使用者名</th>
                <th scope="col">車両番号・車台番号</th>
                <th scope="col">状況更新日時</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => {
                const passed = item.deadline ? isDeadlinePassed(item.deadline.date, now) : false;
                return (
                  <tr data-status={item.status}>
                    <th scope="row" class="nowrap">
                      <a href={`/staff/applications/${item.number}`}>{formatReceiptNumber(item.number)}</a>
                      {item.receiptNumber ? null : <span class="work-list__note">（到達番号）</span>}
                    </th>
                    <td>{procedures[item.procedure].label}</td>
                    <td>{statuses[item.status]?.label ?? item.status}</td>
                    <td class="nowrap" data-deadline-passed={passed ? 'true' : undefined}>
                      {item.deadline ? (
                        <>
                          {deadlineKindLabels[item.deadline.kind]} {formatJapanDate(item.deadline.date)}
                          {passed ? <strong class="work-list__overdue">（期限切れ）</strong> : null}
                        </>
                      ) : (
                        '-'
                      )}
                    </td>
                    <td>{item.applicantName}</td>
                    <td>{item.userName}</td>
                    <td>
                      {item.vehicleNumber ? formatVehicleNumber(item.vehicleNumber) : '（未払出）'}
                      <br />
                      {item.chassisNumber}
                    </td>
                    <td class="nowrap">{formatJapanDateTime(item.statusChangedAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pagination list={list} filters={filters} />
    </StaffLayout>
  );
}

const WorkListQuery = Type.Object({
  status: Type.Optional(Type.Enum(['open', 'all', ...statusCodes])),
  procedure: Type.Optional(Type.Enum(['', ...procedureCodes])),
  deadline: Type.Optional(Type.Enum([...deadlineFilters])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});

export function workListRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/staff/applications', { schema: { querystring: WorkListQuery } }, async (req, reply) => {
      const user = staffUserOf(req);
      const filters: WorkListFilters = {
        status: (req.query.status ?? 'open'),
        procedure: req.query.procedure ? (req.query.procedure) : null,
        deadline: (req.query.deadline ?? 'any'),
        page: req.query.page ?? 1,
      };
      const list = await services.workList.list(user.officeCode, filters);
      return sendHtml(reply, 200, renderDocument(<WorkListPageView ctx={staffContext(req, reply)} officeName={inspectionOffices[user.officeCode].name} list={list} filters={filters} now={list.now} />));
    });
  };
}
