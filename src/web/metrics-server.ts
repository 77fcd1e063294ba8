import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import { bearerMatches } from './plugins/metrics.js';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * GET /metrics on a port of its own (METRICS_PORT, on METRICS_HOST: loopback unless told), apart
 * from the public port. Nothing else is served there. With a token (METRICS_TOKEN) a scrape must
 * carry it as a Bearer. `collect` gives the text: one process's registry, or (the primary of
 * `--workers N`) every worker's, aggregated.
 */
export async function startMetricsServer(options: { port: number; host: string; token: string | null; collect: () => Promise<string>; onError?: (err: unknown) => void }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics のみ提供しています。\n');
      return;
    }
    if (options.token && !bearerMatches(req.headers.authorization, options.token)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="kei-oss metrics"' }).end('メトリクスの参照には METRICS_TOKEN のトークンが必要です（Authorization: Bearer トークン）。\n');
      return;
    }
    options.collect().then(
      (text) => res.writeHead(200, { 'content-type': client.Registry.PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(text),
      (err: unknown) => {
        options.onError?.(err);
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('メトリクスを集計できませんでした。\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The primary of `--workers N`: asks every worker for its registry and aggregates them (prom-client's AggregatorRegistry). */
export function clusterCollector(): () => Promise<string> {
  const aggregator = new client.AggregatorRegistry();
  return () => aggregator.clusterMetrics();
}

/** A worker of `--workers N`: answers the primary's requests with this registry. */
export function offerToPrimary(registry: client.Registry): void {
  client.AggregatorRegistry.setRegistries([registry]);
  // prom-client starts answering the primary's requests when an AggregatorRegistry is made in the worker.
  new client.AggregatorRegistry();
}
