import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios, loginNumber } from '../../src/demo/scenarios.js';
import { addBusinessDays, deadlinePassesAt, japanDateOf } from '../../src/domain/time.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createMetrics } from '../../src/metrics.js';
import { startMetricsServer } from '../../src/web/metrics-server.js';
import { createTestApp, TEST_NOW, type TestApp } from '../support/app.js';
import { testDatabaseKind } from '../support/database.js';
import { anonymousForm, postForm } from '../support/security.js';
import { apiClient } from './api/support.js';
import { staffBrowser } from './staff/support.js';

const TOKEN = 'metrics-test-token-0123456789abcdef0123456789';
const DAY = 24 * 60 * 60 * 1000;

/** One sample of the exposition text: name{labels} value. */
interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and exactly these labels (undefined: none). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]?.value;
}

const scenario = (key: string) => {
  const s = demoScenarios.find((d) => d.key === key);
  if (!s) throw new Error(`no demo ${key}`);
  return { number: loginNumber(s), password: s.password };
};

describe('GET /metrics after a scripted day of traffic: every figure equals what happened', () => {
  let t: TestApp;
  const scrape = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    return { text: res.body, samples: parse(res.body) };
  };

  beforeAll(async () => {
    t = await createTestApp({ seed: true, metrics: createMetrics({ figuresMaxAgeMs: 0 }), metricsToken: TOKEN });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses /metrics on the public port without the token (401), and has no /metrics there when no token is set (404)', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.body).toBe('メトリクスの参照には METRICS_TOKEN のトークンが必要です（Authorization: Bearer トークン）。\n');
    const wrong = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.statusCode).toBe(401);

    const plain = await createTestApp({ metrics: createMetrics({ processMetrics: false }) });
    try {
      const res = await plain.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('counts the applications by procedure and status as the demo data has them', async () => {
    const { samples } = await scrape();
    const expected = new Map<string, number>();
    for (const s of demoScenarios) expected.set(`${s.procedure}/${s.expectedStatus}`, (expected.get(`${s.procedure}/${s.expectedStatus}`) ?? 0) + 1);
    const got = samples.filter((s) => s.name === 'keioss_applications');
    expect(got.length).toBe(expected.size);
    for (const [key, count] of expected) {
      const [procedure, status] = key.split('/') as [string, string];
      expect(valueOf(samples, 'keioss_applications', { procedure, status }), key).toBe(count);
    }
  });

  it('after logins, a lock, a rate-limit refusal, CSRF refusals, a version conflict, API calls by role and a sweep, each counter says exactly that', async () => {
    t.clock.set(TEST_NOW);
    // Staff: one clerk logs in, another types a wrong password.
    await staffBrowser(t);
    const staffForm = await anonymousForm(t.app, '/staff/login');
    const wrongStaff = await postForm(t.app, '/staff/login', { loginId: 'nerima-clerk', password: 'not-the-password', _csrf: staffForm.csrf }, { cookie: staffForm.cookie, remoteAddress: '198.51.100.1' });
    expect(wrongStaff.statusCode).toBe(401);

    // Applicants: one logs in; on another number 5 wrong passwords (the 5th locks), then the right one is refused.
    const form = await anonymousForm(t.app);
    const guess = (number: string, password: string) => postForm(t.app, '/inquiry/login/password', { receiptNumber: number, password, _csrf: form.csrf }, { cookie: form.cookie, remoteAddress: '198.51.100.2' });
    const good = scenario('ci-fees-due');
    expect((await guess(good.number, good.password)).statusCode).toBe(303);
    const victim = scenario('ci-accepted');
    for (let i = 1; i <= 4; i++) expect((await guess(victim.number, `wrong-${i}`)).statusCode).toBe(401);
    expect((await guess(victim.number, 'wrong-5')).statusCode).toBe(429);
    expect((await guess(victim.number, victim.password)).statusCode).toBe(429);

    // One address posts the number step 31 times within a minute: the 31st is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push((await postForm(t.app, '/inquiry/login', { receiptNumber: good.number, _csrf: form.csrf }, { cookie: form.cookie, remoteAddress: '198.51.100.3' })).statusCode);
    }
    expect(statuses.filter((s) => s === 429).length).toBe(1);
    expect(statuses[30]).toBe(429);

    // Forms without their CSRF token: one in the staff UI, two in the portal.
    expect((await postForm(t.app, '/staff/logout', {}, { remoteAddress: '198.51.100.4' })).statusCode).toBe(403);
    for (let i = 0; i < 2; i++) expect((await postForm(t.app, '/inquiry/login/password', { receiptNumber: good.number, password: 'x' }, { remoteAddress: '198.51.100.5' })).statusCode).toBe(403);

    // Agency API: the office reads twice and posts once with a stale version (409); the payment network pays; no token (401).
    const office = apiClient(t.app, 'keioss_demo_tokyo_office');
    for (let i = 0; i < 2; i++) expect((await office.get('/api/v1/applications/11000000000000010')).statusCode).toBe(200);
    const stale = await office.event('11000000000000010', { type: 'requestCorrection', reasonTitle: '住所の誤り', reasonDetail: '住所を補正してください。', deadline: '2026-12-04', expectedVersion: 6 });
    expect(stale.statusCode).toBe(409);
    const paid = await apiClient(t.app, 'keioss_demo_payment_network').event('11000000000000005', { type: 'recordPayment', stage: 'inspectionFees', paidOn: '2026-11-26' });
    expect(paid.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/applications/11000000000000010' })).statusCode).toBe(401);

    const { text, samples } = await scrape();
    expect(valueOf(samples, 'keioss_login_attempts_total', { scope: 'staff', outcome: 'ok' })).toBe(1);
    expect(valueOf(samples, 'keioss_login_attempts_total', { scope: 'staff', outcome: 'failed' })).toBe(1);
    expect(valueOf(samples, 'keioss_login_attempts_total', { scope: 'applicant', outcome: 'ok' })).toBe(1);
    expect(valueOf(samples, 'keioss_login_attempts_total', { scope: 'applicant', outcome: 'failed' })).toBe(4);
    expect(valueOf(samples, 'keioss_login_attempts_total', { scope: 'applicant', outcome: 'lockedNow' })).toBe(1);
    expect(valueOf(samples, 'keioss_login_attempts_total', { scope: 'applicant', outcome: 'refusedLocked' })).toBe(1);
    expect(valueOf(samples, 'keioss_login_locks_total', { scope: 'applicant' })).toBe(1);
    expect(valueOf(samples, 'keioss_login_locks_total', { scope: 'staff' })).toBeUndefined();
    expect(valueOf(samples, 'keioss_login_locks_active', { scope: 'applicant' })).toBe(1);
    expect(valueOf(samples, 'keioss_login_rate_limited_total', { step: 'applicant-number' })).toBe(1);
    expect(valueOf(samples, 'keioss_csrf_refusals_total', { area: 'staff' })).toBe(1);
    expect(valueOf(samples, 'keioss_csrf_refusals_total', { area: 'portal' })).toBe(2);
    expect(valueOf(samples, 'keioss_version_conflicts_total')).toBe(1);
    expect(valueOf(samples, 'keioss_api_requests_total', { role: 'inspectionOffice', status_code: '200' })).toBe(2);
    expect(valueOf(samples, 'keioss_api_requests_total', { role: 'inspectionOffice', status_code: '409' })).toBe(1);
    expect(valueOf(samples, 'keioss_api_requests_total', { role: 'paymentNetwork', status_code: '200' })).toBe(1);
    expect(valueOf(samples, 'keioss_api_requests_total', { role: 'none', status_code: '401' })).toBe(1);

    // HTTP by route pattern, never by URL: no receipt number anywhere in the text.
    expect(valueOf(samples, 'keioss_http_requests_total', { method: 'GET', route: '/api/v1/applications/:number', status_code: '200' })).toBe(2);
    expect(valueOf(samples, 'keioss_http_requests_total', { method: 'POST', route: '/inquiry/login', status_code: '429' })).toBe(1);
    expect(valueOf(samples, 'keioss_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/applications/:number' })).toBe(3);
    for (const s of samples) for (const v of Object.values(s.labels)) expect(v).not.toMatch(/\d{4}/);
    expect(samples.filter((s) => s.name === 'keioss_http_server_errors_total')).toEqual([]);

    // The process and the database.
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds', 'process_cpu_seconds_total']) expect(text).toContain(`# TYPE ${name} `);
    if (testDatabaseKind() === 'postgres') {
      expect(valueOf(samples, 'keioss_db_pool_connections', { state: 'total' })).toBe(t.db.handle.pool!.totalCount);
      // An unlabelled counter is always shown; PostgreSQL never adds to it.
      expect(valueOf(samples, 'keioss_sqlite_busy_seconds_total')).toBe(0);
    } else {
      expect(valueOf(samples, 'keioss_sqlite_busy_seconds_total')).toBeGreaterThanOrEqual(0);
      expect(valueOf(samples, 'keioss_db_pool_connections', { state: 'total' })).toBeUndefined();
    }
  });

  it('shows the deadlines due by the end of the next business day, the sweeper falling behind, then catching up', async () => {
    const deadlines = (await t.db.handle.db.selectFrom('applications').select('deadline_at').where('deadline_at', 'is not', null).execute()).map((r) => new Date(r.deadline_at!));
    expect(deadlines.length).toBeGreaterThan(3);

    t.clock.set(TEST_NOW);
    const endOfFriday = deadlinePassesAt(addBusinessDays(japanDateOf(TEST_NOW), 1));
    expect(endOfFriday.toISOString()).toBe('2026-11-27T15:00:00.000Z');
    const before = await scrape();
    expect(valueOf(before.samples, 'keioss_deadlines_due_next_business_day')).toBe(deadlines.filter((d) => d > TEST_NOW && d <= endOfFriday).length);
    expect(valueOf(before.samples, 'keioss_deadlines_overdue')).toBe(0);
    expect(valueOf(before.samples, 'keioss_deadline_sweep_behind_seconds')).toBe(0);
    expect(valueOf(before.samples, 'keioss_deadline_sweep_last_run_timestamp_seconds')).toBe(0);

    // 40 days later, before any sweep: every deadline has passed and none is applied.
    const later = new Date(TEST_NOW.getTime() + 40 * DAY);
    t.clock.set(later);
    const oldest = Math.min(...deadlines.map((d) => d.getTime()));
    const behind = await scrape();
    expect(valueOf(behind.samples, 'keioss_deadlines_overdue')).toBe(deadlines.length);
    expect(valueOf(behind.samples, 'keioss_deadline_sweep_behind_seconds')).toBe((later.getTime() - oldest) / 1000);

    const result = await t.services.sweepDeadlines();
    expect(result.expiredCorrections + result.expiredPayments).toBe(deadlines.length);
    const after = await scrape();
    expect(valueOf(after.samples, 'keioss_deadlines_overdue')).toBe(0);
    expect(valueOf(after.samples, 'keioss_deadline_sweep_behind_seconds')).toBe(0);
    expect(valueOf(after.samples, 'keioss_deadline_sweep_last_run_timestamp_seconds')).toBe(later.getTime() / 1000);
    expect(valueOf(after.samples, 'keioss_deadline_sweep_last_success_timestamp_seconds')).toBe(later.getTime() / 1000);
    expect(valueOf(after.samples, 'keioss_deadline_sweeps_total', { outcome: 'ok' })).toBe(1);
    expect(valueOf(after.samples, 'keioss_deadline_sweep_expired_total', { deadline: 'correction' })).toBe(result.expiredCorrections);
    expect(valueOf(after.samples, 'keioss_deadline_sweep_expired_total', { deadline: 'payment' })).toBe(result.expiredPayments);
  });

  it('serves the same registry on a port of its own (METRICS_PORT), GET /metrics only, with the token when one is set', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const open = await startMetricsServer({ port: 0, host: '127.0.0.1', token: null, collect: () => metrics.registry.metrics() });
    const guarded = await startMetricsServer({ port: 0, host: '127.0.0.1', token: TOKEN, collect: () => metrics.registry.metrics() });
    try {
      const res = await fetch(`http://127.0.0.1:${open.port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('# TYPE keioss_http_requests_total counter');
      expect((await fetch(`http://127.0.0.1:${open.port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${guarded.port}/metrics`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${guarded.port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    } finally {
      await open.close();
      await guarded.close();
    }
  });

  it('counts a version conflict once when the service refused it and the page shows the same refusal', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const refusal = { code: 'versionConflict', message: 'x' };
    metrics.observer.versionConflict(refusal);
    metrics.observer.versionConflict(refusal);
    metrics.observer.versionConflict({ ...refusal });
    expect(valueOf(parse(await metrics.registry.metrics()), 'keioss_version_conflicts_total')).toBe(2);
  });
});

