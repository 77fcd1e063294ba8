import cluster from 'node:cluster';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../services/index.js';

const Alive = Type.Object({ status: Type.Literal('ok'), worker: Type.Union([Type.Integer(), Type.Null()]) });
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  migrations: Type.Union([Type.Literal('current'), Type.Literal('pending'), Type.Literal('unknown')]),
  message: Type.Optional(Type.String()),
});
const NoQuery = Type.Object({}, { additionalProperties: false });

/**
 * Health checks for load balancers and orchestrators (JSON, never cached, no session needed):
 * - GET /healthz: the process is alive and answers (liveness; restart it when this fails);
 * - GET /readyz: the database answers and every migration has run (readiness; send no traffic
 *   while this is 503; it becomes 200 again by itself when the database comes back).
 */
export function healthRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/healthz', { schema: { querystring: NoQuery, response: { 200: Alive } } }, async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' as const, worker: cluster.isWorker ? (cluster.worker?.id ?? null) : null };
    });

    app.get('/readyz', { schema: { querystring: NoQuery, response: { 200: Readiness, 503: Readiness } } }, async (req, reply) => {
      reply.header('cache-control', 'no-store');
      const check = await services.health.readiness();
      if (check.database === 'ok' && check.migrations === 'current') return { status: 'ready' as const, ...check };
      req.log.warn({ check }, 'not ready');
      reply.header('retry-after', '10');
      const message = check.database === 'ok' ? 'データベースの更新（マイグレーション）が完了していません。' : 'データベースに接続できません。';
      return reply.code(503).send({ status: 'unavailable' as const, ...check, message });
    });
  };
}
