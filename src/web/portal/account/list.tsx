import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseAccountListSearch } from '../../../domain/accounts.js';
import { formatJapanDate } from '../../../domain/format.js';
import { inspectionOffices, isOfficeCode, type OfficeCode } from '../../../domain/offices.js';
import { procedureCodes, procedures } from '../../../domain/procedures.js';
import { formatReceiptNumber, parseReceiptNumber } from '../../../domain/receipt-number.js';
import { listGroupLabels, listGroupOrder } from '../../../domain/status-view.js';
import { statusCodes, statuses } from '../../../domain/statuses.js';
import { isDeadlinePassed, isJapanDate, japanDateOf, type JapanDate } from '../../../domain/time.js';
import { formatVehicleNumber } from '../../../domain/vehicle.js';
import { ACCOUNT_LIST_PAGE_SIZE, type AccountListFilters, type AccountListPage, type AccountStatusFilter } from '../../../services/account-list.js';
import type { Services } from '../../../services/index.js';
import { Banner, CsrfField, ErrorSummary, TextField, errorItems, type FieldErrors } from '../../components/forms.js';
import { pageContext, pageContextWith, type PageContext } from '../../page-context.js';
import { loginRateLimit } from '../../plugins/login-rate-limit.js';
import { refusalStatus } from '../../refusals.js';
import { renderDocument, sendHtml } from '../../render.js';
import { AccountLayout, CSRF_ONLY, TWO_FACTOR_SETUP_PATH, accountIdOf, requireAccount } from './shared.js';
import { Pagination } from '../../components/Pagination.js';
import { accountListKey, createAccountListCache } from './list-cache.js';

const deadlineKindLabels = { correction: '補正期限', payment: '納付期限' } as const;
export const ACCOUNT_LIST_ORDER_TEXT = 'お客様の操作が必要な申請（補正待ち・納付待ち・まとめ払い中は期限の近い順、続いて返付準備完了・交付準備完了）を先に、続いて手続中の申請、終了した申請の順に表示しています。';

/** The filters as typed (kept in the form, the paging links and the CSV link). */
interface ShownFilters {
  readonly q: string;
  readonly status: AccountStatusFilter;
  readonly procedure: string;
  readonly office: string;
  readonly from: string;
  readonly to: string;
}

