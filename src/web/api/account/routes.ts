import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeCursor, parseFeedLimit } from '../../../domain/account-api.js';
import { BULK_QUERY_MAX } from '../../../services/account-api.js';
import type { Services } from '../../../services/index.js';
import { errorBody, sendApiError } from '../errors.js';
import { ErrorResponse, IdempotencyKeyHeader } from '../schemas.js';
import { useStrictJson } from '../json.js';
import { accountBearerAuth, accountTokenOf, requireScope } from './auth.js';
import { AccountMeResponse, ChangesQuery, ChangesResponse, EndpointParams, FilingRequest, FilingResponse, QueryBody, QueryResponse, WebhookBody, WebhookCreated, WebhookSecret, WebhooksResponse } from './schemas.js';
import { Type } from '@fastify/type-provider-typebox';
import type { EndpointWithDeliveries } from '../../../services/webhooks.js';
import { WEBHOOK_ENDPOINTS_MAX } from '../../../domain/webhooks.js';
import { CSV_TEMPLATE, checkRowShape, decodeCsv } from './filing-input.js';
import { BULK_FILING_MAX } from '../../../services/account-filing.js';
import { isValidIdempotencyKey } from '../../../services/idempotency.js';
import { applicationStatusView, changeView } from './views.js';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));

/** Requests a token may make in a minute (decision 0011, docs/api.md); a 429 carries Retry-After. */
export const ACCOUNT_RATE_LIMITS = { read: 120, file: 20 } as const;

function perToken(max: number) {
  return { rateLimit: { max, timeWindow: 60_000, keyGenerator: (req: FastifyRequest) => `account-token:${req.accountToken?.id ?? req.ip}` } };
}

/** 500 rows of a few hundred bytes each fit many times over; a 100 MB body is refused (413) before it is read. */
const BULK_FILING_BODY_LIMIT = 4 * 1024 * 1024;

const sendJson = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type('application/json; charset=utf-8').header('cache-control', 'no-store').send(JSON.stringify(body));

