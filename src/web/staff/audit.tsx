import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { formatJapanDateTime } from '../../domain/format.js';
import { parseReceiptNumber, formatReceiptNumber } from '../../domain/receipt-number.js';
import { AUDIT_MAX_DAYS, AUDIT_PAGE_ROWS, auditActions, auditActorKinds, checkAuditRange, type AuditAction } from '../../services/audit.js';
import type { Services } from '../../services/index.js';
import type { AuditRecord } from '../../domain/audit.js';
import { ErrorSummary } from '../components/forms.js';
import type { PageContext } from '../page-context.js';
import { renderDocument } from '../render.js';
import { StaffLayout } from './components.js';
import { requireSupervisor, sendHtml, staffContext } from './guard.js';

interface AuditPageProps {
  readonly ctx: PageContext;
  readonly from: string;
  readonly to: string;
  readonly error?: string | undefined;
  readonly rows?: readonly AuditRecord[] | undefined;
  readonly truncated?: boolean | undefined;
}

function shownNumber(value: string | null): string {
  if (!value) return '';
  const parsed = parseReceiptNumber(value);
  return parsed.ok ? formatReceiptNumber(parsed.value) : value;
}

/** 監査ログ: who did what, from where, when, to which application; for a supervisor (監督者), by date range. */
export function AuditPage({ ctx, from, to, error, rows, truncated }: AuditPageProps) {
  const csvHref = `/staff/audit.csv?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  return (
    <StaffLayout ctx={ctx} title="監査ログ" hasErrors={Boolean(error)} current="audit" wide>
      <h1 class="page-title">監査ログ</h1>
      <ErrorSummary items={error ? [{ field: 'audit-from', message: error }] : []} />
      <p>
        職員のログイン・ログアウト・処理・窓口での確認、APIトークンの作成・失効、申請者のログイン・取り下げ・補正申請の記録です。日時は日本時間で表示しています（記録はUTC）。パスワード、トークン、セッションIDは記録していません。
      </p>
      <form method="get" action="/staff/audit" class="filter-form" role="search" aria-label="監査ログの期間">
        <div class="filter-form__field">
          <label for="audit-from" class="form-field__label">
            開始日
          </label>
          <input id="audit-from" name="from" type="date" class="input" value={from} required aria-invalid={error ? 'true' : undefined} />
        </div>
        <div class="filter-form__field">
          <label for="audit-to" class="form-field__label">
            終了日
          </label>
          <input id="audit-to" name="to" type="date" class="input" value={to} required />
        </div>
        <div class="filter-form__actions">
          <button type="submit" class="button button--primary">
            表示する
          </button>
        </div>
      </form>
      <p class="form-field__hint">期間は{AUDIT_MAX_DAYS}日以内で指定してください（開始日・終了日を含みます）。</p>
      {rows ? (
        <>
          <p role="status">
            {rows.length}件{truncated ? `（先頭の${AUDIT_PAGE_ROWS}件を表示しています。すべての記録はCSVで出力してください）` : ''}
          </p>
          <p>
            <a class="button button--secondary" href={csvHref} download>
              この期間をCSVで出力する
            </a>
          </p>
          {rows.length > 0 ? (
            <div class="table-scroll" role="region" aria-labelledby="audit-caption" tabIndex={0}>
              <table class="data-table">
                <caption id="audit-caption" class="visually-hidden">
                  監査ログ（{from}〜{to}）
                </caption>
                <thead>
                  <tr>
                    <th scope="col">日時（日本時間）</th>
                    <th scope="col">操作</th>
                    <th scope="col">操作者</th>
                    <th scope="col">接続元</th>
                    <th scope="col">受付番号（到達番号）</th>
                    <th scope="col">内容</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr>
                      <td class="nowrap">{formatJapanDateTime(r.occurredAt)}</td>
                      <td>{auditActions[r.action as AuditAction] ?? r.action}</td>
                      <td>
                        {auditActorKinds[r.actorKind as keyof typeof auditActorKinds] ?? r.actorKind}：{r.actorLabel}
                      </td>
                      <td class="nowrap">{r.clientAddress ?? '－'}</td>
                      <td class="nowrap">{shownNumber(r.receiptNumber) || '－'}</td>
                      <td>{r.detail ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p>この期間の記録はありません。</p>
          )}
        </>
      ) : null}
    </StaffLayout>
  );
}

const RangeQuery = Type.Object({ from: Type.Optional(Type.String({ maxLength: 20 })), to: Type.Optional(Type.String({ maxLength: 20 })) });

export function auditRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireSupervisor);

    // Without a range: the last 7 days, today included (Japan dates).
    const defaults = () => services.audit.lastWeek();

    app.get('/staff/audit', { schema: { querystring: RangeQuery }, attachValidation: true }, async (req, reply) => {
      const ctx = staffContext(req, reply);
      const query = req.validationError ? {} : req.query;
      const from = query.from ?? defaults().from;
      const to = query.to ?? defaults().to;
      const range = checkAuditRange(from, to);
      if (req.validationError || !range.ok) {
        const message = range.ok ? '期間の指定が正しくありません。' : range.refusal.message;
        return sendHtml(reply, 400, renderDocument(<AuditPage ctx={ctx} from={from.slice(0, 20)} to={to.slice(0, 20)} error={message} />));
      }
      const { rows, truncated } = await services.audit.list(range.value);
      return sendHtml(reply, 200, renderDocument(<AuditPage ctx={ctx} from={from} to={to} rows={rows} truncated={truncated} />));
    });

    app.get('/staff/audit.csv', { schema: { querystring: RangeQuery }, attachValidation: true }, async (req, reply) => {
      const query = req.validationError ? {} : req.query;
      const range = checkAuditRange(query.from ?? '', query.to ?? '');
      if (req.validationError || !range.ok) {
        const message = range.ok ? '期間の指定が正しくありません。' : range.refusal.message;
        return sendHtml(reply, 400, renderDocument(<AuditPage ctx={staffContext(req, reply)} from={(query.from ?? '').slice(0, 20)} to={(query.to ?? '').slice(0, 20)} error={message} />));
      }
      const csv = await services.audit.csv(range.value);
      if (!csv.ok) return sendHtml(reply, 400, renderDocument(<AuditPage ctx={staffContext(req, reply)} from={range.value.from} to={range.value.to} error={csv.refusal.message} />));
      return reply
        .code(200)
        .type('text/csv; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${csv.value.filename}"`)
        .send(csv.value.body);
    });
  };
}