function queryOf(f: ShownFilters, page?: number): string {
  const q = new URLSearchParams();
  if (f.q.trim() !== '') q.set('q', f.q.trim());
  if (f.status !== 'all') q.set('status', f.status);
  if (f.procedure) q.set('procedure', f.procedure);
  if (f.office) q.set('office', f.office);
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (page && page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function Select({ id, name, label, value, options }: { id: string; name: string; label: string; value: string; options: readonly { value: string; label: string }[] }) {
  return (
    <div class="filter-form__field">
      <label for={id} class="form-field__label">
        {label}
      </label>
      <select id={id} name={name} class="select">
        {options.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** 申請一覧: the account's applications, those that need the user first. */
export function AccountListPageView({ ctx, name, list, filters, errors }: { ctx: PageContext; name: string; list: AccountListPage; filters: ShownFilters; errors?: FieldErrors }) {
  const items = errorItems(errors ?? {}, ['filter-q', 'filter-status', 'filter-procedure', 'filter-from', 'filter-to']);
  const from = list.total === 0 ? 0 : (list.page - 1) * list.pageSize + 1;
  const to = Math.min(list.page * list.pageSize, list.total);
  return (
    <AccountLayout ctx={ctx} title="申請一覧" current="list" hasErrors={items.length > 0}>
      <h1 class="page-title">
        申請一覧 <span class="page-title__crumb">{name}</span>
      </h1>
      <ErrorSummary items={items} />
      <form method="get" action="/account/applications" class="filter-form" role="search" aria-label="申請一覧の検索と絞り込み">
        <div class="filter-form__field filter-form__field--search">
          <label for="filter-q" class="form-field__label">
            検索
          </label>
          <span id="filter-q-hint" class="form-field__hint">
            受付番号（到達番号）・車台番号・車両番号・使用者名（番号は空白や全角数字も可）
          </span>
          {errors?.['filter-q'] ? (
            <span id="filter-q-error" class="form-field__error">
              {errors['filter-q']}
            </span>
          ) : null}
          <input type="search" id="filter-q" name="q" class="input input--medium" value={filters.q} maxLength={60} autocomplete="off" spellcheck={false} aria-describedby={errors?.['filter-q'] ? 'filter-q-hint filter-q-error' : 'filter-q-hint'} />
        </div>
        <Select
          id="filter-status"
          name="status"
          label="申請状況"
          value={filters.status}
          options={[
            { value: 'all', label: 'すべて' },
            ...listGroupOrder.map((g) => ({ value: g, label: listGroupLabels[g] })),
            ...statusCodes.map((s) => ({ value: s, label: statuses[s].label + (statuses[s].procedures.length === 1 ? `（${procedures[statuses[s].procedures[0]].label}）` : '') })),
          ]}
        />
        <Select id="filter-procedure" name="procedure" label="手続" value={filters.procedure} options={[{ value: '', label: 'すべて' }, ...procedureCodes.map((p) => ({ value: p, label: procedures[p].fullLabel }))]} />
        <Select id="filter-office" name="office" label="申請先" value={filters.office} options={[{ value: '', label: 'すべて' }, ...Object.values(inspectionOffices).map((o) => ({ value: o.code, label: o.name }))]} />
        <div class="filter-form__field">
          <label for="filter-from" class="form-field__label">
            申請年月日（から）
          </label>
          <input type="date" id="filter-from" name="from" class="input input--short" value={filters.from} aria-invalid={errors?.['filter-from'] ? 'true' : undefined} />
        </div>
        <div class="filter-form__field">
          <label for="filter-to" class="form-field__label">
            申請年月日（まで）
          </label>
          <input type="date" id="filter-to" name="to" class="input input--short" value={filters.to} aria-invalid={errors?.['filter-to'] ? 'true' : undefined} />
        </div>
        <div class="filter-form__actions">
          <button type="submit" class="button button--primary">
            絞り込む
          </button>
        </div>
      </form>
      <p class="work-list__count" role="status">
        全{list.total}件{list.total > 0 ? `（${from}〜${to}件目を表示）` : ''}。{ACCOUNT_LIST_ORDER_TEXT}
      </p>
      <p>
        <a class="button button--secondary" href={`/account/applications.csv${queryOf(filters)}`} download>
          この一覧をCSVでダウンロード（{list.total}件）
        </a>
      </p>
      {list.items.length === 0 ? (
        <p>
          条件に合う申請はありません。お持ちの申請は<a href="/account/applications/add">申請の追加</a>で一覧に加えられます。
        </p>
      ) : (
        <div class="table-scroll" role="region" aria-labelledby="account-list-caption" tabIndex={0}>
          <table class="data-table work-list">
            <caption id="account-list-caption" class="visually-hidden">
              申請一覧（{list.page}ページ目）
            </caption>
            <thead>
              <tr>
                <th scope="col">受付番号（到達番号）</th>
                <th scope="col">手続</th>
                <th scope="col">車両番号・車台番号</th>
                <th scope="col">使用者名</th>
                <th scope="col">現在の申請状況</th>
                <th scope="col">期限</th>
                <th scope="col">申請先</th>
                <th scope="col">
                  <span class="visually-hidden">操作</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => {
                const passed = item.deadline ? isDeadlinePassed(item.deadline.date, list.now) : false;
                return (
                  <tr data-status={item.status} data-group={item.group}>
                    <th scope="row" class="nowrap">
                      <a href={`/account/open/${item.id}`}>{formatReceiptNumber(item.number)}</a>
                      {item.receiptNumber ? null : <span class="work-list__note">（到達番号）</span>}
                    </th>
                    <td>{procedures[item.procedure].label}</td>
                    <td>
                      <span class="nowrap">{item.vehicleNumber ? formatVehicleNumber(item.vehicleNumber) : '（未払出）'}</span>
                      <br />
                      <span class="nowrap">{item.chassisNumber}</span>
                    </td>
                    <td>{item.userName}</td>
                    <td>
                      {statuses[item.status].label}
                      {item.group === 'needsUser' ? (
                        <>
                          <br />
                          <strong class="account-list__group" data-group={item.group}>
                            お客様の操作が必要です
                          </strong>
                        </>
                      ) : null}
                    </td>
                    <td class="nowrap">
                      {item.deadline ? (
                        <>
                          {deadlineKindLabels[item.deadline.kind]} {formatJapanDate(item.deadline.date)}
                          {passed ? <strong class="work-list__overdue">（期限切れ）</strong> : null}
                        </>
                      ) : (
                        '-'
                      )}
                    </td>
                    <td>{inspectionOffices[item.officeCode].name}</td>
                    <td class="nowrap">
                      <a href={`/account/applications/${item.id}/remove`} aria-label={`${formatReceiptNumber(item.number)}を一覧から削除`}>
                        一覧から削除
                      </a>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={list.page} pageCount={list.pageCount} href={(p) => `/account/applications${queryOf(filters, p)}`} />
    </AccountLayout>
  );
}

function AddPage({ ctx, errors, number, added }: { ctx: PageContext; errors?: FieldErrors; number?: string; added?: { number: string; wasThere: boolean } | undefined }) {
  const items = errorItems(errors ?? {}, ['receiptNumber', 'password']);
  return (
    <AccountLayout ctx={ctx} title="申請の追加" current="add" hasErrors={items.length > 0}>
      <h1 class="page-title">申請の追加</h1>
      <ErrorSummary items={items} />
      {added ? (
        <Banner kind="success" title={added.wasThere ? `${added.number}はすでに申請一覧にあります。` : `${added.number}を申請一覧に追加しました。`}>
          <p>
            <a href="/account/applications">申請一覧へ</a>
          </p>
        </Banner>
      ) : null}
      <p>お持ちの申請を申請一覧に加えます。その申請の受付番号（到達番号）と申請用パスワードを入力してください。一度追加すると、以後は利用者IDでログインするだけで状況を確認できます。</p>
      <p>利用者IDでログインしたまま「申請を行う」から申請した申請は、自動的に申請一覧に加わります。</p>
      <form method="post" action="/account/applications/add" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <TextField name="receiptNumber" label="受付番号（到達番号）" value={number} error={errors?.receiptNumber} hint="数字17桁（例：2112 2310 5000 30459）。空白やハイフンで区切って入力することもできます。" inputMode="numeric" autocomplete="off" width="medium" spellcheck={false} />
        <TextField name="password" label="申請用パスワード" type="password" error={errors?.password} autocomplete="off" maxLength={64} spellcheck={false} />
        <div class="button-row">
          <button type="submit" class="button button--primary">
            申請一覧に追加する
          </button>
        </div>
      </form>
    </AccountLayout>
  );
}

function RemovePage({ ctx, id, number, statusLabel }: { ctx: PageContext; id: string; number: string; statusLabel: string }) {
  return (
    <AccountLayout ctx={ctx} title="申請一覧からの削除" current="list">
      <h1 class="page-title">申請一覧からの削除</h1>
      <p>
        受付番号（到達番号） <strong>{number}</strong>（{statusLabel}）を申請一覧から削除します。
      </p>
      <p>申請そのものは取り下げられません。削除した後も、受付番号（到達番号）と申請用パスワードで状況の照会ができ、申請の追加で再び一覧に加えられます。</p>
      <form method="post" action={`/account/applications/${id}/remove`} class="form">
        <CsrfField token={ctx.csrfToken} />
        <div class="button-row">
          <button type="submit" class="button button--danger">
            申請一覧から削除する
          </button>
          <a class="button button--secondary" href="/account/applications">
            削除しないで戻る
          </a>
        </div>
      </form>
    </AccountLayout>
  );
}

/**
 * 申請状況 and 手続 are checked by understand(), not by an enum in the schema: the validator's
 * Value.Convert tries a query value against each of an enum's 40 literals, about 2 ms a request
 * (docs/benchmarks.md, issue 16), more than the whole list page.
 */
const STATUS_FILTERS: ReadonlySet<string> = new Set(['all', ...listGroupOrder, ...statusCodes]);
const PROCEDURE_FILTERS: ReadonlySet<string> = new Set(['', ...procedureCodes]);
const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.String({ maxLength: 60 })),
  procedure: Type.Optional(Type.String({ maxLength: 60 })),
  office: Type.Optional(Type.String({ maxLength: 40 })),
  from: Type.Optional(Type.String({ maxLength: 20 })),
  to: Type.Optional(Type.String({ maxLength: 20 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
});
type ListQueryValue = { q?: string; status?: string; procedure?: string; office?: string; from?: string; to?: string; page?: number };
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });
const AddForm = Type.Object({ receiptNumber: Type.Optional(Type.String({ maxLength: 1000 })), password: Type.Optional(Type.String({ maxLength: 20_000 })), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });

/** The query understood: the filters for the service, what to show back, and the errors of what could not be understood. */
function understand(query: ListQueryValue): { shown: ShownFilters; filters: AccountListFilters | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const status = query.status ?? 'all';
  const procedure = query.procedure ?? '';
  if (!STATUS_FILTERS.has(status)) errors['filter-status'] = '申請状況は、一覧から選択してください。';
  if (!PROCEDURE_FILTERS.has(procedure)) errors['filter-procedure'] = '手続は、一覧から選択してください。';
  const shown: ShownFilters = {
    q: (query.q ?? '').slice(0, 60),
    status: (STATUS_FILTERS.has(status) ? status : 'all') as AccountStatusFilter,
    procedure: PROCEDURE_FILTERS.has(procedure) ? procedure : '',
    office: query.office && isOfficeCode(query.office) ? query.office : '',
    from: (query.from ?? '').slice(0, 10),
    to: (query.to ?? '').slice(0, 10),
  };
  const search = parseAccountListSearch(shown.q);
  if (!search.ok) errors['filter-q'] = search.refusal.message;
  const date = (v: string, key: string, label: string): JapanDate | null => {
    if (v === '') return null;
    if (isJapanDate(v)) return v;
    errors[key] = `申請年月日（${label}）は「2026-11-26」の形式で入力してください。`;
    return null;
  };
  const filedFrom = date(shown.from, 'filter-from', 'から');
  const filedTo = date(shown.to, 'filter-to', 'まで');
  if (Object.keys(errors).length > 0 || !search.ok) return { shown, filters: null, errors };
  return {
    shown,
    errors,
    filters: {
      status: shown.status,
      procedure: (shown.procedure || null) as AccountListFilters['procedure'],
      officeCode: (shown.office || null) as OfficeCode | null,
      filedFrom,
      filedTo,
      search: search.value,
      page: query.page ?? 1,
    },
  };
}

const LIST_PATH = '/account/applications';
const NO_FILTERS: ShownFilters = { q: '', status: 'all', procedure: '', office: '', from: '', to: '' };
const FIRST_PAGE: AccountListFilters = { status: 'all', procedure: null, officeCode: null, filedFrom: null, filedTo: null, search: null, page: 1 };

export function accountListRoutes(services: Services): FastifyPluginAsyncTypebox {
  const cache = createAccountListCache();
  return async (app) => {
    app.get('/account/applications', { schema: { querystring: ListQuery }, preHandler: requireAccount }, async (req, reply) => {
      const accountId = accountIdOf(req);
      // The first page as it opens (no query at all): kept per list version (list-cache.ts).
      if (req.url === LIST_PATH) {
        const ctx = pageContext(req, reply);
        const stamp = await services.accountList.stamp(accountId);
        const kept = stamp ? cache.get(accountListKey(accountId, stamp.listVersion, stamp.name, japanDateOf(stamp.now), ctx.fontSize), ctx.csrfToken) : null;
        if (kept) return sendHtml(reply, 200, kept);
        const { list, name, listVersion } = await services.accountList.versionedPage(accountId, FIRST_PAGE);
        const rendered = renderDocument(<AccountListPageView ctx={pageContextWith(ctx, { csrfToken: cache.csrfMark })} name={name} list={list} filters={NO_FILTERS} errors={{}} />);
        const key = listVersion === null ? null : accountListKey(accountId, listVersion, name, japanDateOf(list.now), ctx.fontSize);
        return sendHtml(reply, 200, cache.put(key, rendered, ctx.csrfToken));
      }
      const { shown, filters, errors } = understand(req.query);
      const empty: AccountListPage = { items: [], total: 0, page: 1, pageCount: 1, pageSize: ACCOUNT_LIST_PAGE_SIZE, now: new Date() };
      const [name, list] = await Promise.all([services.accounts.nameOf(accountId), filters ? services.accountList.page(accountId, filters) : empty]);
      return sendHtml(reply, filters ? 200 : 400, renderDocument(<AccountListPageView ctx={pageContext(req, reply)} name={name ?? ''} list={list} filters={shown} errors={errors} />));
    });

    app.get('/account/applications.csv', { schema: { querystring: ListQuery }, preHandler: requireAccount }, async (req, reply) => {
      const { filters } = understand(req.query);
      if (!filters) return reply.redirect(`/account/applications${req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''}`, 303);
      const today = japanDateOf(new Date()).replace(/-/g, '');
      return reply
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="applications-${today}.csv"`)
        .send(services.accountList.csv(accountIdOf(req), filters));
    });

    /** A row of the list opens the application's status page in this session, once it is known to be the account's. */
    app.get('/account/open/:id', { schema: { params: IdParams }, preHandler: requireAccount }, async (req, reply) => {
      const session = req.accountSession;
      const opened = session ? await services.accounts.openApplication(session, req.params.id) : null;
      if (!opened?.ok) return sendHtml(reply, 404, renderDocument(<NotInListPage ctx={pageContext(req, reply)} />));
      return reply.redirect('/inquiry/status', 303);
    });

    app.get('/account/applications/add', { preHandler: requireAccount }, async (req, reply) => sendHtml(reply, 200, renderDocument(<AddPage ctx={pageContext(req, reply)} />)));

    app.post('/account/applications/add', { schema: { body: AddForm }, attachValidation: true, onRequest: loginRateLimit(services, 'account-add'), preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      const ctx = pageContext(req, reply);
      const body = req.validationError ? {} : req.body;
      const numberInput = (body.receiptNumber ?? '').slice(0, 100);
      const parsed = parseReceiptNumber(numberInput);
      const password = body.password ?? '';
      const errors: Record<string, string> = {};
      if (!parsed.ok) errors.receiptNumber = parsed.refusal.message;
      if (password === '') errors.password = '申請用パスワードを入力してください。';
      else if (password.length > 64) errors.password = '申請用パスワードは64文字以内で入力してください。';
      if (!parsed.ok || Object.keys(errors).length > 0) return sendHtml(reply, 400, renderDocument(<AddPage ctx={ctx} number={numberInput} errors={errors} />));
      const result = await services.accounts.addApplication(accountIdOf(req), parsed.value, password, req.log, { clientAddress: req.ip });
      if (!result.ok && 'lockedUntil' in result) {
        reply.header('retry-after', String(result.retryAfterSeconds));
        return sendHtml(reply, 429, renderDocument(<AddPage ctx={ctx} number={numberInput} errors={{ receiptNumber: result.refusal.message }} />));
      }
      if (!result.ok) return sendHtml(reply, refusalStatus(result.refusal.code), renderDocument(<AddPage ctx={ctx} number={numberInput} errors={{ receiptNumber: result.refusal.message }} />));
      // Adding a second application without two-factor is allowed; the operator's rule then applies (decision 0013).
      if ((await services.accounts.twoFactorStanding(accountIdOf(req))) === 'missing') return reply.redirect(`${TWO_FACTOR_SETUP_PATH}?added=1`, 303);
      return sendHtml(reply, 200, renderDocument(<AddPage ctx={ctx} added={{ number: formatReceiptNumber(result.value.number), wasThere: !result.value.added }} />));
    });

    app.get('/account/applications/:id/remove', { schema: { params: IdParams }, preHandler: requireAccount }, async (req, reply) => {
      const ctx = pageContext(req, reply);
      const owned = await services.accounts.accountOwnsApplication(accountIdOf(req), req.params.id);
      const snapshot = owned ? await services.statusInquiry.read(req.params.id) : null;
      if (!snapshot) return sendHtml(reply, 404, renderDocument(<NotInListPage ctx={ctx} />));
      const app_ = snapshot.application;
      return sendHtml(reply, 200, renderDocument(<RemovePage ctx={ctx} id={app_.id} number={formatReceiptNumber(app_.receiptNumber ?? app_.arrivalNumber)} statusLabel={statuses[app_.status].label} />));
    });

    app.post('/account/applications/:id/remove', { schema: { params: IdParams, body: CSRF_ONLY }, preHandler: [requireAccount, app.csrfProtection] }, async (req, reply) => {
      const result = await services.accounts.removeApplication(accountIdOf(req), req.params.id, { clientAddress: req.ip });
      if (!result.ok) return sendHtml(reply, 404, renderDocument(<NotInListPage ctx={pageContext(req, reply)} />));
      return reply.redirect('/account/applications', 303);
    });
  };
}

/** The answer for an application that is not in the account's list, whether it exists or not. */
function NotInListPage({ ctx }: { ctx: PageContext }) {
  return (
    <AccountLayout ctx={ctx} title="申請が見つかりません" current="list">
      <h1 class="page-title">申請が見つかりません</h1>
      <Banner kind="warning" title="この申請は申請一覧にありません。">
        <p>
          <a href="/account/applications">申請一覧へ</a>
        </p>
      </Banner>
    </AccountLayout>
  );
}

