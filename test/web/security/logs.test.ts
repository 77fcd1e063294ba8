import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/domain/actors.js';
import { validateFiling } from '../../../src/domain/filing.js';
import { TestBrowser } from '../../support/browser.js';
import { LogCapture, anonymousForm, createSecurityApp, postForm, type SecurityApp } from '../../support/security.js';

const APPLICANT_PASSWORD = 'Log-secret-9x7';
const STAFF_PASSWORD = 'staff-secret-passphrase-42';
const NAMES = ['秘匿申請者株式会社', '秘匿 使用者', '東京都秘匿区一丁目', '秘匿 事務員'];
const OFFICE: Actor = { kind: 'inspectionOffice', officeCode: 'tokyo', id: 'log-office', label: '東京主管事務所' };

describe('logs: pino JSON, a request id on every line, and no password, session id, token or personal name', () => {
  let t: SecurityApp;
  const logs = new LogCapture();
  const secrets: string[] = [APPLICANT_PASSWORD, STAFF_PASSWORD, ...NAMES];
  let number = '';

  beforeAll(async () => {
    t = await createSecurityApp({ logger: logs.logger('debug') });
    const filing = validateFiling({
      procedure: 'continuousInspection',
      officeCode: 'tokyo',
      applicantName: NAMES[0] as string,
      applicantAddress: NAMES[2] as string,
      userName: NAMES[1] as string,
      userAddress: NAMES[2] as string,
      vehicleNumber: '品川 580 さ 1234',
      chassisNumber: 'AX01-0000009',
      vehicleModel: '5BA-JF3',
      weightTaxBand: 'standard',
    });
    if (!filing.ok) throw new Error('filing');
    const app = await t.services.registerApplication(filing.value, APPLICANT_PASSWORD, { kind: 'applicant' });
    if (!app.ok) throw new Error('register');
    const accepted = await t.services.actOnApplication(app.value.id, { type: 'accept' }, OFFICE);
    if (!accepted.ok) throw new Error('accept');
    number = accepted.value.application.receiptNumber as string;
    await t.services.staffAuth.createUser({ loginId: 'log.clerk', password: STAFF_PASSWORD, displayName: NAMES[3] as string, officeCode: 'tokyo' });
    // Only what the requests below log is examined.
    logs.lines.length = 0;
    logs.raw = '';
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs a day of traffic (logins, pages, errors, staff UI, API) without a secret, every line with its request id', async () => {
    // The applicant: a wrong password, then the right one, the status page, 終了.
    const b = new TestBrowser(t.app);
    await b.get('/inquiry/login');
    await b.post('/inquiry/login', { receiptNumber: number });
    await b.get('/inquiry/login/password');
    await b.post('/inquiry/login/password', { receiptNumber: number, password: `${APPLICANT_PASSWORD}-wrong` });
    await b.post('/inquiry/login/password', { receiptNumber: number, password: APPLICANT_PASSWORD });
    const session = b.cookies.get('kei_session') as string;
    expect(session).toBeTruthy();
    secrets.push(session);
    const status = await b.get('/inquiry/status?x=1');
    expect(status.statusCode).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(status.body)?.[1] as string;
    secrets.push(csrf);
    await b.post('/inquiry/logout', {});
    // Errors: an unknown page, a stale form, a malformed body, a hostile request id.
    await b.get('/no-such-page');
    await b.post('/inquiry/logout', { _csrf: 'forged' });
    await t.app.inject({ method: 'POST', url: '/inquiry/login', headers: { 'content-type': 'application/json', 'x-request-id': '<script>\n{"level":60}' }, payload: '{"receiptNumber":' });
    // A lock (5 wrong passwords) and a rate-limit hit.
    const f = await anonymousForm(t.app);
    for (let i = 0; i < 5; i++) await postForm(t.app, '/inquiry/login/password', { receiptNumber: '1234 5678 9012 34567', password: `${APPLICANT_PASSWORD}-${i}`, _csrf: f.csrf }, { cookie: f.cookie, remoteAddress: '198.51.100.9' });
    for (let i = 0; i < 31; i++) await postForm(t.app, '/inquiry/login', { receiptNumber: number, _csrf: f.csrf }, { cookie: f.cookie, remoteAddress: '198.51.100.8' });
    // The staff UI.
    const s = new TestBrowser(t.app);
    await s.get('/staff/login');
    await s.post('/staff/login', { loginId: 'log.clerk', password: `${STAFF_PASSWORD}-wrong` });
    const staffLogin = await s.post('/staff/login', { loginId: 'log.clerk', password: STAFF_PASSWORD });
    expect(staffLogin.statusCode).toBe(303);
    secrets.push(s.cookies.get('kei_staff_session') as string);
    expect((await s.get(`/staff/applications/${number}`)).statusCode).toBe(200);
    // The API, with a good and a bad token.
    const token = await t.services.apiTokens.create({ name: 'log-test', role: 'inspectionOffice', officeCode: 'tokyo' });
    if (!token.ok) throw new Error('token');
    secrets.push(token.value.token);
    const api = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${number}`, headers: { authorization: `Bearer ${token.value.token}` } });
    expect(api.statusCode).toBe(200);
    await t.app.inject({ method: 'GET', url: `/api/v1/applications/${number}`, headers: { authorization: `Bearer ${token.value.token}x` } });

    expect(logs.lines.length).toBeGreaterThan(100);
    for (const line of logs.lines) {
      expect(typeof line.requestId, JSON.stringify(line)).toBe('string');
      expect(line.service).toBe('kei-oss');
      expect(typeof line.time).toBe('string');
    }
    for (const secret of secrets) expect(logs.raw.includes(secret), `a secret (${secret.slice(0, 6)}…) reached the log`).toBe(false);
    // The hostile request id was replaced, not written into the log.
    expect(logs.raw).not.toContain('<script>');
    expect(logs.lines.some((l) => l.event === 'login-locked')).toBe(true);
    expect(logs.lines.some((l) => l.event === 'login-rate-limited')).toBe(true);
  });

  it('echoes the request id in X-Request-Id and logs it on the request lines', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/', headers: { 'x-request-id': 'lb-1234-abcd' } });
    expect(res.headers['x-request-id']).toBe('lb-1234-abcd');
    expect(logs.lines.filter((l) => l.requestId === 'lb-1234-abcd').length).toBeGreaterThanOrEqual(2);
    const made = await t.app.inject({ method: 'GET', url: '/' });
    expect(String(made.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('redacts passwords, tokens, cookies and names that reach a log line inside an object', () => {
    const capture = new LogCapture();
    const log = capture.logger();
    log.info(
      {
        password: 'p1',
        form: { password: 'p2', _csrf: 'c1', token: 't1' },
        req: { headers: { cookie: 'kei_session=s1', authorization: 'Bearer b1' } },
        application: { applicantName: 'n1', userName: 'n2', ownerName: 'n3', name: 'n4', address: 'a1' },
      },
      'an object full of secrets',
    );
    for (const s of ['p1', 'p2', 'c1', 't1', 's1', 'b1', 'n1', 'n2', 'n3', 'n4', 'a1']) expect(capture.raw).not.toContain(`"${s}"`);
    expect(capture.raw).toContain('[REDACTED]');
  });
});
