import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/**
 * Headers: a strict Content-Security-Policy (scripts and styles from our own files only, no inline
 * script, no framing), HSTS when served over HTTPS, and no banner naming the server.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
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
  });
  app.addHook('onRequest', refuseCrossSiteWrites);
  app.addHook('onSend', async (req, reply) => {
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=63072000; includeSubDomains');
    reply.removeHeader('x-powered-by');
    reply.removeHeader('server');
  });
}
