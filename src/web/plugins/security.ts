import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

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
  });
  app.addHook('onSend', async (req, reply) => {
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=63072000; includeSubDomains');
    reply.removeHeader('x-powered-by');
    reply.removeHeader('server');
  });
}
