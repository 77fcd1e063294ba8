import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios, loginNumber } from '../../../src/demo/scenarios.js';
import { applicationsDigest, consistencyReport } from '../../../src/store/maintenance.js';
import type { RouteEntry } from '../../../src/web/plugins/route-catalogue.js';
import { TestBrowser, csrfTokenOf } from '../../support/browser.js';
import { createSecurityApp, type SecurityApp } from '../../support/security.js';

/** At least this many generated requests in all (the issue asks for 10,000). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);

/** Field names worth trying in any body: every route's own, and the API's event fields. */
const EXTRA_FIELDS = ['type', 'expectedVersion', 'version', 'reasonTitle', 'reasonDetail', 'deadline', 'dueOn', 'stage', 'paidOn', 'kind', 'completedOn', 'vehicleNumber', 'amount', 'receiptNumber', 'applicationId', 'id', '__proto__', 'constructor'];

const NASTY = [
  '',
  ' ',
  '0',
  '-1',
  '1.5',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '９９９９ ９９９９ ９９９９ ９９９９９',
  '9999 9999 9999 99999',
  '99999999999999999',
  '2112-2310-5000-30459',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '"; DROP TABLE applications; --',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '\u0000',
  '\uFEFF',
  '\uD800',
  '𠮷野家',
  'ｶﾀｶﾅ',
  '\r\nSet-Cookie: x=1',
  '${7*7}',
  '__proto__',
  '2026-02-30',
  '2026-11-26',
  'inspectionFees',
  'withdraw',
  'recordPayment',
  'tokyo',
  String(Number.MAX_SAFE_INTEGER),
  '9'.repeat(400),
];

const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.nat({ max: 5000 }).map((n) => 'あ'.repeat(n)) },
);
/** Header values: HTTP carries only visible ASCII (and latin-1) safely. */
const headerText = fc.oneof(fc.constantFrom('', 'x', '0', '-1', 'Bearer', 'Bearer ', 'W/"1"', '"1"', '*', 'ä', 'a'.repeat(8000)), fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')));
const jsonValue = fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: fc.integer() }, { weight: 1, arbitrary: fc.constantFrom(null, true, false, 1.5, -1, 2 ** 53, [], {}) });

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'text/html',
  'multipart/form-data; boundary=----fuzz',
  'application/xml',
  'application/x-www-form-urlencoded; charset=shift_jis',
  'application/octet-stream',
  '',
  'garbage',
];

type Identity = 'none' | 'anonymous' | 'applicant' | 'staff' | 'garbage';
interface Credentials {
  readonly cookie: string;
  readonly csrf: string;
}

/** encodeURIComponent, or the UTF-8 bytes one by one for text it refuses (a lone surrogate). */
function percentEncode(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

function fieldsOf(route: RouteEntry, part: 'body' | 'querystring' | 'params' | 'headers'): string[] {
  const schema = route.schema?.[part] as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.properties ?? {});
}

