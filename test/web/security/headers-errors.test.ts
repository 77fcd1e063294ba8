import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/web/app.js';
import { TestBrowser, textOf, titleOf } from '../../support/browser.js';
import { LogCapture, createSecurityApp, type SecurityApp } from '../../support/security.js';

/** The CSP directives of a response, by name. */
function csp(header: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of String(header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

/** GET routes without parameters: the pages anyone can open. */
const plainGetRoutes = (app: FastifyInstance) =>
  [...new Set(app.routeCatalogue.filter((r) => r.method === 'GET' && !r.url.includes(':') && !r.url.includes('*')).map((r) => r.url))].sort();

describe('headers: a strict Content-Security-Policy, no framing, HSTS over HTTPS only, no server banner', () => {
  let t: SecurityApp;
  let b: TestBrowser;
  beforeAll(async () => {
    t = await createSecurityApp({ seed: true, trustProxy: ['10.0.0.1'] });
    b = new TestBrowser(t.app);
    await b.login('9999 9999 9999 99999', 'demo0101');
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends, on every page (logged in or not), a CSP without inline script, frame-ancestors none, and no Server / X-Powered-By', async () => {
    const urls = plainGetRoutes(t.app);
    expect(urls).toEqual(expect.arrayContaining(['/', '/online', '/inquiry/login', '/inquiry/status']));
    let pages = 0;
    for (const url of urls) {
      for (const browser of [new TestBrowser(t.app), b]) {
        const res = await browser.get(url);
        expect(res.statusCode, url).toBeLessThan(500);
        expect(res.headers.server, url).toBeUndefined();
        expect(res.headers['x-powered-by'], url).toBeUndefined();
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
        // helmet's headers, computed once at start (security.ts), on every answer.
        expect(res.headers['x-frame-options'], url).toBe('DENY');
        expect(res.headers['referrer-policy'], url).toBe('no-referrer');
        expect(res.headers['cross-origin-opener-policy'], url).toBe('same-origin');
        expect(res.headers['strict-transport-security'], url).toBeUndefined();
        const policy = csp(res.headers['content-security-policy']);
        expect(policy.get('script-src'), url).toEqual(["'self'"]);
        expect(policy.get('default-src'), url).toEqual(["'self'"]);
        expect(policy.get('frame-ancestors'), url).toEqual(["'none'"]);
        expect(policy.get('object-src'), url).toEqual(["'none'"]);
        expect(policy.get('base-uri'), url).toEqual(["'none'"]);
        expect(String(res.headers['content-security-policy'])).not.toMatch(/unsafe-inline|unsafe-eval/);
        if (String(res.headers['content-type']).startsWith('text/html')) {
          pages += 1;
          // Nothing the policy would block: no inline script, no event handler attribute, no inline style.
          for (const tag of res.body.match(/<script\b[^>]*>/g) ?? []) expect(tag, url).toMatch(/\ssrc="\/(?!\/)[^"]+"/);
          expect(res.body, url).not.toMatch(/<script\b[^>]*>\s*[^<\s][^<]*<\/script>/);
          expect(res.body, url).not.toMatch(/\son[a-z]+\s*=/i);
          expect(res.body, url).not.toMatch(/\sstyle\s*=/i);
          expect(res.body, url).not.toMatch(/href\s*=\s*"javascript:/i);
        }
      }
    }
    expect(pages).toBeGreaterThan(10);
  });

  it('sends HSTS only when the request came over HTTPS through the trusted proxy', async () => {
    const https = await t.app.inject({ method: 'GET', url: '/', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-proto': 'https' } });
    expect(https.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    const forged = await t.app.inject({ method: 'GET', url: '/', remoteAddress: '198.51.100.3', headers: { 'x-forwarded-proto': 'https' } });
    expect(forged.headers['strict-transport-security']).toBeUndefined();
    const http = await t.app.inject({ method: 'GET', url: '/', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-proto': 'http' } });
    expect(http.headers['strict-transport-security']).toBeUndefined();
  });

  it('keeps the status page out of caches', async () => {
    const res = await b.get('/inquiry/status');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
  });
});

describe('error pages: Japanese, never a stack trace or an internal message', () => {
  let t: SecurityApp;
  let app: FastifyInstance;
  const logs = new LogCapture();
  const SECRET = 'SECRET-INTERNAL-DETAIL select * from applications';
  beforeAll(async () => {
    t = await createSecurityApp();
    // A test-only app: the real one, plus routes that fail in every way a handler can.
    app = await buildApp({ services: t.services, cookieSecret: t.cookieSecret, logger: logs.logger() });
    app.get('/__test/throw', async () => {
      throw new Error(SECRET);
    });
    app.get('/__test/throw-string', async () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the test is about a handler that throws a bare string
      throw SECRET;
    });
    app.get('/__test/throw-sync', () => {
      throw new TypeError(SECRET);
    });
    app.get('/__test/client-error', async () => {
      throw Object.assign(new Error(SECRET), { statusCode: 400 });
    });
    app.get('/api/v1/__test/throw', async () => {
      throw new Error(SECRET);
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const leaks = (body: string) => [SECRET, 'SECRET', 'Error:', 'TypeError', '    at ', '.ts:', '.js:', '/work/', 'node_modules', 'stack'].filter((s) => body.includes(s));

  it('answers a handler that throws with 500 and the Japanese system-error page, naming nothing of the cause', async () => {
    for (const url of ['/__test/throw', '/__test/throw-string', '/__test/throw-sync']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(500);
      expect(res.headers['content-type'], url).toBe('text/html; charset=utf-8');
      expect(titleOf(res.body), url).toBe('システムエラーが発生しました｜軽自動車OSS');
      expect(textOf(res.body), url).toContain('申し訳ありません。処理中にエラーが発生しました。時間をおいて、もう一度操作してください。');
      expect(textOf(res.body), url).toContain('（エラーコード：500）');
      expect(leaks(res.body), url).toEqual([]);
    }
  });

  it('answers a client error with its Japanese page, not the exception message', async () => {
    const res = await app.inject({ method: 'GET', url: '/__test/client-error' });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain('操作を受け付けられませんでした。');
    expect(leaks(res.body)).toEqual([]);
  });

  it('answers the API with a JSON error, without a stack', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/__test/throw' });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toContain('application/json');
    const body = res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe('internalError');
    expect(leaks(res.body)).toEqual([]);
  });

  it('answers an unknown page with the Japanese 404 page', async () => {
    const res = await app.inject({ method: 'GET', url: '/no/such/page?x=<script>' });
    expect(res.statusCode).toBe(404);
    expect(titleOf(res.body)).toBe('ページが見つかりません｜軽自動車OSS');
    expect(res.body).not.toContain('<script>');
  });

  it('keeps the cause in the log, at error level, with the request id', async () => {
    const failures = logs.lines.filter((l) => l.msg === 'request failed');
    expect(failures.length).toBeGreaterThanOrEqual(4);
    for (const f of failures) {
      expect(f.level).toBe(50);
      expect(typeof f.requestId).toBe('string');
    }
    expect(logs.raw).toContain(SECRET);
  });
});
