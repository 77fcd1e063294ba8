import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/server.js';

export interface E2eServer {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** Where the server writes each mail as an .eml file (no SMTP_URL), inside the run's temporary folder. */
  readonly mailDir: string;
  readonly runtime: Runtime;
  /** Log lines at level error or worse since the server started (a 500 is a bug the browser would not show). */
  errors(): string[];
  /** The routes that answered, as `GET /inquiry/status` (the route's pattern, not the URL), with their last status code. */
  hits(): ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

/**
 * The real server, in this process: `createRuntime` with the configuration read the way `kei-oss
 * serve` reads it, on a new SQLite file filled with the demo applications (relative to today, as a
 * person trying the demo would see them), listening on 127.0.0.1 on a free port.
 */
export async function startServer(settings: Readonly<Record<string, string>> = {}): Promise<E2eServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kei-oss-e2e-'));
  const config = loadConfig({
    DATABASE_URL: `file:${join(dir, 'e2e.sqlite')}`,
    HOST: '127.0.0.1',
    PORT: '0',
    DEMO_DATA: 'on',
    LOG_LEVEL: 'warn',
    SWEEP_INTERVAL_SECONDS: '0',
    // Mail (issue 15): .eml files in the run's own folder, delivered within a second.
    MAIL_DIR: join(dir, 'mail'),
    MAIL_POLL_SECONDS: '1',
    // A test file's own settings (an operator's choice such as ACCOUNT_TOTP_REQUIRED).
    ...settings,
  });
  const errors: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          if ((JSON.parse(line) as { level?: number }).level! >= 50) errors.push(line);
        } catch {
          errors.push(line);
        }
      }
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  let runtime: Runtime;
  const hits = new Map<string, number>();
  try {
    runtime = await createRuntime(config, logger);
    // Which pages the tests reached (e2e/support/pages.ts checks each page is covered where it says).
    runtime.app.addHook('onResponse', async (req, reply) => {
      if (req.routeOptions.url) hits.set(`${req.method} ${req.routeOptions.url}`, reply.statusCode);
    });
    await runtime.app.listen({ host: config.host, port: config.port });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const { port } = runtime.app.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    mailDir: join(dir, 'mail'),
    runtime,
    errors: () => [...errors],
    hits: () => hits,
    async stop() {
      try {
        await runtime.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
