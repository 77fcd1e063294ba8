import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Metrics } from '../../metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The operator's metrics (null when they are off): src/metrics.ts. */
    metrics: Metrics | null;
  }
}

/** Requests that matched no route are counted under one label, never under their URL. */
const UNMATCHED = 'unmatched';

/** A Bearer token compared in constant time (hashes of equal length). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (!given) return false;
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(token).digest());
}

/**
 * Counts every response by route pattern (`/api/v1/applications/:number`, never the URL with a
 * receipt number in it), its status and time; agency API requests by the token's role; CSRF refusals.
 * With a token (METRICS_TOKEN) also serves GET /metrics on this port, to a Bearer of that token only.
 */
export function registerMetrics(app: FastifyInstance, metrics: Metrics | null, options: { token?: string | undefined } = {}): void {
  app.decorate('metrics', metrics);
  if (!metrics) return;

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? UNMATCHED;
    const apiRole = req.url.startsWith('/api/v1/') ? (req.apiToken?.role ?? 'none') : null;
    metrics.httpResponse(req.method, route, reply.statusCode, reply.elapsedTime / 1000, apiRole);
  });

  // Runs before the error handler turns the error into the 403 page.
  app.addHook('onError', async (req, _reply, error: FastifyError) => {
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') metrics.csrfRefused(req.url.startsWith('/staff') ? 'staff' : 'portal');
  });

  const token = options.token;
  if (!token) return;
  app.get('/metrics', { schema: { hide: true, headers: Type.Object({ authorization: Type.Optional(Type.String({ maxLength: 1000 })) }) } }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    if (!bearerMatches(req.headers.authorization, token)) {
      reply.header('www-authenticate', 'Bearer realm="kei-oss metrics"');
      return reply.code(401).type('text/plain; charset=utf-8').send('メトリクスの参照には METRICS_TOKEN のトークンが必要です（Authorization: Bearer トークン）。\n');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
