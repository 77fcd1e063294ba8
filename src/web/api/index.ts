import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { v1Routes } from './routes.js';
import { accountRoutes } from './account/routes.js';

export const API_DOCS_PATH = '/api/docs';

/**
 * CSP hash of the one inline <style> @fastify/swagger-ui 6.1's bundle inserts (found with Chromium:
 * the violation report names it). If an upgrade changes it, the docs lose that style only; the
 * browser console names the new hash.
 */
export const SWAGGER_UI_STYLE_HASH = 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w=';

/**
 * The agency API: `/api/v1` (JSON, bearer tokens), its OpenAPI document at `/api/openapi.json`
 * and the browsable docs at `/api/docs`. Swagger is registered inside this plugin, so the document
 * lists the API and nothing of the portal or the staff UI.
 */
export const apiRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'kei-oss API（事務所等 API・一括申請 API）',
        version: '1.0.0',
        description:
          '軽自動車検査協会の事務所等、都道府県税事務所、収納機関（Pay-easy）、添付書類取得元システムが、申請を次の状況へ進めるための API です。' +
          '認証は `Authorization: Bearer <トークン>`（`kei-oss create-api-token` で作成）。エラーは `{ "error": { "code", "message" } }`。' +
          '書き込みは `expectedVersion`（または `If-Match`）で版を確認し（古ければ 409）、`Idempotency-Key` で安全に再送できます。' +
          '一括申請 API（/api/v1/account/…）は、販売店等の業務システムが利用者IDのAPIトークンで使う API です（一括申請、一括照会、変更の一覧、Webhook）。詳しくは docs/api.md。',
      },
      servers: [],
      tags: [
        { name: 'applications', description: '申請の登録・参照・イベント' },
        { name: 'payments', description: 'まとめ納付の納付番号の納付' },
        { name: 'token', description: 'トークン' },
        { name: 'account', description: '一括申請 API（利用者IDのAPIトークン）: 一括照会・変更の一覧・一括申請・Webhook' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'kei-oss create-api-token が表示するトークン' },
          accountToken: { type: 'http', scheme: 'bearer', description: '利用者IDのAPIトークン（keioss_acct_…）: 利用者情報の「APIトークン・Webhook」の画面で発行（一括申請 API: /api/v1/account/…）' },
        },
      },
      security: [{ bearerAuth: [] }],
    },
  });

  await app.register(swaggerUi, {
    routePrefix: API_DOCS_PATH,
    uiConfig: { deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0, tryItOutEnabled: false },
    // The app's strict CSP stays in force on the docs pages: Swagger UI loads its bundle, styles and
    // initializer as files. Its bundle inserts one <style> element at start; only that exact content
    // is allowed, by its hash, and only on these pages (other pages keep style-src 'self').
    transformStaticCSP: (header) => header.replace(/style-src 'self'/, `style-src 'self' '${SWAGGER_UI_STYLE_HASH}'`),
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async (_req, reply) => reply.type('application/json; charset=utf-8').send(app.swagger()));

  await app.register(v1Routes(services), { prefix: '/api/v1' });
  // The 一括申請 API of a 利用者ID (issue 17): its own tokens, so outside the agency routes' bearer check.
  await app.register(accountRoutes(services), { prefix: '/api/v1/account' });
};
