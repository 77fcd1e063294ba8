import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/web/app.js';
import { createTestApp, silentLogger, type TestApp } from '../support/app.js';

/** The benchmark's ceiling route (npm run bench) exists only when BENCH_ROUTES asks for it. */
describe('GET /__bench/hello (BENCH_ROUTES)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is not a route of the product by default', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/__bench/hello' });
    expect(res.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/__bench/memory' })).statusCode).toBe(404);
  });

  it('answers a fixed small JSON when the app is built with benchRoutes', async () => {
    const app = await buildApp({ services: t.services, cookieSecret: t.secrets.cookieSecret, logger: silentLogger, benchRoutes: true });
    try {
      const res = await app.inject({ method: 'GET', url: '/__bench/hello' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.json()).toEqual({ hello: 'world' });
      const memory = await app.inject({ method: 'GET', url: '/__bench/memory' });
      expect(memory.statusCode).toBe(200);
      expect(Object.keys(memory.json<Record<string, number>>()).sort()).toEqual(['arrayBuffers', 'external', 'heapTotal', 'heapUsed', 'rss']);
    } finally {
      await app.close();
    }
  });

  it('is switched on by BENCH_ROUTES=1 and off by default, and a wrong value stops the start with the variable named', () => {
    expect(loadConfig({}).benchRoutes).toBe(false);
    expect(loadConfig({ BENCH_ROUTES: '1' }).benchRoutes).toBe(true);
    expect(loadConfig({ BENCH_ROUTES: 'on' }).benchRoutes).toBe(true);
    expect(loadConfig({ BENCH_ROUTES: '0' }).benchRoutes).toBe(false);
    expect(() => loadConfig({ BENCH_ROUTES: 'sometimes' })).toThrow(ConfigError);
    expect(() => loadConfig({ BENCH_ROUTES: 'sometimes' })).toThrow('BENCH_ROUTES は on または off で指定してください（指定値: sometimes）。');
  });
});
