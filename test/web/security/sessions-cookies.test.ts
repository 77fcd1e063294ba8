import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../../../src/services/sessions.js';
import { TEST_NOW } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';
import { createSecurityApp, type SecurityApp } from '../../support/security.js';

const MANUAL_CI = '9999 9999 9999 99999';
const MINUTE = 60 * 1000;

type ParsedCookie = { name: string; value: string; httpOnly?: boolean; secure?: boolean; sameSite?: string; path?: string };
const cookiesOf = (res: LightMyRequestResponse) => res.cookies as ParsedCookie[];
const setCookieHeaders = (res: LightMyRequestResponse) => [res.headers['set-cookie'] ?? []].flat().map(String);

/** The two login steps with explicit request options (remote address, forwarded headers). */
async function loginWith(t: SecurityApp, options: { remoteAddress?: string; headers?: Record<string, string> }) {
  const all: LightMyRequestResponse[] = [];
  const jar = new Map<string, string>();
  const send = async (method: 'GET' | 'POST', url: string, form?: Record<string, string>) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await t.app.inject({
      method,
      url,
      remoteAddress: options.remoteAddress,
      headers: { ...(options.headers ?? {}), ...(cookie ? { cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    for (const c of cookiesOf(res)) jar.set(c.name, c.value);
    all.push(res);
    return res;
  };
  const page = await send('GET', '/inquiry/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  await send('POST', '/inquiry/login', { receiptNumber: MANUAL_CI, _csrf: csrf });
  const step2 = await send('GET', '/inquiry/login/password');
  const csrf2 = /name="_csrf" value="([^"]+)"/.exec(step2.body)?.[1] ?? '';
  const done = await send('POST', '/inquiry/login/password', { receiptNumber: MANUAL_CI, password: 'demo0101', _csrf: csrf2 });
  const status = await send('GET', '/inquiry/status');
  return { all, done, status, cookies: all.flatMap(cookiesOf), setCookies: all.flatMap(setCookieHeaders) };
}

describe('sessions: in the database, new at login, 30 minutes idle, 8 hours at most, ended by 終了', () => {
  let t: SecurityApp;
  beforeAll(async () => {
    t = await createSecurityApp({ seed: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it('ends a session 8 hours after login even when it is used every 25 minutes', async () => {
    t.clock.set(TEST_NOW);
    const b = new TestBrowser(t.app);
    await b.login(MANUAL_CI, 'demo0101');
    let elapsed = 0;
    while (elapsed + 25 * MINUTE < SESSION_ABSOLUTE_MS) {
      t.clock.advance(25 * MINUTE);
      elapsed += 25 * MINUTE;
      expect((await b.get('/inquiry/status')).statusCode).toBe(200);
    }
    // 7 h 55 min: one second before the end, still there.
    t.clock.set(new Date(TEST_NOW.getTime() + SESSION_ABSOLUTE_MS - 1000));
    expect((await b.get('/inquiry/status')).statusCode).toBe(200);
    t.clock.advance(1000);
    const ended = await b.get('/inquiry/status');
    expect(ended.statusCode).toBe(401);
    expect(textOf(ended.body)).toContain('ログインしていないか、一定時間操作がなかったため、ログアウトしました。');
  });

  it('ends a session after 30 minutes without a request, not a second before', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 24 * 60 * MINUTE));
    const b = new TestBrowser(t.app);
    await b.login(MANUAL_CI, 'demo0101');
    t.clock.advance(SESSION_IDLE_MS - 1000);
    expect((await b.get('/inquiry/status')).statusCode).toBe(200);
    t.clock.advance(SESSION_IDLE_MS);
    expect((await b.get('/inquiry/status')).statusCode).toBe(401);
  });

  it('keeps sessions in the database: a second server process serves the same session, and 終了 in one ends it in both', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 48 * 60 * MINUTE));
    const b = new TestBrowser(t.app);
    await b.login(MANUAL_CI, 'demo0101');
    const second = await t.another();
    const other = new TestBrowser(second.app);
    other.cookies.set('kei_session', b.cookies.get('kei_session') as string);
    expect((await other.get('/inquiry/status')).statusCode).toBe(200);
    await b.post('/inquiry/logout', {});
    expect((await other.get('/inquiry/status')).statusCode).toBe(401);
    const rows = await t.db.handle.db.selectFrom('sessions').select('id_hash').execute();
    // Only hashes are stored, never the cookie's value.
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.id_hash))).toBe(true);
  });

  it('never adopts a session id chosen before login (session fixation)', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 72 * 60 * MINUTE));
    const b = new TestBrowser(t.app);
    b.cookies.set('kei_session', 'attacker-chosen-value-0123456789');
    await b.login(MANUAL_CI, 'demo0101');
    expect(b.cookies.get('kei_session')).not.toBe('attacker-chosen-value-0123456789');
    const attacker = new TestBrowser(t.app);
    attacker.cookies.set('kei_session', 'attacker-chosen-value-0123456789');
    expect((await attacker.get('/inquiry/status')).statusCode).toBe(401);
  });
});

describe('cookies: HttpOnly, SameSite=Lax, and Secure whenever served over HTTPS (a trusted proxy included)', () => {
  let direct: SecurityApp;
  let proxied: SecurityApp;
  beforeAll(async () => {
    direct = await createSecurityApp({ seed: true });
    proxied = await createSecurityApp({ seed: true, trustProxy: ['10.0.0.1'] });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  it('over plain HTTP: every cookie HttpOnly and SameSite=Lax, not Secure; no HSTS', async () => {
    const r = await loginWith(direct, {});
    expect(r.status.statusCode).toBe(200);
    const names = new Set(r.cookies.map((c) => c.name));
    expect([...names]).toEqual(expect.arrayContaining(['kei_csrf', 'kei_login_number', 'kei_session']));
    for (const c of r.cookies) {
      expect(c.httpOnly, c.name).toBe(true);
      expect(c.sameSite, c.name).toBe('Lax');
      expect(c.secure ?? false, c.name).toBe(false);
      expect(c.path, c.name).toBe('/');
    }
    for (const res of r.all) expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('behind the trusted proxy with X-Forwarded-Proto: https: every cookie Secure, HSTS sent', async () => {
    const r = await loginWith(proxied, { remoteAddress: '10.0.0.1', headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.5' } });
    expect(r.status.statusCode).toBe(200);
    expect(r.cookies.length).toBeGreaterThanOrEqual(3);
    for (const c of r.cookies) {
      expect(c.secure, c.name).toBe(true);
      expect(c.httpOnly, c.name).toBe(true);
      expect(c.sameSite, c.name).toBe('Lax');
    }
    for (const h of r.setCookies) expect(h).toMatch(/; Secure/);
    for (const res of r.all) expect(res.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  });

  it('ignores X-Forwarded-Proto from an address that is not a trusted proxy', async () => {
    const r = await loginWith(proxied, { remoteAddress: '198.51.100.77', headers: { 'x-forwarded-proto': 'https' } });
    expect(r.status.statusCode).toBe(200);
    for (const c of r.cookies) expect(c.secure ?? false, c.name).toBe(false);
    for (const res of r.all) expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('ignores X-Forwarded-Proto entirely when TRUST_PROXY is not set, even from loopback', async () => {
    const r = await loginWith(direct, { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-proto': 'https' } });
    for (const c of r.cookies) expect(c.secure ?? false, c.name).toBe(false);
    for (const res of r.all) expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
