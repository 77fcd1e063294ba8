import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressKey } from '../../../src/services/login-throttle.js';
import { TEST_NOW } from '../../support/app.js';
import { textOf, titleOf } from '../../support/browser.js';
import { LogCapture, anonymousForm, createSecurityApp, postForm, type SecurityApp } from '../../support/security.js';

const MINUTE = 60 * 1000;
const RATE_LIMITED = '同じ接続元から短時間に多くのログイン操作（1分間に30回を超える操作）が行われたため、一時的に受付を制限しています。1分ほど待ってから、もう一度操作してください。';

describe('login steps: at most 30 attempts a minute per client address, counted in the database', () => {
  let t: SecurityApp;
  const logs = new LogCapture();
  let form: { cookie: string; csrf: string };

  const step1 = (remoteAddress: string, headers: Record<string, string> = {}, app = t.app) =>
    postForm(app, '/inquiry/login', { receiptNumber: '1234 5678 9012 34567', _csrf: form.csrf }, { cookie: form.cookie, remoteAddress, headers });
  const step2 = (remoteAddress: string, app = t.app) =>
    postForm(app, '/inquiry/login/password', { receiptNumber: '1234 5678 9012 3456', password: 'x', _csrf: form.csrf }, { cookie: form.cookie, remoteAddress });

  beforeAll(async () => {
    t = await createSecurityApp({ trustProxy: ['10.0.0.1'], logger: logs.logger() });
    form = await anonymousForm(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers the 31st post of 状況照会 ログイン within a minute with 429, a Japanese page and Retry-After', async () => {
    t.clock.set(TEST_NOW);
    for (let i = 0; i < 30; i++) {
      const res = await step1('198.51.100.10');
      expect(res.statusCode).toBe(303);
      t.clock.advance(1000);
    }
    const refused = await step1('198.51.100.10');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(titleOf(refused.body)).toBe('ログインの操作が集中しています｜軽自動車OSS');
    expect(textOf(refused.body)).toContain(RATE_LIMITED);
    // The oldest of the 30 leaves the window 60 s after it came: 30 s from now.
    expect(refused.headers['retry-after']).toBe('30');
    // Another address is not affected.
    expect((await step1('198.51.100.11')).statusCode).toBe(303);
    // A sliding minute: one place frees up when the oldest leaves the window.
    t.clock.advance(29_000);
    expect((await step1('198.51.100.10')).statusCode).toBe(429);
    t.clock.advance(1000);
    expect((await step1('198.51.100.10')).statusCode).toBe(303);
    expect((await step1('198.51.100.10')).statusCode).toBe(429);
  });

  it('counts the password step separately, with the same limit', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 10 * MINUTE));
    for (let i = 0; i < 30; i++) expect((await step2('198.51.100.20')).statusCode).toBe(400);
    const refused = await step2('198.51.100.20');
    expect(refused.statusCode).toBe(429);
    expect(textOf(refused.body)).toContain(RATE_LIMITED);
    // The number step of the same address is still open.
    expect((await step1('198.51.100.20')).statusCode).toBe(303);
  });

  it('keeps the counters in the database: a second server process and a restart see them', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 20 * MINUTE));
    for (let i = 0; i < 30; i++) await step1('198.51.100.30');
    const second = await t.another();
    const f = await anonymousForm(second.app);
    const res = await postForm(second.app, '/inquiry/login', { receiptNumber: '1234 5678 9012 34567', _csrf: f.csrf }, { cookie: f.cookie, remoteAddress: '198.51.100.30' });
    expect(res.statusCode).toBe(429);
    await second.close();
    const restarted = await t.another();
    const g = await anonymousForm(restarted.app);
    const again = await postForm(restarted.app, '/inquiry/login', { receiptNumber: '1234 5678 9012 34567', _csrf: g.csrf }, { cookie: g.cookie, remoteAddress: '198.51.100.30' });
    expect(again.statusCode).toBe(429);
  });

  it('believes X-Forwarded-For only from the trusted proxy (TRUST_PROXY): a client cannot rotate its address by itself', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 30 * MINUTE));
    // Through the trusted proxy, each client has its own counter.
    for (let i = 0; i < 40; i++) {
      const res = await step1('10.0.0.1', { 'x-forwarded-for': `192.0.2.${i}` });
      expect(res.statusCode).toBe(303);
    }
    // From an untrusted address, the forged header is ignored: 30, then refused.
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) codes.push((await step1('198.51.100.40', { 'x-forwarded-for': `192.0.2.${100 + i}` })).statusCode);
    expect(codes.filter((c) => c === 303)).toHaveLength(30);
    expect(codes.slice(30).every((c) => c === 429)).toBe(true);
  });

  it('counts an IPv6 client by its /64 network', async () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    t.clock.set(new Date(TEST_NOW.getTime() + 40 * MINUTE));
    for (let i = 0; i < 30; i++) expect((await step1(`2001:db8:1:2::${(i + 1).toString(16)}`)).statusCode).toBe(303);
    expect((await step1('2001:db8:1:2:ffff::99')).statusCode).toBe(429);
    expect((await step1('2001:db8:1:3::1')).statusCode).toBe(303);
  });

  it('logs each rate-limit hit as a warning with the request id and the client, never the form', async () => {
    const hits = logs.lines.filter((l) => l.event === 'login-rate-limited');
    expect(hits.length).toBeGreaterThanOrEqual(15);
    for (const h of hits) {
      expect(h.level).toBe(40);
      expect(typeof h.requestId).toBe('string');
      expect(typeof h.client).toBe('string');
    }
    expect(hits.some((h) => h.client === '198.51.100.10' && h.step === 'applicant-number')).toBe(true);
    expect(logs.raw).not.toContain('"password"');
    expect(logs.raw).not.toContain(form.csrf);
  });

  it('purges counters that can no longer matter', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 24 * 60 * MINUTE));
    const removed = await t.services.loginThrottle.purge();
    expect(removed).toBeGreaterThan(100);
    expect(await t.services.loginThrottle.purge()).toBe(0);
  });
});
