import type { FastifyInstance } from 'fastify';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerSecrets, type Services } from '../../../src/services/index.js';
import { buildApp } from '../../../src/web/app.js';
import { notificationRepository } from '../../../src/store/notifications.repository.js';
import type { DatabaseHandle } from '../../../src/store/database.js';
import { createTestApp, openSecondProcess, silentLogger, type SecondProcess, type TestApp } from '../../support/app.js';
import { csrfTokenOf, TestBrowser, textOf } from '../../support/browser.js';

const MANUAL_CI = '9999 9999 9999 99999';
const tokensOf = (html: string) => [...html.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]!);
const withoutTokens = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""');

/**
 * The status page is kept per process, keyed by the application's version read in the same request
 * (issue 18): two app instances on one database stand for two server processes, each with its cache.
 */
describe('the kept status page is never stale', () => {
  let t: TestApp;
  let second: SecondProcess;
  let otherHandle: DatabaseHandle;
  let other: FastifyInstance;
  let otherServices: Services;
  let applicationId: string;

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    second = await openSecondProcess(t);
    ({ app: other, services: otherServices, handle: otherHandle } = second);
    applicationId = (await t.services.findApplicationId(MANUAL_CI.replace(/ /g, '') as never))!;
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  it('a second view is the same page with a fresh CSRF token, and the token works', async () => {
    const b = new TestBrowser(t.app);
    await b.login(MANUAL_CI, 'demo0101');
    const first = await b.get('/inquiry/status');
    const second = await b.get('/inquiry/status');
    expect(second.statusCode).toBe(200);
    expect(withoutTokens(second.body)).toBe(withoutTokens(first.body));
    expect(new Set(tokensOf(second.body)).size).toBe(1);
    expect(tokensOf(second.body)[0]).not.toBe(tokensOf(first.body)[0]);
    expect(second.body).not.toMatch(/kei[0-9a-f]{24}[cfxa]/);
    // 終了 with the token of the kept page logs out.
    const logout = await b.post('/inquiry/logout', { _csrf: csrfTokenOf(second.body) });
    expect(logout.statusCode).toBe(303);
  });

  it('a kept page goes to a gzip client spliced from its parts: it gunzips to the same page, and its CSRF token works (a forged one does not)', async () => {
    const b = new TestBrowser(t.app);
    await b.login('2112 2310 5000 30459', 'demo0201');
    const plain = await b.get('/inquiry/status');
    const gzip = await b.get('/inquiry/status', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(gzip.statusCode).toBe(200);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.headers.vary).toBe('accept-encoding');
    expect(gzip.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = gunzipSync(gzip.rawPayload).toString('utf8');
    expect(withoutTokens(html)).toBe(withoutTokens(plain.body));
    // The same fresh token in every form of the page (the mail section's and 終了's), not the previous view's.
    expect(tokensOf(html)).toHaveLength(2);
    expect(new Set(tokensOf(html)).size).toBe(1);
    expect(tokensOf(html)[0]).not.toBe(tokensOf(plain.body)[0]);
    expect(html).not.toMatch(/kei[0-9a-f]{24}[cfxa]/);

    // A forged token is refused; the page's own registers the address (the mail section's form).
    const forged = await b.post('/inquiry/status/mail', { contactAddress: 'splice@example.jp' }, { csrf: `${tokensOf(html)[0]!.slice(0, -2)}xx` });
    expect(forged.statusCode).toBe(403);
    const done = await b.post('/inquiry/status/mail', { contactAddress: 'splice@example.jp' }, { csrf: tokensOf(html)[0]! });
    expect(done.statusCode).toBe(303);
    // The banner (once) and the changed mail section, spliced in; then the kept page again without the banner.
    const withBanner = gunzipSync((await b.get('/inquiry/status', { 'accept-encoding': 'gzip' })).rawPayload).toString('utf8');
    expect(textOf(withBanner)).toContain('連絡先メールアドレスを登録しました。');
    expect(textOf(withBanner)).toContain('splice@example.jp');
    const next = await b.get('/inquiry/status', { 'accept-encoding': 'gzip' });
    const nextHtml = gunzipSync(next.rawPayload).toString('utf8');
    expect(textOf(nextHtml)).not.toContain('連絡先メールアドレスを登録しました。');
    expect(withoutTokens(nextHtml)).toBe(withoutTokens((await b.get('/inquiry/status')).body));
    const logout = await b.post('/inquiry/logout', { _csrf: tokensOf(nextHtml)[0]! });
    expect(logout.statusCode).toBe(303);
  });

  it('a client without gzip gets the kept page uncompressed or brotli (gzip;q=0 is honoured)', async () => {
    const b = new TestBrowser(t.app);
    await b.login('2112 2310 5000 30459', 'demo0201');
    const plain = await b.get('/inquiry/status');
    const br = await b.get('/inquiry/status', { 'accept-encoding': 'gzip;q=0, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(withoutTokens(brotliDecompressSync(br.rawPayload).toString('utf8'))).toBe(withoutTokens(plain.body));
    const identity = await b.get('/inquiry/status', { 'accept-encoding': 'identity' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(withoutTokens(identity.body)).toBe(withoutTokens(plain.body));
  });

  it('an application changed through the other process between two views is shown changed on both', async () => {
    const b = new TestBrowser(t.app);
    await b.login(MANUAL_CI, 'demo0101');
    const onA = await b.get('/inquiry/status');
    expect(textOf(onA.body)).toContain('現在の申請状況 検査申請補正待ち');
    const viaB = new TestBrowser(other);
    for (const [k, v] of b.cookies) viaB.cookies.set(k, v);
    expect(textOf((await viaB.get('/inquiry/status')).body)).toContain('現在の申請状況 検査申請補正待ち');

    const moved = await otherServices.actOnApplication(applicationId, { type: 'withdraw' }, { kind: 'applicant' });
    expect(moved.ok).toBe(true);

    const againOnA = await b.get('/inquiry/status');
    expect(textOf(againOnA.body)).toContain('現在の申請状況 検査申請取り下げ');
    expect(textOf(againOnA.body)).not.toContain('補正指示が出ています');
    const againOnB = await viaB.get('/inquiry/status');
    expect(withoutTokens(againOnB.body)).toBe(withoutTokens(againOnA.body));
  });

  it('an お知らせ addressed to the application (written without a version) shows at the next view', async () => {
    const b = new TestBrowser(t.app);
    await b.login(MANUAL_CI, 'demo0101');
    expect(textOf((await b.get('/inquiry/status')).body)).not.toContain('窓口の臨時休業について（キャッシュ試験）');
    await notificationRepository(otherHandle.db).insert({ id: 'cache-test-notice', applicationId, title: '窓口の臨時休業について（キャッシュ試験）', body: '本文', publishedAt: t.clock.now() });
    expect(textOf((await b.get('/inquiry/status')).body)).toContain('窓口の臨時休業について（キャッシュ試験）');
  });

  it('the next Japan day is a page of its own (deadlines count days)', async () => {
    const b = new TestBrowser(t.app);
    await b.login('1100 0000 0000 00006', 'demo0106');
    const today = await b.get('/inquiry/status');
    // The same application, no event in between: only the day has moved (the sessions have expired meanwhile).
    t.clock.advance(30 * 24 * 3600 * 1000);
    try {
      const again = new TestBrowser(t.app);
      await again.login('1100 0000 0000 00006', 'demo0106');
      const later = await again.get('/inquiry/status');
      expect(later.statusCode).toBe(200);
      expect(withoutTokens(later.body)).not.toBe(withoutTokens(today.body));
    } finally {
      t.clock.advance(-30 * 24 * 3600 * 1000);
    }
  });

  it('the once-only banner of an action is put in at send time: shown once, then the kept page without it', async () => {
    const b = new TestBrowser(t.app);
    await b.login('1100 0000 0000 00011', 'demo0111');
    const before = await b.get('/inquiry/status');
    const confirm = await b.get('/inquiry/withdraw');
    const done = await b.post('/inquiry/withdraw', { version: /name="version" value="(\d+)"/.exec(confirm.body)![1]! });
    expect(done.statusCode).toBe(303);
    const withBanner = await b.get('/inquiry/status');
    expect(textOf(withBanner.body)).toContain('申請を取り下げました');
    expect(withoutTokens(withBanner.body)).not.toBe(withoutTokens(before.body));
    const next = await b.get('/inquiry/status');
    expect(textOf(next.body)).not.toContain('申請を取り下げました');
    expect(textOf(next.body)).toContain('現在の申請状況 検査申請取り下げ');
  });

  // Issue 18, round six: the mail section is kept per state, the address put in at send time.
  it("each application's 連絡先 address is its own on its kept page (escaped as rendered), whichever was viewed before", async () => {
    const secrets = await loadServerSecrets(t.deps);
    const uncached = await buildApp({ services: t.services, cookieSecret: secrets.cookieSecret, logger: silentLogger, statusPageCacheBytes: 0 });
    try {
      const owners = [
        { number: '1100 0000 0000 00005', password: 'demo0105', address: "o'brien&co@example.jp", escaped: 'o\'brien&amp;co@example.jp' },
        { number: '1100 0000 0010 00002', password: 'demo0102', address: 'b.tanaka@example.jp', escaped: 'b.tanaka@example.jp' },
      ];
      const browsers = await Promise.all(
        owners.map(async (o) => {
          const b = new TestBrowser(t.app);
          await b.login(o.number, o.password);
          const page = await b.get('/inquiry/status');
          expect((await b.post('/inquiry/status/mail', { contactAddress: o.address }, { csrf: tokensOf(page.body)[0]! })).statusCode).toBe(303);
          await b.get('/inquiry/status'); // the once-only banner
          return b;
        }),
      );
      for (let round = 0; round < 2; round++) {
        for (const [i, b] of browsers.entries()) {
          const [own, other] = [owners[i]!, owners[1 - i]!];
          const plain = (await b.get('/inquiry/status')).body;
          const gzip = gunzipSync((await b.get('/inquiry/status', { 'accept-encoding': 'gzip' })).rawPayload).toString('utf8');
          for (const html of [plain, gzip]) {
            expect(html).toContain(`<td>${own.escaped}</td>`);
            expect(textOf(html)).toContain(own.address);
            expect(textOf(html)).not.toContain(other.address);
            expect(html).not.toMatch(/kei[0-9a-f]{24}[cfxa]/);
          }
          // The same page as one rendered for this view alone.
          const alone = new TestBrowser(uncached);
          for (const [k, v] of b.cookies) alone.cookies.set(k, v);
          expect(withoutTokens(gzip)).toBe(withoutTokens((await alone.get('/inquiry/status')).body));
        }
      }
    } finally {
      await uncached.close();
    }
  });

  it('with the cache off (STATUS_PAGE_CACHE_MB=0) the page is the same', async () => {
    const secrets = await loadServerSecrets(t.deps);
    const uncached = await buildApp({ services: t.services, cookieSecret: secrets.cookieSecret, logger: silentLogger, statusPageCacheBytes: 0 });
    try {
      const b = new TestBrowser(t.app);
      await b.login('2112 2310 5000 30459', 'demo0201');
      const kept = await b.get('/inquiry/status');
      const plain = new TestBrowser(uncached);
      for (const [k, v] of b.cookies) plain.cookies.set(k, v);
      expect(withoutTokens((await plain.get('/inquiry/status')).body)).toBe(withoutTokens(kept.body));
    } finally {
      await uncached.close();
    }
  });
});
