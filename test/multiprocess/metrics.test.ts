import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/lib/server.js';
import { demoScenarios } from '../../src/demo/scenarios.js';
import { seedDemo } from '../../src/demo/seed.js';
import { silentLogger } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { httpRequest } from './support/http-browser.js';
import { databaseUrlFor, startServer, type ServerProcess } from './support/processes.js';

/** The value of the sample with exactly this name and label text, e.g. `{role="x",status_code="200"}`. */
function sample(text: string, nameAndLabels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${nameAndLabels} `));
  return line === undefined ? undefined : Number(line.slice(nameAndLabels.length + 1));
}

describe('kei-oss serve --workers 2 with METRICS_PORT: the primary serves every worker\'s metrics, aggregated', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.handle, { logger: silentLogger });
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    server = await startServer({ DATABASE_URL: databaseUrlFor(db.where), METRICS_PORT: String(port) }, ['--workers', '2']);
    await server.child.waitForLine((l) => l.includes('"metrics listening (all workers)"'));
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await db.destroy();
  });

  it('sums the counters of both workers and shows the database figures once, not once per worker', async () => {
    // Each request on a new connection: the primary hands them to the workers in turn.
    for (let i = 0; i < 6; i++) {
      const res = await httpRequest(`${server.url}/api/v1/applications/11000000000000010`, { headers: { authorization: 'Bearer keioss_demo_tokyo_office' } });
      expect(res.statusCode).toBe(200);
    }
    const workers: number[] = [];
    for (let i = 0; i < 8; i++) workers.push((JSON.parse((await httpRequest(`${server.url}/healthz`)).body) as { worker: number }).worker);
    expect(new Set(workers)).toEqual(new Set([1, 2]));

    const res = await httpRequest(metricsUrl);
    expect(res.statusCode).toBe(200);
    expect(sample(res.body, 'keioss_api_requests_total{role="inspectionOffice",status_code="200"}')).toBe(6);
    expect(sample(res.body, 'keioss_http_requests_total{method="GET",route="/api/v1/applications/:number",status_code="200"}')).toBe(6);
    // Answered by both workers: the figure is their sum.
    expect(sample(res.body, 'keioss_http_requests_total{method="GET",route="/healthz",status_code="200"}')).toBe(8);
    const applications = res.body.split('\n').filter((l) => l.startsWith('keioss_applications{'));
    expect(applications.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0)).toBe(demoScenarios.length);
    // Not on the public port (no METRICS_TOKEN).
    expect((await httpRequest(`${server.url}/metrics`)).statusCode).toBe(404);
  });
});
