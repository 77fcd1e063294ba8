import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeCursor, parseFeedLimit } from '../../../domain/account-api.js';
import { BULK_QUERY_MAX } from '../../../services/account-api.js';
import type { Services } from '../../../services/index.js';
import { errorBody, sendApiError } from '../errors.js';
import { ErrorResponse } from '../schemas.js';
import { useStrictJson } from '../json.js';
import { accountBearerAuth, accountTokenOf, requireScope } from './auth.js';
import { AccountMeResponse, ChangesQuery, ChangesResponse, QueryBody, QueryResponse } from './schemas.js';
import { applicationStatusView, changeView } from './views.js';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));

/** Requests a token may make in a minute (decision 0011, docs/api.md); a 429 carries Retry-After. */
export const ACCOUNT_RATE_LIMITS = { read: 120, file: 20 } as const;

function perToken(max: number) {
  return { rateLimit: { max, timeWindow: 60_000, keyGenerator: (req: FastifyRequest) => `account-token:${req.accountToken?.id ?? req.ip}` } };
}

const sendJson = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type('application/json; charset=utf-8').header('cache-control', 'no-store').send(JSON.stringify(body));

/** `/api/v1/account`: the 一括申請 API of a 利用者ID (issue 17), with its own tokens. */
export function accountRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const api = services.accountApi;
    app.decorateRequest('accountToken', null);
    app.addHook('onRequest', accountBearerAuth(api));
    useStrictJson(app);

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
  };
}
