import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Services } from '../services/index.js';
import { APPLICANT_SESSION_COOKIE, STAFF_SESSION_COOKIE, rememberingSigner } from './cookies.js';
import { csrfUserInfo } from './page-context.js';
import { requestLoggerFactory } from './request-logger.js';
import { frameworkErrors, registerErrorHandlers } from './plugins/errors.js';
import { healthRoutes } from './health.js';
import { registerGracefulClose } from './plugins/graceful-close.js';
import { registerMetrics } from './plugins/metrics.js';
import type { Metrics } from '../metrics.js';
import { registerRouteCatalogue } from './plugins/route-catalogue.js';
import { registerSecurityHeaders } from './plugins/security.js';
import { PUBLIC_DIR, registerAssets } from './plugins/assets.js';
import { registerCompression } from './plugins/compression.js';
import { portalRoutes } from './portal/index.js';
import { STATUS_PATH } from './portal/status.js';
import { apiRoutes } from './api/index.js';
import { staffRoutes } from './staff/index.js';

export interface AppOptions {
  readonly services: Services;
  /** Signs cookies and keys the CSRF tokens (from loadServerSecrets, shared by every process). */
  readonly cookieSecret: string;
  readonly logger: Logger;
  /** Proxies whose X-Forwarded-For/Proto are believed (addresses or CIDRs). */
  readonly trustProxy?: readonly string[] | undefined;
  /** The operator's metrics (src/metrics.ts); null or absent: none are counted. */
  readonly metrics?: Metrics | null | undefined;
  /** METRICS_TOKEN: also serve GET /metrics on this port, to a Bearer of this token only. */
  readonly metricsToken?: string | undefined;
  /** Bytes of rendered status pages kept per process (STATUS_PAGE_CACHE_MB; default DEFAULT_STATUS_PAGE_CACHE_BYTES, 0: none). */
  readonly statusPageCacheBytes?: number | undefined;
  /** Benchmarks only: a fixed small JSON route at /__bench/hello, and /__bench/memory, in the same process. */
  readonly benchRoutes?: boolean | undefined;
}

/** 64 MB of kept status pages: about 16,000 pages (gzip parts, about 3–4 KB each, decision 0008); see docs/benchmarks.md. */
export const DEFAULT_STATUS_PAGE_CACHE_BYTES = 64 * 1024 * 1024;

/** Form bodies are small: a 10 MB body is refused before it is read. */
export const BODY_LIMIT = 64 * 1024;

/** The whole HTTP application, built from its dependencies (no globals), so tests build their own. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { services } = options;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // req.log made at the request's first log line, not for every request (request-logger.ts).
    childLoggerFactory: requestLoggerFactory,
    trustProxy: options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // Lists every route added from here on (the fuzzer and the access tests walk it).
  registerRouteCatalogue(app);
  // Shutdown: connections busy at close() are closed as soon as they fall idle (see the plugin).
  registerGracefulClose(app);
  // Counts every response by route pattern (issue 19); GET /metrics here only with METRICS_TOKEN.
  registerMetrics(app, options.metrics ?? null, { token: options.metricsToken });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  registerErrorHandlers(app);
  await registerSecurityHeaders(app);
  await registerCompression(app);
  await app.register(cookie, { secret: rememberingSigner(options.cookieSecret) });
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  await app.register(rateLimit, { global: false });

  app.decorateRequest('applicantSession', null);
  app.decorateRequest('staffSession', null);
  app.decorateRequest('accountSession', null);
  app.decorateRequest('ownApplication', null);
  app.decorateRequest('statusView', null);
  app.addHook('onRequest', async (req) => {
    const staffArea = req.url.startsWith('/staff');
    const token = req.cookies[staffArea ? STAFF_SESSION_COOKIE : APPLICANT_SESSION_COOKIE];
    if (!token || token.length > 200) return;
    // The status page (issue 18): the session and the stamp of its application in one statement;
    // the page's guard (own-application.ts) takes the stamp from the request.
    let session;
    if (!staffArea && req.method === 'GET' && req.url === STATUS_PATH) {
      const read = await services.sessions.resolveWithStatusView(token);
      session = read?.session;
      req.statusView = read?.view ?? null;
    } else {
      session = await services.sessions.resolve(token);
    }
    if (!session) return;
    if (staffArea && session.kind === 'staff') req.staffSession = session;
    if (!staffArea && session.kind === 'applicant') req.applicantSession = session;
    // A 利用者ID's session; the application it opened from its list (ownership checked when opened,
    // cleared when removed) is served by the applicant's pages as if logged in to it (issue 16).
    if (!staffArea && session.kind === 'account') {
      req.accountSession = session;
      if (session.applicationId) req.applicantSession = session;
    }
  });

  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'kei_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', signed: true },
    // A token is bound to the session it was made in: a form from before a login or after 終了 is stale.
    getUserInfo: csrfUserInfo,
    csrfOpts: { hmacKey: options.cookieSecret },
  });

  // Pages link the content-hashed names (cached a year); the plain names answer too, cached an hour.
  registerAssets(app);
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/assets/',
    index: false,
    maxAge: '1h',
  });

  if (options.benchRoutes) {
    app.get('/__bench/hello', async () => ({ hello: 'world' }));
    // The process's memory, for bench:mail's samples during a drain (RSS alone cannot tell the heap from the rest).
    app.get('/__bench/memory', async () => process.memoryUsage());
  }

  // /healthz and /readyz for load balancers (see docs/deployment.md).
  await app.register(healthRoutes(services));
  await app.register(portalRoutes, { services, statusPageCacheBytes: options.statusPageCacheBytes ?? DEFAULT_STATUS_PAGE_CACHE_BYTES });
  await app.register(apiRoutes, { services });
  await app.register(staffRoutes, { services });
  return app as unknown as FastifyInstance;
}