describe('METRICS_PORT, METRICS_HOST and METRICS_TOKEN', () => {
  it('are off by default, and refuse a port equal to PORT, a short token, and a non-loopback host without a token, in Japanese', () => {
    const base = { DATABASE_URL: '/tmp/x.sqlite' };
    const off = loadConfig(base);
    expect([off.metricsPort, off.metricsHost, off.metricsToken]).toEqual([null, '127.0.0.1', null]);
    const on = loadConfig({ ...base, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_TOKEN: TOKEN });
    expect([on.metricsPort, on.metricsHost, on.metricsToken]).toEqual([9464, '0.0.0.0', TOKEN]);
    expect(() => loadConfig({ ...base, PORT: '3000', METRICS_PORT: '3000' })).toThrow(new ConfigError('METRICS_PORT は PORT（3000）と別の番号で指定してください（メトリクスは公開するポートでは提供しません）。'));
    expect(() => loadConfig({ ...base, METRICS_TOKEN: 'short' })).toThrow(new ConfigError('METRICS_TOKEN は32〜200文字の英数字・記号（空白を除く）で指定してください（例: openssl rand -hex 32）。'));
    expect(() => loadConfig({ ...base, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).toThrow(new ConfigError('METRICS_HOST（0.0.0.0）がループバック以外のときは METRICS_TOKEN も指定してください。'));
    expect(() => loadConfig({ ...base, METRICS_PORT: 'x' })).toThrow(ConfigError);
  });
});
