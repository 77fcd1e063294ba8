import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/demo/seed.js';
import { silentLogger } from '../support/app.js';
import { textOf } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { HttpBrowser, httpRequest } from './support/http-browser.js';
import { databaseUrlFor, startServer, type ServerProcess } from './support/processes.js';

type WorkerLine = { msg: string; worker: number; pid: number; sweeper: boolean };

const workerLines = (server: ServerProcess) => server.child.logs().filter((l): l is WorkerLine => l.msg === 'worker listening');

async function workersAnswering(server: ServerProcess, requests: number): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < requests; i++) {
    const res = await httpRequest(`${server.url}/healthz`);
    expect(res.statusCode).toBe(200);
    seen.add((JSON.parse(res.body) as { worker: number }).worker);
  }
  return seen;
}

describe('kei-oss serve --workers 2: several processes on one machine', () => {
  let db: TestDatabase;
  let server: ServerProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.handle, { logger: silentLogger });
    server = await startServer({ DATABASE_URL: databaseUrlFor(db.where), SWEEP_INTERVAL_SECONDS: '3600' }, ['--workers', '2']);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await db.destroy();
  });

  it('runs two workers on one port, and one of them runs the deadline sweeper', async () => {
    const lines = workerLines(server);
    expect(lines.map((l) => l.worker).sort()).toEqual([1, 2]);
    expect(lines.filter((l) => l.sweeper).map((l) => l.worker)).toEqual([1]);
    // The primary hands connections to its workers in turn.
    expect(await workersAnswering(server, 8)).toEqual(new Set([1, 2]));
  });

  it('serves one login across both workers (each request on a new connection)', async () => {
    const browser = new HttpBrowser();
    const login = await browser.login(server.url, server.url, '9999 9999 9999 99999', 'demo0101');
    expect(login.statusCode).toBe(303);
    for (let i = 0; i < 4; i++) {
      const page = await browser.get(server.url, '/inquiry/status');
      expect(page.statusCode).toBe(200);
      expect(textOf(page.body)).toContain('受付番号 9999 9999 9999 99999');
    }
  });

  it('replaces a worker that dies, and the new one takes over the sweeper', async () => {
    const sweeper = workerLines(server).find((l) => l.sweeper) as WorkerLine;
    process.kill(sweeper.pid, 'SIGKILL');
    const line = await server.child.waitForLine((l) => l.includes('"worker listening"') && l.includes('"worker":3'));
    expect(JSON.parse(line)).toMatchObject({ worker: 3, sweeper: true });
    expect(server.child.logs().some((l) => l.msg === 'worker exited; starting another' && l.worker === 1 && l.signal === 'SIGKILL')).toBe(true);
    expect(await workersAnswering(server, 8)).toEqual(new Set([2, 3]));
  }, 120_000);

  it('stops on SIGTERM: the workers finish, then the primary exits with 0', async () => {
    const pids = workerLines(server).map((l) => l.pid);
    await server.stop();
    expect(server.child.exitCode).toBe(0);
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  }, 60_000);
});
