import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { sendErrorPage } from './errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The refusal of a state-changing request sent from another site. */
export const CROSS_SITE_MESSAGE = '他のサイトから送信された操作は受け付けられません。この画面のフォームから、もう一度操作してください。';

/**
 * A second layer behind the CSRF tokens: a state-changing request (POST and the like) of the portal
 * or the staff UI is refused (403) when the browser says it comes from another site —
 * `Sec-Fetch-Site: cross-site` or `same-site` — or its `Origin` names another host. `Origin: null`
 * is allowed (browsers send it for this site's own forms under `Referrer-Policy: no-referrer`), and
 * so is a request without these headers (not a browser): the CSRF token still decides. The agency API
 * (/api/) is exempt: it authenticates by bearer token, never by cookie, so a page of another site
 * cannot act with anyone's authority there.
 */
export async function refuseCrossSiteWrites(req: FastifyRequest, reply: FastifyReply) {
  if (SAFE_METHODS.has(req.method) || req.url.startsWith('/api/')) return;
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  let crossSite = site === 'cross-site' || site === 'same-site';
  if (!crossSite && typeof origin === 'string' && origin !== 'null') {
    try {
      crossSite = new URL(origin).host !== String(req.headers.host ?? '').toLowerCase();
    } catch {
      crossSite = true;
    }
  }
  if (!crossSite) return;
  req.log.info({ event: 'cross-site-write-refused', secFetchSite: site ?? null }, 'cross-site write refused');
  return sendErrorPage(req, reply, 403, '画面の有効期限が切れました', CROSS_SITE_MESSAGE, 'crossSite');
}

/** The refusal of input that carries a NUL character (U+0000): no field of any form or API takes one. */
export const NUL_MESSAGE = '送信内容に使用できない制御文字（NUL）が含まれています。入力内容を確認して、もう一度操作してください。';

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => hasNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v, depth + 1));
}

/**
 * A NUL character in a path parameter, the query or the body is refused at the door (400, in
 * Japanese) on every route: PostgreSQL cannot store or compare it in text, and no field has a use for it.
 */
export async function refuseNulCharacters(req: FastifyRequest, reply: FastifyReply) {
  if (!hasNul(req.params) && !hasNul(req.query) && !hasNul(req.body)) return;
  return sendErrorPage(req, reply, 400, '入力内容に誤りがあります', NUL_MESSAGE, 'invalidInput');
}

const HELMET_OPTIONS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
  },
  // Sent only over HTTPS (below): a browser ignores it over HTTP and local development stays usable.
  strictTransportSecurity: false,
  crossOriginEmbedderPolicy: false,
  // Agrees with frame-ancestors 'none': no page of this site may be framed, not even by itself.
  xFrameOptions: { action: 'deny' },
} as const;

/** The headers Fastify itself writes (not helmet's). */
const FRAMEWORK_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding']);

/** What helmet (the published package, through @fastify/helmet) sets with our options, asked once of a throwaway instance. */
async function helmetHeaders(): Promise<Record<string, string>> {
  const probe = Fastify();
  try {
    await probe.register(helmet, HELMET_OPTIONS);
    probe.get('/', async () => 'ok');
    const res = await probe.inject({ method: 'GET', url: '/' });
    return Object.fromEntries(Object.entries(res.headers).flatMap(([name, value]) => (FRAMEWORK_HEADERS.has(name) || typeof value !== 'string' ? [] : [[name, value]])));
  } finally {
    await probe.close();
  }
}

/**
 * Headers: a strict Content-Security-Policy (scripts and styles from our own files only, no inline
 * script, no framing), HSTS when served over HTTPS, and no banner naming the server.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  // @fastify/helmet builds helmet's middleware (and parses the CSP directives) again at every
  // request, in two hooks: the same headers each time, since no route has options of its own and
  // no nonce is used. So helmet answers once, here, and every reply gets its headers as they are.
  const headers = await helmetHeaders();
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(headers);
    done();
  });
  app.addHook('onRequest', refuseCrossSiteWrites);
  app.addHook('preValidation', refuseNulCharacters);
  app.addHook('onSend', async (req, reply) => {
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=63072000; includeSubDomains');
    reply.removeHeader('x-powered-by');
    reply.removeHeader('server');
  });
}