describe('hostile input: 10,000+ generated requests to every route: no 5xx, no crash, no change to any application', () => {
  let t: SecurityApp;
  let routes: RouteEntry[];
  const identities = new Map<Identity, Credentials>();
  const tokens: string[] = [];
  let digestBefore = '';

  beforeAll(async () => {
    t = await createSecurityApp({ seed: true });
    routes = t.app.routeCatalogue.filter((r) => r.method !== 'OPTIONS');

    // Every identity the fuzzer uses can do no legitimate write: an applicant whose application
    // is withdrawn, a clerk and tokens of an office with no demo application, revoked tokens.
    const anonymous = new TestBrowser(t.app);
    await anonymous.get('/inquiry/login');
    identities.set('anonymous', { cookie: [...anonymous.cookies].map(([k, v]) => `${k}=${v}`).join('; '), csrf: csrfTokenOf(anonymous.lastPage) });

    const withdrawn = demoScenarios.find((s) => s.key === 'ci-withdrawn')!;
    const applicant = new TestBrowser(t.app);
    const page = await applicant.login(loginNumber(withdrawn), withdrawn.password);
    identities.set('applicant', { cookie: [...applicant.cookies].map(([k, v]) => `${k}=${v}`).join('; '), csrf: csrfTokenOf(page.body) });

    const clerk = await t.services.staffAuth.createUser({ loginId: 'fuzz.osaka', password: 'fuzz-osaka-passphrase', displayName: '大阪 事務員', officeCode: 'osaka' });
    expect(clerk.ok).toBe(true);
    const staff = new TestBrowser(t.app);
    await staff.get('/staff/login');
    const staffLogin = await staff.post('/staff/login', { loginId: 'fuzz.osaka', password: 'fuzz-osaka-passphrase' });
    expect(staffLogin.statusCode).toBe(303);
    const list = await staff.get('/staff/applications');
    identities.set('staff', { cookie: [...staff.cookies].map(([k, v]) => `${k}=${v}`).join('; '), csrf: csrfTokenOf(list.body) });

    for (const spec of [
      { name: 'fuzz-office', role: 'inspectionOffice', officeCode: 'osaka' },
      { name: 'fuzz-tax', role: 'taxOffice', officeCode: 'osakaTax' },
    ]) {
      const created = await t.services.apiTokens.create(spec);
      if (!created.ok) throw new Error(created.refusal.message);
      tokens.push(created.value.token);
    }
    for (const spec of [
      { name: 'fuzz-payment-revoked', role: 'paymentNetwork' },
      { name: 'fuzz-attachments-revoked', role: 'attachmentSource' },
    ]) {
      const created = await t.services.apiTokens.create(spec);
      if (!created.ok) throw new Error(created.refusal.message);
      await t.services.apiTokens.revoke(created.value.record.id);
      tokens.push(created.value.token);
    }
    digestBefore = await applicationsDigest(t.db.handle.db);
  });
  afterAll(async () => {
    await t.close();
  });

  it(`sends ${RUNS.toLocaleString('en')} generated requests: every answer is below 500, and no application changed`, async () => {
    const numbers = demoScenarios.map((s) => loginNumber(s).replace(/ /g, ''));
    const perRoute = new Map<string, number>();
    const statuses = new Map<number, number>();

    const request = fc.record({
      // Without bias: fast-check favours small numbers, and the last of 200 routes could fall under a fair share.
      route: fc.noBias(fc.nat({ max: routes.length - 1 })),
      wrongMethod: fc.oneof({ weight: 19, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') }),
      params: fc.array(fc.oneof(text, fc.constantFrom(...numbers), fc.constantFrom('%00', '..%2F..', '%E0%A4%A', '%ff', 'inspectionFees', 'accept', 'reject')), { minLength: 3, maxLength: 3 }),
      query: fc.dictionary(fc.oneof(fc.constantFrom('ended', 'size', 'return', 'status', 'page', 'done', 'procedure', 'deadline', 'id', 'number'), fc.string({ maxLength: 8 })), text, { maxKeys: 4 }),
      identity: fc.constantFrom<Identity>('none', 'anonymous', 'applicant', 'applicant', 'staff', 'staff', 'garbage'),
      withCsrf: fc.boolean(),
      token: fc.oneof(fc.constant(null), fc.nat({ max: 3 }), headerText),
      contentType: fc.constantFrom(...CONTENT_TYPES),
      bodyKind: fc.constantFrom('form', 'form', 'json', 'json', 'raw', 'none', 'huge'),
      fields: fc.array(fc.tuple(fc.oneof(fc.nat({ max: 60 }).map(String), fc.string({ maxLength: 10 })), jsonValue), { maxLength: 12 }),
      raw: fc.uint8Array({ maxLength: 300 }),
      headers: fc.dictionary(fc.constantFrom('x-forwarded-for', 'x-forwarded-proto', 'x-request-id', 'if-match', 'idempotency-key', 'accept', 'accept-language', 'origin', 'referer', 'x-application-id', 'range'), headerText, { maxKeys: 4 }),
      address: fc.tuple(fc.nat({ max: 255 }), fc.nat({ max: 255 }), fc.nat({ max: 255 })).map(([a, b, c]) => `10.${a}.${b}.${c}`),
    });

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const route = routes[r.route] as RouteEntry;
        perRoute.set(`${route.method} ${route.url}`, (perRoute.get(`${route.method} ${route.url}`) ?? 0) + 1);
        let p = 0;
        const url = route.url.replace(/:[A-Za-z]+|\*/g, () => {
          const v = r.params[p++ % r.params.length] as string;
          return /^%|^\.\./.test(v) ? v : percentEncode(v);
        });
        const query = new URLSearchParams(Object.entries(r.query).map(([k, v]) => [k, String(v)])).toString();
        const method = (r.wrongMethod ?? route.method) as InjectOptions['method'];

        const known = [...fieldsOf(route, 'body'), ...EXTRA_FIELDS];
        const fields: [string, unknown][] = r.fields.map(([k, v]) => [/^\d+$/.test(k) ? (known[Number(k) % known.length] as string) : k, v]);
        const id = r.identity === 'none' || r.identity === 'garbage' ? null : identities.get(r.identity)!;
        if (id && r.withCsrf) fields.push(['_csrf', id.csrf]);

        const headers: Record<string, string> = { ...(r.headers) };
        if (id) headers.cookie = id.cookie;
        if (r.identity === 'garbage') headers.cookie = `kei_session=${percentEncode(String(r.fields[0]?.[1] ?? 'x'))}; kei_staff_session=x; kei_csrf=y`;
        if (r.token !== null) headers.authorization = typeof r.token === 'number' ? `Bearer ${tokens[r.token]}` : r.token;

        let payload: string | Buffer | undefined;
        if (method !== 'GET' && method !== 'HEAD' && r.bodyKind !== 'none') {
          if (r.contentType) headers['content-type'] = r.contentType;
          if (r.bodyKind === 'form') payload = new URLSearchParams(fields.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])).toString();
          else if (r.bodyKind === 'json') payload = JSON.stringify(Object.fromEntries(fields));
          else if (r.bodyKind === 'raw') payload = Buffer.from(r.raw);
          else payload = `${fields.map(([k]) => `${encodeURIComponent(k)}=`).join('&')}&x=${'a'.repeat(70_000)}`;
        }

        const res = await t.app.inject({ method, url: query ? `${url}?${query}` : url, headers, remoteAddress: r.address, ...(payload !== undefined ? { payload } : {}) });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) {
          throw new Error(`${method} ${url}?${query} (${r.identity}, ${r.bodyKind}, ${r.contentType}) answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );

    const summary = { seed: SEED, requests: [...statuses.values()].reduce((a, b) => a + b, 0), routes: routes.length, statuses: Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])) };
    console.log(`[fuzz] ${JSON.stringify(summary)}`);
    expect(summary.requests).toBe(RUNS);
    // Every route was exercised, a fair share each.
    for (const r of routes) expect(perRoute.get(`${r.method} ${r.url}`) ?? 0, `${r.method} ${r.url}`).toBeGreaterThanOrEqual(Math.floor(RUNS / routes.length / 3));
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);

    // Nothing changed, and the server still answers.
    expect(await applicationsDigest(t.db.handle.db)).toBe(digestBefore);
    expect((await consistencyReport(t.db.handle)).problems).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  }, 900_000);
});
