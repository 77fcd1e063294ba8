import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { TestBrowser } from '../support/browser.js';

const hashedLinks = (html: string) => [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);

describe('compression and cached assets (issue 18)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a page is sent brotli-compressed to a browser that accepts br, gzip to one that accepts gzip only, plain otherwise', async () => {
    const plain = await new TestBrowser(t.app).get('/');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await new TestBrowser(t.app).get('/', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toContain('accept-encoding');
    expect(br.headers['cache-control']).toBe('no-store');
    expect(brotliDecompressSync(br.rawPayload).toString('utf8')).toBe(plain.body);
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    const gzip = await new TestBrowser(t.app).get('/', { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString('utf8')).toBe(plain.body);
  });

  it('the logged-in status page is compressed too', async () => {
    const b = new TestBrowser(t.app);
    await b.login('9999 9999 9999 99999', 'demo0101');
    const plain = await b.get('/inquiry/status');
    const br = await b.get('/inquiry/status', { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    // Compressed in one synchronous call (the stream path costs far more CPU): its length is known.
    expect(br.headers['content-length']).toBe(String(br.rawPayload.length));
    // The CSRF token differs from view to view; everything else is the same page.
    const withoutTokens = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '');
    expect(withoutTokens(brotliDecompressSync(br.rawPayload).toString('utf8'))).toBe(withoutTokens(plain.body));
  });

  it('every page links its stylesheets, script and favicon by content-hashed names, cached for a year', async () => {
    const page = await new TestBrowser(t.app).get('/');
    const links = hashedLinks(page.body);
    expect(links).toHaveLength(5);
    for (const name of ['favicon', 'design-tokens', 'site', 'print']) expect(links.some((l) => new RegExp(`^/assets/${name}\\.[0-9a-f]{10}\\.(css|svg)$`).test(l)), name).toBe(true);
    expect(links.some((l) => /^\/assets\/site\.[0-9a-f]{10}\.js$/.test(l))).toBe(true);
    const site = links.find((l) => /^\/assets\/site\.[0-9a-f]{10}\.css$/.test(l))!;
    const res = await new TestBrowser(t.app).get(site);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(res.body).toBe(readFileSync(new URL('../../public/site.css', import.meta.url), 'utf8'));
    for (const link of links) expect((await new TestBrowser(t.app).get(link)).statusCode, link).toBe(200);
  });

  it('a hashed asset comes precompressed (brotli or gzip, as accepted), the same bytes once decompressed', async () => {
    const page = await new TestBrowser(t.app).get('/');
    const site = hashedLinks(page.body).find((l) => l.endsWith('.css') && l.includes('/site.'))!;
    const plain = await new TestBrowser(t.app).get(site);
    const br = await new TestBrowser(t.app).get(site, { 'accept-encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(brotliDecompressSync(br.rawPayload)).toEqual(plain.rawPayload);
    const gzip = await new TestBrowser(t.app).get(site, { 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload)).toEqual(plain.rawPayload);
  });

  it('a hashed name that does not match the file (an old or made-up hash) is not found', async () => {
    expect((await new TestBrowser(t.app).get('/assets/site.0000000000.css')).statusCode).toBe(404);
  });

  it('the plain names still answer (cached an hour), /assets/favicon.svg among them', async () => {
    for (const asset of ['/assets/favicon.svg', '/assets/site.css', '/assets/design-tokens.css']) {
      const res = await new TestBrowser(t.app).get(asset);
      expect(res.statusCode, asset).toBe(200);
      expect(res.headers['cache-control'], asset).toBe('public, max-age=3600');
    }
  });
});