/** `/api/v1/account`: the 一括申請 API of a 利用者ID (issue 17), with its own tokens. */
export function accountRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const api = services.accountApi;
    app.decorateRequest('accountToken', null);
    // The OpenAPI document names the account's own token on every route here (the template needs none).
    app.addHook('onRoute', (route) => {
      if (route.schema && !('security' in route.schema)) route.schema = { ...route.schema, security: [{ accountToken: [] }] } as typeof route.schema;
    });
    app.addHook('onRequest', accountBearerAuth(api));
    useStrictJson(app);

    // CSV uploads are read as bytes: their encoding is detected (decodeCsv), not assumed.
    app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    app.get(
      '/applications/template.csv',
      { schema: { summary: '一括申請の CSV テンプレート', description: '1行目の見出し（列名）だけの CSV（UTF-8、BOM 付き）。列の意味は docs/api.md。認証は不要。', tags: ['account'], security: [] }, config: { public: true } },
      async (_req, reply) => reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="kei-oss-bulk-template.csv"').send(CSV_TEMPLATE),
    );

    app.post(
      '/applications',
      {
        bodyLimit: BULK_FILING_BODY_LIMIT,
        schema: {
          summary: '一括申請',
          description:
            `申請を${BULK_FILING_MAX}件まで、JSON（{ "applications": [ … ] }）または CSV（text/csv、UTF-8 または Shift_JIS）で送る。各行は「申請を行う」と同じ規則で確かめ、行ごとに到達番号か誤り（項目と日本語のメッセージ）を返す。行は互いに独立（正しい行は申請され、誤りのある行は報告される）。` +
            'Idempotency-Key（要求ごと）または各行の rowKey を付ければ、再送しても同じ行が二度申請されることはない（申請済みの行は replayed: true で同じ到達番号を返す）。',
          tags: ['account'],
          headers: IdempotencyKeyHeader,
          body: FilingRequest,
          response: { 200: FilingResponse, ...errors(400, 401, 403, 413, 415, 429) },
        },
        attachValidation: true,
        preHandler: requireScope('file'),
        config: perToken(ACCOUNT_RATE_LIMITS.file),
      },
      async (req, reply) => {
        const token = accountTokenOf(req);
        const key = req.headers['idempotency-key'];
        if (key !== undefined && (typeof key !== 'string' || !isValidIdempotencyKey(key))) {
          return sendApiError(reply, 400, 'invalidIdempotencyKey', 'Idempotency-Key は半角英数字・記号の1〜200文字で指定してください。');
        }
        let records: unknown[];
        let encoding: 'utf-8' | 'shift_jis' | null = null;
        if (Buffer.isBuffer(req.body)) {
          const csv = decodeCsv(req.body);
          if (!csv.ok) return sendApiError(reply, 400, 'invalidCsv', csv.message);
          records = csv.records;
          encoding = csv.encoding;
        } else {
          const body = req.body as { applications?: unknown } | null;
          if (!body || typeof body !== 'object' || !Array.isArray(body.applications)) {
            return sendApiError(reply, 400, 'invalidInput', '本文は { "applications": [ 申請, … ] } の形式で指定してください（CSV は Content-Type: text/csv で送ってください）。');
          }
          records = body.applications as unknown[];
        }
        if (records.length === 0) return sendApiError(reply, 400, 'invalidInput', '申請が1件もありません。');
        if (records.length > BULK_FILING_MAX) {
          return sendApiError(reply, 400, 'tooManyRows', `1回の一括申請は${BULK_FILING_MAX}件までです（${records.length.toLocaleString('ja-JP')}件）。${BULK_FILING_MAX}件ずつに分けて送ってください。何も申請していません。`);
        }
        const checked = records.map(checkRowShape);
        const keys = new Map<string, number>();
        for (const [i, c] of checked.entries()) {
          const rowKey = c.ok ? c.row.rowKey : c.rowKey;
          if (rowKey === undefined || rowKey === null) continue;
          const first = keys.get(rowKey);
          if (first !== undefined) return sendApiError(reply, 400, 'duplicateRowKey', `${i + 1}行目の rowKey が${first}行目と同じです。行ごとに異なるキーを指定してください。何も申請していません。`);
          keys.set(rowKey, i + 1);
        }
        const valid = checked.flatMap((c, i) => (c.ok ? [{ row: i + 1, filing: c.row }] : []));
        const filed = await services.accountFiling.fileMany(token.accountId, valid, typeof key === 'string' ? key : null, req.ip);
        const byRow = new Map(filed.map((r) => [r.row, r]));
        const results = checked.map((c, i) => byRow.get(i + 1) ?? { row: i + 1, rowKey: c.ok ? null : c.rowKey, ok: false as const, errors: c.ok ? [] : Object.entries(c.fields).map(([field, message]) => ({ field, message })) });
        const ok = results.filter((r) => r.ok).length;
        return sendJson(reply, 200, { filed: ok, failed: results.length - ok, ...(encoding ? { encoding } : {}), results });
      },
    );

    app.get(
      '/me',
      { schema: { summary: 'このトークンの情報', tags: ['account'], response: { 200: AccountMeResponse, ...errors(401, 429) } }, config: perToken(ACCOUNT_RATE_LIMITS.read) },
      async (req, reply) => {
        const t = accountTokenOf(req);
        return sendJson(reply, 200, { tokenId: t.id, name: t.name, scopes: t.scopes, expiresAt: t.expiresAt.toISOString() });
      },
    );

    app.get(
      '/changes',
      {
        schema: {
          summary: '変更の一覧（changes feed）',
          description:
            '利用者IDの申請の申請状況の変更を、確定した順に返す。応答の nextCursor を次の要求の after に指定すれば、変更を1件も漏らさず重複もなく受け取れる（同じミリ秒に別のサーバーで確定した変更も）。1分に1回程度の要求で、すべての申請の状況を追える。',
          tags: ['account'],
          querystring: ChangesQuery,
          response: { 200: ChangesResponse, ...errors(400, 401, 403, 429) },
        },
        attachValidation: true,
        preHandler: requireScope('read'),
        config: perToken(ACCOUNT_RATE_LIMITS.read),
      },
      async (req, reply) => {
        const q = req.query as { after?: string; limit?: string };
        const cursor = decodeCursor(q.after);
        const limit = parseFeedLimit(q.limit);
        if (req.validationError || !cursor.ok || !limit.ok) {
          const message = !cursor.ok ? cursor.refusal.message : !limit.ok ? limit.refusal.message : 'after または limit の形式が正しくありません。';
          return sendApiError(reply, 400, 'invalidInput', message);
        }
        const page = await api.changes(accountTokenOf(req).accountId, cursor.value, limit.value);
        return sendJson(reply, 200, { changes: page.changes.map(changeView), nextCursor: page.nextCursor || (q.after ?? ''), hasMore: page.changes.length === limit.value });
      },
    );

    app.post(
      '/applications/query',
      {
        schema: {
          summary: '申請状況の一括照会',
          description: `受付番号（到達番号）を${BULK_QUERY_MAX}件まで指定し、それぞれの申請状況（申請状況照会の画面と同じ内容: 手続進捗状況、通知メッセージ、期限、納付情報、できる操作）を1回で返す。この利用者IDの申請でない番号と存在しない番号は、同じく「見つかりません」と答える。`,
          tags: ['account'],
          body: QueryBody,
          response: { 200: QueryResponse, ...errors(400, 401, 403, 413, 415, 429) },
        },
        attachValidation: true,
        preHandler: requireScope('read'),
        config: perToken(ACCOUNT_RATE_LIMITS.read),
      },
      async (req, reply) => {
        if (req.validationError) {
          const body = req.body as { numbers?: unknown } | null;
          const count = Array.isArray(body?.numbers) ? (body.numbers as unknown[]).length : 0;
          return sendJson(reply, 400, errorBody('invalidInput', count > BULK_QUERY_MAX ? `numbers は${BULK_QUERY_MAX}件までです（${count}件）。分けて照会してください。` : '本文は { "numbers": ["受付番号", …] } の形式で、受付番号を1〜1000件指定してください。'));
        }
        const { answers, now } = await api.query(accountTokenOf(req).accountId, req.body.numbers);
        return sendJson(reply, 200, {
          results: answers.map((a) => (a.application ? { number: a.number, found: true, application: applicationStatusView(a.application, now) } : { number: a.number, found: false, error: { code: 'notFound', message: a.message } })),
        });
      },
    );

    const endpointView = (e: EndpointWithDeliveries) => ({
      id: e.id,
      url: e.url,
      createdAt: e.createdAt.toISOString(),
      failingSince: e.failingSince?.toISOString() ?? null,
      disabledAt: e.disabledAt?.toISOString() ?? null,
      disabledReason: e.disabledReason,
      deliveries: e.deliveries.map((d) => ({ id: d.id, seq: d.seq, state: d.state, attempts: d.attempts, lastStatus: d.lastStatus, lastError: d.lastError, lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null, nextAttemptAt: d.state === 'queued' ? d.nextAttemptAt.toISOString() : null, createdAt: d.createdAt.toISOString() })),
    });
    const act = { preHandler: requireScope('act'), config: perToken(ACCOUNT_RATE_LIMITS.read) };

    app.get('/webhooks', { schema: { summary: 'Webhook の送信先と送信の記録', tags: ['account'], response: { 200: WebhooksResponse, ...errors(401, 403, 429) } }, ...act }, async (req, reply) =>
      sendJson(reply, 200, { endpoints: (await services.webhooks.list(accountTokenOf(req).accountId)).map(endpointView) }),
    );

    app.post(
      '/webhooks',
      {
        schema: {
          summary: 'Webhook の送信先の登録',
          description: `申請状況が変わるたびに、Standard Webhooks の形式（webhook-id, webhook-timestamp, webhook-signature）で署名して POST する送信先を登録する。https:// のみ（本番では内部ネットワークのアドレスは不可）。署名の鍵（whsec_…）はこの応答でだけ返す。${WEBHOOK_ENDPOINTS_MAX}件まで。`,
          tags: ['account'],
          body: WebhookBody,
          response: { 201: WebhookCreated, ...errors(400, 401, 403, 415, 429) },
        },
        attachValidation: true,
        ...act,
      },
      async (req, reply) => {
        if (req.validationError) return sendApiError(reply, 400, 'invalidInput', '本文は { "url": "https://…" } の形式で指定してください。');
        const r = await services.webhooks.register(accountTokenOf(req).accountId, req.body.url, { clientAddress: req.ip });
        if (!r.ok) return sendApiError(reply, 400, r.refusal.code, r.refusal.message);
        return sendJson(reply, 201, { id: r.value.endpoint.id, url: r.value.endpoint.url, secret: r.value.secret });
      },
    );

    app.post('/webhooks/:id/rotate', { schema: { summary: 'Webhook の署名の鍵の更新', description: '新しい鍵（whsec_…）をこの応答でだけ返す。次の送信から新しい鍵で署名する。', tags: ['account'], params: EndpointParams, response: { 200: WebhookSecret, ...errors(401, 403, 404, 429) } }, ...act }, async (req, reply) => {
      const r = await services.webhooks.rotate(accountTokenOf(req).accountId, req.params.id, { clientAddress: req.ip });
      return r.ok ? sendJson(reply, 200, { secret: r.value.secret }) : sendApiError(reply, 404, 'notFound', r.refusal.message);
    });

    app.post('/webhooks/:id/enable', { schema: { summary: '無効になった Webhook の送信先を再び有効にする', tags: ['account'], params: EndpointParams, response: { 204: Type.Null(), ...errors(401, 403, 404, 429) } }, ...act }, async (req, reply) =>
      (await services.webhooks.enable(accountTokenOf(req).accountId, req.params.id, { clientAddress: req.ip })) ? reply.code(204).send(null) : sendApiError(reply, 404, 'notFound', '指定された Webhook の送信先は見つかりません。'),
    );

    app.delete('/webhooks/:id', { schema: { summary: 'Webhook の送信先の削除', tags: ['account'], params: EndpointParams, response: { 204: Type.Null(), ...errors(401, 403, 404, 429) } }, ...act }, async (req, reply) =>
      (await services.webhooks.remove(accountTokenOf(req).accountId, req.params.id, { clientAddress: req.ip })) ? reply.code(204).send(null) : sendApiError(reply, 404, 'notFound', '指定された Webhook の送信先は見つかりません。'),
    );
  };
}
