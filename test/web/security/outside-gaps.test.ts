import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeReturnPath } from '../../../src/web/page-context.js';
import { CROSS_SITE_MESSAGE, NUL_MESSAGE } from '../../../src/web/plugins/security.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { textOf, titleOf } from '../../support/browser.js';
import { agencyTokens, browserFor, continuousFiling, json, type AgencyTokens } from '../api/support.js';
import { TOKYO_CLERK } from '../staff/support.js';

/** What the return/next parameters are fuzzed with: non-ASCII, encoded slashes, backslashes, other hosts, schemes. */
const hostile = [
  '/%E3%81%82',
  '/あ',
  '/staff/applications/%E3%81%82',
  '/staff/あいう?x=え#お',
  '//evil.example/',
  '///evil.example/',
  '/\\evil.example/',
  '\\\\evil.example/',
  '/%2F%2Fevil.example/',
  '/%2fevil.example',
  '/%5Cevil.example',
  '/%5c%5cevil.example',
  'http://evil.example/',
  'https:evil.example',
  'javascript:alert(1)',
  'data:text/html,x',
  ' /staff/applications',
  '/staff/applications\r\nSet-Cookie: x=1',
  '/staff/applications\tx',
  '/staff/../../evil',
  '/staff/%2E%2E/%2E%2E/online',
  '%2F%2Fevil.example',
  '',
  '/'.repeat(600),
  '/\u0000',
  '/\u2028',
];

