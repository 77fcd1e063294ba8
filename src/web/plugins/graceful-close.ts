import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';

/**
 * Graceful shutdown: once `app.close()` has begun, each connection is closed as soon as it falls
 * idle. Node closes the connections idle at that moment, but one that was busy (a request in
 * flight) would stay open after its response until its keep-alive timeout (72 s in Fastify), and
 * the shutdown — and the closing of the database — would wait for it. A request that arrives on
 * such a connection before it is closed gets 503 (return503OnClosing).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function registerGracefulClose(app: FastifyInstance<any, any, any, any, any>): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onResponse', async () => {
    // After the response is done, its connection counts as idle.
    if (closing) setImmediate(() => (app.server as Server).closeIdleConnections());
  });
}
