import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';

/** One route as registered: what the hostile-input fuzzer and the access tests walk. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly schema: FastifySchema | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the app (filled by an onRoute hook), so that tests cover new routes automatically. */
    readonly routeCatalogue: readonly RouteEntry[];
  }
}

/** Registers the onRoute hook first thing, so every route added afterwards, in any plugin, is listed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function registerRouteCatalogue(app: FastifyInstance<any, any, any, any, any>): void {
  const routes: RouteEntry[] = [];
  app.decorate('routeCatalogue', routes);
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url, schema: route.schema });
  });
}
