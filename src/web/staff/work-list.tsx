import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { formatJapanDate, formatJapanDateTime } from '../../domain/format.js';
import { inspectionOffices } from '../../domain/offices.js';
import { procedureCodes, procedures } from '../../domain/procedures.js';
import { formatReceiptNumber } from '../../domain/receipt-number.js';
import { statusCodes, statuses } from '../../domain/statuses.js';
import { isDeadlinePassed } from '../../domain/time.js';
import { formatVehicleNumber } from '../../domain/vehicle.js';
import { parseWorkListSearch } from '../../domain/work-queue.js';
import { ErrorSummary } from '../components/forms.js';
import type { Services } from '../../services/index.js';
import { deadlineFilters, type DeadlineFilter, type WorkListFilters, type WorkListPage } from '../../services/work-list.js';
import type { PageContext } from '../page-context.js';
import { renderDocument } from '../render.js';
import { StaffLayout } from './components.js';
import { sendHtml, staffContext, staffUserOf } from './guard.js';
import { Pagination } from '../components/Pagination.js';

const deadlineFilterLabels: Record<DeadlineFilter, string> = {
  any: 'すべて',
  overdue: '期限切れ',
  within3: '3日以内に期限',
  within7: '7日以内に期限',
  withDeadline: '期限のあるもの',
};

const deadlineKindLabels = { correction: '補正期限', payment: '納付期限' } as const;

/** The filters of the page, and the search text as typed (kept in the box and the paging links). */
type ShownFilters = WorkListFilters & { readonly q: string };

function listUrl(filters: ShownFilters, page: number): string {
  const q = new URLSearchParams();
  if (filters.q.trim() !== '') q.set('q', filters.q.trim());
  if (filters.status !== 'open') q.set('status', filters.status);
  if (filters.procedure) q.set('procedure', filters.procedure);
  if (filters.deadline !== 'any') q.set('deadline', filters.deadline);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `/staff/applications?${s}` : '/staff/applications';
}

export const WORK_LIST_ORDER_TEXT = '事務所等の操作が必要な申請（受付審査中・検査申請審査中・返付準備中・交付準備中）を到達の古い順に先に、その他を期限の近い順に表示しています。';

/**
 * 作業一覧: the office's applications, what the office must act on first, then due soonest first;
 * searchable by number and filterable by status, procedure and deadline.
 */
export function WorkListPageView({ ctx, officeName, list, filters, now, searchError }: { ctx: PageContext; officeName: string; list: WorkListPage; filters: ShownFilters; now: Date; searchError?: string | undefined }) {
  const from = list.total === 0 ? 0 : (list.page - 1) * list.pageSize + 1;
  const to = Math.min(list.page * list.pageSize, list.total);
  return (
    <StaffLayout ctx={ctx} title={`作業一覧（${officeName}）`} current="list" wide hasErrors={Boolean(searchError)}>
      <h1 class="page-title">
        作業一覧 <span class="page-title__crumb">{officeName}</span>
      </h1>
      <ErrorSummary items={searchError ? [{ field: 'filter-q', message: searchError }] : []} />
      <form method="get" action="/staff/applications" class="filter-form" role="search" aria-label="作業一覧の検索と絞り込み">
        <div class="filter-form__field filter-form__field--search">
          <label for="filter-q" class="form-field__label">
            番号で探す
          </label>
          <span id="filter-q-hint" class="form-field__hint">
            受付番号（到達番号）・車台番号・車両番号（空白や全角数字も可）
          </span>
          {searchError ? (
            <span id="filter-q-error" class="form-field__error">
              {searchError}
            </span>
          ) : null}
          <input
            type="search"
            id="filter-q"
            name="q"
            class="input input--medium"
            value={filters.q}
            maxLength={60}
            autocomplete="off"
            spellcheck={false}
            aria-describedby={searchError ? 'filter-q-hint filter-q-error' : 'filter-q-hint'}
            aria-invalid={searchError ? 'true' : undefined}
          />
        </div>
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
        全{list.total}件{list.total > 0 ? `（${from}〜${to}件目を表示）` : ''}。{WORK_LIST_ORDER_TEXT}
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
                    <td>
                      {statuses[item.status]?.label ?? item.status}
                      {item.needsOfficeAction ? <strong class="work-list__action">（要対応）</strong> : null}
                    </td>
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
                      <span class="nowrap">{item.vehicleNumber ? formatVehicleNumber(item.vehicleNumber) : '（未払出）'}</span>
                      <br />
                      <span class="nowrap">{item.chassisNumber}</span>
                      {item.sameChassisOpen > 0 ? (
                        <>
                          <br />
                          <a class="work-list__duplicate" href={`/staff/applications?${new URLSearchParams({ q: item.chassisNumber, status: 'open' }).toString()}`}>
                            重複の可能性：同じ車台番号の処理中の申請が他に{item.sameChassisOpen}件
                          </a>
                        </>
                      ) : null}
                    </td>
                    <td class="nowrap">{formatJapanDateTime(item.statusChangedAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={list.page} pageCount={list.pageCount} href={(p) => listUrl(filters, p)} />
    </StaffLayout>
  );
}

const WorkListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.Enum(['open', 'all', ...statusCodes])),
  procedure: Type.Optional(Type.Enum(['', ...procedureCodes])),
  deadline: Type.Optional(Type.Enum([...deadlineFilters])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});

export function workListRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/staff/applications', { schema: { querystring: WorkListQuery } }, async (req, reply) => {
      const user = staffUserOf(req);
      const q = req.query.q ?? '';
      const search = parseWorkListSearch(q);
      const filters: ShownFilters = {
        status: req.query.status ?? 'open',
        procedure: req.query.procedure || null,
        deadline: req.query.deadline ?? 'any',
        page: req.query.page ?? 1,
        search: search.ok ? search.value : null,
        q: q.slice(0, 60),
      };
      const found = await services.workList.list(user.officeCode, filters);
      // A search that cannot be a number of any kind shows its error and no rows.
      const list: WorkListPage = search.ok ? found : { ...found, items: [], total: 0, page: 1, pageCount: 1 };
      const page = <WorkListPageView ctx={staffContext(req, reply)} officeName={inspectionOffices[user.officeCode].name} list={list} filters={filters} now={list.now} searchError={search.ok ? undefined : search.refusal.message} />;
      return sendHtml(reply, search.ok ? 200 : 400, renderDocument(page));
    });
  };
}
