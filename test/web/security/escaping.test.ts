import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/domain/actors.js';
import { validateFiling, type FilingInput } from '../../../src/domain/filing.js';
import type { JapanDate } from '../../../src/domain/time.js';
import { notificationRepository } from '../../../src/store/notifications.repository.js';
import { TestBrowser } from '../../support/browser.js';
import { createSecurityApp, type SecurityApp } from '../../support/security.js';

/** A payload that breaks out of a text node, an attribute (either quote) and a tag, marked by field. */
const hostile = (mark: string) => `"'><script>alert("${mark}")</script><img src=x onerror=alert(1)>`;
/** What an unescaped payload would leave in the HTML: a tag, or an attribute closed early. (preact escapes < & " and leaves a harmless >.) */
const RAW = [/<script>alert/i, /<img src=x/i, /<\/script>(?:<|&lt;)img/i, /=""'>/];

const OFFICE: Actor = { kind: 'inspectionOffice', officeCode: 'tokyo', id: 'xss-office', label: hostile('of').slice(0, 60) };
const PAYEASY: Actor = { kind: 'paymentNetwork', id: 'xss-pay', label: 'Pay-easy' };

const continuous: FilingInput = {
  procedure: 'continuousInspection',
  officeCode: 'tokyo',
  applicantName: hostile('an'),
  applicantAddress: hostile('aa'),
  userName: hostile('un'),
  userAddress: hostile('ua'),
  vehicleNumber: '品川 580 さ 1234',
  chassisNumber: 'AX01-0000001',
  vehicleModel: '5BA-JF3',
  weightTaxBand: 'standard',
  agentCommissionNumber: 'KIROKU0001',
  agentName: hostile('ag'),
  agentUsable: false,
};

const newVehicle: FilingInput = {
  procedure: 'newVehicle',
  officeCode: 'tokyo',
  applicantName: hostile('an'),
  applicantAddress: hostile('aa'),
  userName: hostile('un'),
  userNameHigh: hostile('uh'),
  userAddress: hostile('ua'),
  ownerSameAsUser: false,
  ownerName: hostile('on'),
  ownerNameHigh: hostile('oh'),
  ownerAddress: hostile('oa'),
  chassisNumber: 'AX01-0000002',
  vehicleModel: '5BA-JF3',
  weightTaxBand: 'standard',
  acquisitionPrice: 1_500_000,
  environmentalTaxRate: 2,
  preferredNumber: false,
};

/** Every GET route, its parameters filled with values that exist for this application. */
function pagesFor(app: FastifyInstance, area: 'portal' | 'staff' | 'api', number: string): string[] {
  const values: Record<string, string[]> = { number: [number], stage: ['inspectionFees', 'weightTax', 'vehicleTax'] };
  const urls = new Set<string>();
  for (const r of app.routeCatalogue) {
    if (r.method !== 'GET' || r.url.includes('*') || r.url.startsWith('/assets')) continue;
    const inArea = area === 'staff' ? r.url.startsWith('/staff') : area === 'api' ? r.url.startsWith('/api/v1') : !r.url.startsWith('/staff') && !r.url.startsWith('/api');
    if (!inArea) continue;
    let expanded = [r.url];
    for (const name of r.url.match(/:[A-Za-z]+/g) ?? []) {
      expanded = expanded.flatMap((u) => (values[name.slice(1)] ?? ['x']).map((v) => u.replace(name, encodeURIComponent(v))));
    }
    for (const u of expanded) urls.add(u);
  }
  return [...urls].sort();
}

describe('user-supplied text is always escaped: <script> in every name field, notice and notification', () => {
  let t: SecurityApp;
  const numbers: string[] = [];

  beforeAll(async () => {
    t = await createSecurityApp();
    for (const input of [continuous, newVehicle]) {
      const filing = validateFiling(input);
      if (!filing.ok) throw new Error(JSON.stringify(filing.errors));
      const registered = await t.services.registerApplication(filing.value, 'Xss-passw0rd', { kind: 'applicant' });
      if (!registered.ok) throw new Error(registered.refusal.message);
      const id = registered.value.id;
      const steps: [Actor, Parameters<SecurityApp['services']['actOnApplication']>[1]][] = [
        [OFFICE, { type: 'accept' }],
        [OFFICE, { type: 'issueFees', dueOn: '2026-12-10' as JapanDate }],
        [PAYEASY, { type: 'recordPayment', stage: 'inspectionFees', paidOn: '2026-11-26' as JapanDate }],
        [PAYEASY, { type: 'recordPayment', stage: 'weightTax', paidOn: '2026-11-26' as JapanDate }],
        [OFFICE, { type: 'requestCorrection', reasonTitle: hostile('rt'), reasonDetail: `${hostile('rd')}\n${hostile('r2')}`, deadline: '2026-12-04' as JapanDate }],
      ];
      for (const [actor, event] of steps) {
        const r = await t.services.actOnApplication(id, event, actor);
        if (!r.ok) throw new Error(`${event.type}: ${r.refusal.message}`);
      }
      await notificationRepository(t.db.handle.db).insert({ id: `xss-${id}`, applicationId: id, title: hostile('nt'), body: hostile('nb'), publishedAt: t.clock.now() });
      const app = await t.services.statusInquiry.read(id);
      numbers.push(app?.application.receiptNumber ?? '');
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const check = (url: string, res: LightMyRequestResponse, seen: Set<string>) => {
    expect(res.statusCode, url).toBeLessThan(500);
    const type = String(res.headers['content-type'] ?? '');
    if (type.startsWith('text/html')) {
      for (const raw of RAW) expect(res.body, url).not.toMatch(raw);
      for (const m of res.body.matchAll(/&lt;script(?:&gt;|>)alert\((?:&quot;|&#34;)([a-z0-9]{2})(?:&quot;|&#34;)\)/g)) seen.add(m[1] as string);
    } else {
      // Anything else that carries the data is JSON, which a browser never renders as a page.
      if (res.body.includes('<script>')) expect(type, url).toMatch(/^application\/json/);
    }
  };

  it('escapes them on every page of the applicant (申請状況確認 and every action page), for both procedures', async () => {
    const seen = new Set<string>();
    for (const number of numbers) {
      const b = new TestBrowser(t.app);
      await b.login(number, 'Xss-passw0rd');
      for (const url of pagesFor(t.app, 'portal', number)) check(url, await b.get(url), seen);
    }
    // The names the status page shows, the notice's reason and the notification, all rendered (escaped).
    expect([...seen].sort()).toEqual(expect.arrayContaining(['ag', 'an', 'nb', 'nt', 'oh', 'on', 'r2', 'rd', 'rt', 'uh', 'un']));
  });

  it('escapes them on every page of the staff UI (work list, application, history)', async () => {
    const created = await t.services.staffAuth.createUser({ loginId: 'xss.clerk', password: 'xss-clerk-passphrase', displayName: '東京 事務員', officeCode: 'tokyo' });
    expect(created.ok).toBe(true);
    const b = new TestBrowser(t.app);
    await b.get('/staff/login');
    const login = await b.post('/staff/login', { loginId: 'xss.clerk', password: 'xss-clerk-passphrase' });
    expect(login.statusCode).toBe(303);
    const seen = new Set<string>();
    for (const number of numbers) for (const url of pagesFor(t.app, 'staff', number)) check(url, await b.get(url), seen);
    expect([...seen]).toEqual(expect.arrayContaining(['an', 'un', 'rt']));
  });

  it('answers the agency API in JSON only (the names travel as JSON strings, never as HTML)', async () => {
    const token = await t.services.apiTokens.create({ name: 'xss', role: 'inspectionOffice', officeCode: 'tokyo' });
    if (!token.ok) throw new Error(token.refusal.message);
    const seen = new Set<string>();
    for (const number of numbers) {
      for (const url of pagesFor(t.app, 'api', number)) {
        const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token.value.token}` } });
        check(url, res, seen);
        // The 一括申請 API's CSV template (issue 17) is the one non-JSON answer: a header row, no data.
        expect(String(res.headers['content-type']), url).toMatch(url.endsWith('/template.csv') ? /^text\/csv/ : /^application\/json/);
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      }
    }
  });
});