describe('four gaps found from outside (issue 12): redirects, the malformed URL, framing, cross-site writes, UTF-8', () => {
  let t: TestApp;
  let a: AgencyTokens;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    a = await agencyTokens(t);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  /** A Location is a same-origin path in printable ASCII: never another host, never a scheme. */
  const sameOriginPath = (location: unknown) => {
    expect(typeof location).toBe('string');
    const l = location as string;
    expect(l).toMatch(/^\/[\x21-\x7e]*$/);
    expect(l).not.toMatch(/^\/(\/|\\|%2f|%5c)/i);
    expect(new URL(l, 'https://kei-oss.example').origin).toBe('https://kei-oss.example');
  };

  it('safeReturnPath: a path of this site comes back percent-encoded; anything else is the fallback', () => {
    expect(safeReturnPath('/%E3%81%82')).toBe('/%E3%81%82');
    expect(safeReturnPath('/あ?q=い#う')).toBe('/%E3%81%82?q=%E3%81%84#%E3%81%86');
    expect(safeReturnPath('/inquiry/status?x=1')).toBe('/inquiry/status?x=1');
    for (const v of ['//evil.example/', '/\\evil.example', '/%2F%2Fevil', '/%5cevil', 'http://evil.example/', 'javascript:alert(1)', '/a\r\nb', '', '/\u0000']) {
      expect(safeReturnPath(v, '/fallback'), v).toBe('/fallback');
    }
  });

  it('文字サイズ: every hostile return answers 303 to a same-origin path (a return outside Latin-1 was a 500)', async () => {
    const fine = await t.app.inject({ url: '/font-size?size=small&return=/%E3%81%82' });
    expect(fine.statusCode).toBe(303);
    expect(fine.headers.location).toBe('/%E3%81%82');
    for (const r of hostile) {
      const res = await t.app.inject({ url: `/font-size?size=large&return=${encodeURIComponent(r)}` });
      expect(res.statusCode, r).toBeLessThan(500);
      if (res.statusCode === 303) sameOriginPath(res.headers.location);
      else expect(res.statusCode, r).toBe(400);
    }
    // Bytes that are not UTF-8 at all, as a raw query.
    for (const raw of ['%FF%FE', '/%ED%A0%80', '/%C0%AF', '%2F%2F%FF']) {
      const res = await t.app.inject({ url: `/font-size?size=small&return=${raw}` });
      expect(res.statusCode, raw).toBeLessThan(500);
      if (res.statusCode === 303) sameOriginPath(res.headers.location);
    }
  });

  it('the staff login with a hostile return: the session is set and the clerk lands on a staff page (a NUL character: 400, no session)', async () => {
    for (const r of hostile) {
      const b = browserFor(t.app);
      await b.get('/staff/login');
      const res = await b.post('/staff/login', { loginId: TOKYO_CLERK.loginId, password: TOKYO_CLERK.password, return: r });
      if (r.includes('\u0000')) {
        // A NUL character is refused at the door on every route (plugins/security.ts): 400, no session.
        expect(res.statusCode, r).toBe(400);
        expect(textOf(res.body)).toContain(NUL_MESSAGE);
        expect(String(res.headers['set-cookie'] ?? ''), r).not.toContain('kei_staff_session=');
        continue;
      }
      expect(res.statusCode, r).toBe(303);
      sameOriginPath(res.headers.location);
      expect(String(res.headers.location), r).toMatch(/^\/staff\//);
      expect(String(res.headers['set-cookie']), r).toContain('kei_staff_session=');
    }
    const b = browserFor(t.app);
    await b.get('/staff/login');
    const res = await b.post('/staff/login', { loginId: TOKYO_CLERK.loginId, password: TOKYO_CLERK.password, return: '/staff/applications?q=あ' });
    expect(res.headers.location).toBe('/staff/applications?q=%E3%81%82');
    // The session works: the work list opens (and, since 「あ」 is no number, says so about the search: issue 14).
    const page = await b.follow(res);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('作業一覧');
    expect(page.body).not.toContain('ログインID');
  });

  it('a malformed URL (/%ZZ) gets the Japanese error page with 400 (JSON only under /api)', async () => {
    const page = await t.app.inject({ url: '/%ZZ' });
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(titleOf(page.body)).toBe('URLに誤りがあります｜軽自動車OSS');
    expect(textOf(page.body)).toContain('指定されたURLを読み取れませんでした。');
    expect(page.body).not.toContain('FST_ERR_BAD_URL');
    const api = await t.app.inject({ url: '/api/v1/applications/%ZZ' });
    expect(api.statusCode).toBe(400);
    expect(JSON.parse(api.body)).toEqual({ error: { code: 'badUrl', message: '指定されたURLを読み取れませんでした。' } });
  });

  it('X-Frame-Options: DENY, in agreement with frame-ancestors none', async () => {
    for (const url of ['/', '/inquiry/login', '/staff/login', '/nothing-here']) {
      const res = await t.app.inject({ url });
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    }
  });

  it('a state-changing request from another site is refused (403) even with a valid CSRF token; this site\'s own forms pass', async () => {
    const b = browserFor(t.app);
    await b.get('/staff/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(b.lastPage)![1]!;
    const form = new URLSearchParams({ loginId: TOKYO_CLERK.loginId, password: TOKYO_CLERK.password, _csrf: csrf }).toString();
    const post = (headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/staff/login', remoteAddress: '10.9.0.1', payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'kei-oss.example', cookie: b.cookieHeader(), ...headers } });
    const refused: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }, { origin: 'https://kei-oss.example.evil.example' }, { origin: 'not a url' }];
    for (const headers of refused) {
      const res = await post(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(textOf(res.body)).toContain(CROSS_SITE_MESSAGE);
      expect(res.headers['set-cookie'] ?? '').not.toContain('kei_staff_session=');
    }
    const allowed: Record<string, string>[] = [{ 'sec-fetch-site': 'same-origin', origin: 'https://kei-oss.example' }, { origin: 'null' }, {}];
    for (const headers of allowed) {
      const res = await post(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(303);
    }
    // The API authenticates by bearer token only: an Origin header changes nothing there.
    const api = await a.tokyo.post('/api/v1/applications', continuousFiling({ chassisNumber: 'ORIGIN-0001' }), { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(api.statusCode).toBe(201);
  });

  it('invalid UTF-8 inside API JSON is refused with 400, never stored as U+FFFD', async () => {
    const good = Buffer.from(JSON.stringify(continuousFiling({ chassisNumber: 'UTF8-0001', userName: 'XX' })), 'utf8');
    const at = good.indexOf(Buffer.from('XX'));
    const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0xe3, 0x81]), good.subarray(at + 2)]);
    const made = await t.services.apiTokens.create({ name: 'UTF-8 試験', role: 'inspectionOffice', officeCode: 'tokyo' });
    if (!made.ok) throw new Error(made.refusal.message);
    const withToken = await t.app.inject({ method: 'POST', url: '/api/v1/applications', payload: bad, headers: { authorization: `Bearer ${made.value.token}`, 'content-type': 'application/json' } });
    expect(withToken.statusCode).toBe(400);
    expect(json(withToken).error.code).toBe('invalidUtf8');
    expect(json(withToken).error.message).toBe('送信された内容に UTF-8 として正しくない文字が含まれています。文字コードを UTF-8 にして送信してください。');
    expect(await t.db.handle.db.selectFrom('applications').select('id').where('chassis_number', '=', 'UTF8-0001').execute()).toEqual([]);
    // The same body in valid UTF-8 is filed.
    const fine = await t.app.inject({ method: 'POST', url: '/api/v1/applications', payload: good, headers: { authorization: `Bearer ${made.value.token}`, 'content-type': 'application/json' } });
    expect(fine.statusCode).toBe(201);
  });
});
