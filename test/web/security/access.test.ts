import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios, loginNumber, type DemoScenario } from '../../../src/demo/scenarios.js';
import { formatReceiptNumber } from '../../../src/domain/receipt-number.js';
import type { ReceiptNumber } from '../../../src/domain/receipt-number.js';
import type { RouteEntry } from '../../../src/web/plugins/route-catalogue.js';
import { TestBrowser, csrfTokenOf, textOf } from '../../support/browser.js';
import { createSecurityApp, type SecurityApp } from '../../support/security.js';

const demo = (key: string) => demoScenarios.find((s) => s.key === key) as DemoScenario;

interface Target {
  readonly key: string;
  readonly id: string;
  readonly number: string;
  readonly arrival: string;
  readonly version: number;
  /** What only this application's pages show: its number as displayed, and its people's names. */
  readonly markers: string[];
}

/** Values a schema allows when it is an enumeration (TypeBox Enum / Union of literals). */
function enumValues(schema: unknown): string[] {
  const s = schema as { enum?: unknown[]; anyOf?: { const?: unknown }[] } | undefined;
  if (s?.enum) return s.enum.map(String);
  if (s?.anyOf) return s.anyOf.map((a) => a.const).filter((v) => v !== undefined).map(String);
  return [];
}

function paramValues(route: RouteEntry, name: string, number: string): string[] {
  const props = (route.schema?.params as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  const values = enumValues(props[name]);
  if (values.length > 0) return values;
  return name === 'number' ? [number] : ['x'];
}

/** Every concrete URL of a route, with its parameters filled in (a receipt number where one is named). */
function urlsOf(route: RouteEntry, number: string): string[] {
  let urls = [route.url];
  for (const name of route.url.match(/:[A-Za-z]+/g) ?? []) urls = urls.flatMap((u) => paramValues(route, name.slice(1), number).map((v) => u.replace(name, encodeURIComponent(v))));
  return urls;
}

const bodyFields = (route: RouteEntry) => Object.keys((route.schema?.body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});

/** A value for a form field that points at the other application wherever a field could name one. */
function hostileValue(field: string, target: Target): string {
  if (/version/i.test(field)) return String(target.version);
  if (/number|receipt|arrival|code/i.test(field)) return target.number;
  if (/id$/i.test(field)) return target.id;
  if (field === 'stage') return 'inspectionFees';
  if (field === 'target') return 'inspectionFees';
  return 'x';
}

describe('broken access: one applicant sees and acts on their own application only; one office on its own only', () => {
  let t: SecurityApp;
  let targets: Target[];
  const versionsBefore = new Map<string, number>();

  async function target(key: string): Promise<Target> {
    const s = demo(key);
    const id = (await t.services.findApplicationId(loginNumber(s).replace(/ /g, '') as ReceiptNumber)) as string;
    const snap = (await t.services.statusInquiry.read(id))!;
    const a = snap.application;
    const shown = formatReceiptNumber((a.receiptNumber ?? a.arrivalNumber));
    // Names count as markers only when no other demo application shares them.
    const unique = (name: string, field: 'userName' | 'applicantName') => demoScenarios.filter((d) => d.filing[field] === name).length === 1;
    const markers = [shown, ...(unique(a.user.name, 'userName') ? [a.user.name] : []), ...(unique(a.applicant.name, 'applicantName') ? [a.applicant.name] : [])];
    return { key, id, number: (a.receiptNumber ?? a.arrivalNumber), arrival: a.arrivalNumber, version: a.version, markers };
  }

  async function versions(): Promise<Map<string, number>> {
    const rows = await t.db.handle.db.selectFrom('applications').select(['id', 'version']).execute();
    return new Map(rows.map((r) => [r.id, r.version]));
  }

  const leaked = (res: LightMyRequestResponse, target: Target) => target.markers.filter((m) => textOf(res.body).includes(m) || res.body.includes(m));

  beforeAll(async () => {
    t = await createSecurityApp({ seed: true });
    // Targets in statuses where each applicant action and each office decision would be allowed.
    targets = [];
    for (const key of ['nv-bulk', 'ci-manual-example', 'ci-ready', 'ci-fees-due', 'nv-vehicle-tax-due', 'nv-tax-correction', 'ci-under-examination', 'ci-awaiting-acceptance']) targets.push(await target(key));
    for (const [id, v] of await versions()) versionsBefore.set(id, v);
  });
  afterAll(async () => {
    await t.close();
  });

  it('the markers are shown to the application’s own applicant (so that their absence below means something)', async () => {
    for (const tg of targets) {
      const s = demo(tg.key);
      const page = await new TestBrowser(t.app).login(loginNumber(s), s.password);
      for (const m of tg.markers) expect(textOf(page.body), `${tg.key}: ${m}`).toContain(m);
    }
  });

  it('with an applicant’s session, no URL, parameter, form field, header or cookie reaches another application, on any portal route', async () => {
    const own = demo('ci-correction-far');
    const b = new TestBrowser(t.app);
    const page = await b.login(loginNumber(own), own.password);
    const csrf = csrfTokenOf(page.body);
    const cookie = [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const routes = t.app.routeCatalogue.filter((r) => !r.url.startsWith('/staff') && !r.url.startsWith('/api') && !r.url.startsWith('/assets') && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThan(20);
    let requests = 0;
    for (const tg of targets) {
      for (const route of routes) {
        for (const url of urlsOf(route, tg.number)) {
          const pointers = { id: tg.id, applicationId: tg.id, number: tg.number, receiptNumber: tg.number, arrivalNumber: tg.arrival };
          const query = new URLSearchParams(pointers).toString();
          const fields = Object.fromEntries(bodyFields(route).map((f) => [f, hostileValue(f, tg)]));
          const form = { ...fields, ...pointers, _csrf: csrf };
          const variants: (InjectOptions & { url: string })[] = [
            { method: route.method, url, headers: { cookie } },
            { method: route.method, url: `${url}?${query}`, headers: { cookie } },
            {
              method: route.method,
              url,
              headers: { cookie: `${cookie}; kei_login_number=${tg.number}; kei_application=${tg.id}`, 'x-application-id': tg.id, 'x-receipt-number': tg.number, referer: `/inquiry/status?number=${tg.number}` },
            },
          ];
          if (route.method === 'POST') {
            for (const v of variants) {
              v.payload = new URLSearchParams(form).toString();
              (v.headers as Record<string, string>)['content-type'] = 'application/x-www-form-urlencoded';
            }
            variants.push({ method: 'POST', url, headers: { cookie, 'content-type': 'application/json' }, payload: JSON.stringify(form) });
          }
          for (const v of variants) {
            const res = await t.app.inject(v);
            requests += 1;
            expect(res.statusCode, `${v.method} ${v.url}`).toBeLessThan(500);
            // The login form echoes the number it was given (and logs nothing in with it): there only names would be a leak.
            const isLogin = route.url.startsWith('/inquiry/login');
            expect(
              leaked(res, tg).filter((m) => !isLogin || m !== tg.markers[0]),
              `${v.method} ${v.url} showed ${tg.key}`,
            ).toEqual([]);
            expect(res.cookies.some((c) => c.name === 'kei_session' && c.value !== ''), `${v.method} ${v.url} started a session`).toBe(false);
          }
        }
      }
    }
    console.log(`[access, applicant] ${requests} requests over ${routes.length} routes and ${targets.length} other applications: nothing of theirs shown`);
    const after = await versions();
    for (const tg of targets) expect(after.get(tg.id), tg.key).toBe(versionsBefore.get(tg.id));
  }, 300_000);

  it('a clerk of another office can neither see nor decide on an application, nor hand it over at the counter', async () => {
    // The 2D code of a ready application exists, so that the counter could be tried with it.
    const ready = targets.find((x) => x.key === 'ci-ready') as Target;
    const issued = await t.services.actOnApplication(ready.id, { type: 'issueCollectionCode' }, { kind: 'applicant' });
    expect(issued.ok).toBe(true);
    const code = t.services.collectionCodes.contentFor(issued.ok ? issued.value.application : (null as never));
    const readyVersion = (await t.services.statusInquiry.read(ready.id))!.application.version;
    for (const [id, v] of await versions()) versionsBefore.set(id, v);

    for (const office of ['tokyo', 'osaka'] as const) {
      const created = await t.services.staffAuth.createUser({ loginId: `access.${office}`, password: `access-${office}-passphrase`, displayName: `${office} 事務員`, officeCode: office });
      expect(created.ok).toBe(true);
    }
    const login = async (office: string) => {
      const b = new TestBrowser(t.app);
      await b.get('/staff/login');
      expect((await b.post('/staff/login', { loginId: `access.${office}`, password: `access-${office}-passphrase` })).statusCode).toBe(303);
      await b.get('/staff/applications');
      return b;
    };
    const own = await login('tokyo');
    const other = await login('osaka');
    const csrf = csrfTokenOf(other.lastPage);
    const cookie = [...other.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

    const list = await other.get('/staff/applications?status=all');
    expect(list.statusCode).toBe(200);
    const staffRoutes = t.app.routeCatalogue.filter((r) => r.url.startsWith('/staff') && r.method !== 'HEAD' && r.url !== '/staff/login' && r.url !== '/staff/logout');
    let requests = 0;
    for (const tg of targets) {
      for (const m of tg.markers) expect(textOf(list.body)).not.toContain(m);
      // Positive control: the application's own office sees it.
      const seen = await own.get(`/staff/applications/${tg.number}`);
      expect(seen.statusCode).toBe(200);
      expect(textOf(seen.body)).toContain(tg.markers[0]);
      for (const route of staffRoutes) {
        for (const url of urlsOf(route, tg.number)) {
          const fields: Record<string, string> = {
            _csrf: csrf,
            version: String(tg.version),
            code: tg.key === 'ci-ready' ? code : tg.number,
            reasonTitle: '他事務所からの操作',
            reasonDetail: '他事務所からの操作',
            deadline: '2026-12-10',
            dueOn: '2026-12-10',
            completedOn: '2026-11-26',
            vehicleNumber: '品川 580 さ 1234',
            kind: 'insuranceCertificate',
          };
          if (tg.key === 'ci-ready') fields.version = String(readyVersion);
          const res = await t.app.inject({
            method: route.method as InjectOptions['method'],
            url,
            headers: { cookie, ...(route.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
            ...(route.method === 'POST' ? { payload: new URLSearchParams(fields).toString() } : {}),
          });
          requests += 1;
          expect(res.statusCode, `${route.method} ${url}`).toBeLessThan(500);
          if (route.url.includes(':number')) expect([403, 404], `${route.method} ${url}`).toContain(res.statusCode);
          expect(leaked(res, tg), `${route.method} ${url} showed ${tg.key} to another office`).toEqual([]);
        }
      }
    }
    console.log(`[access, staff] ${requests} requests of an osaka clerk over ${staffRoutes.length} staff routes: every other-office application refused`);
    const after = await versions();
    for (const [id, v] of versionsBefore) expect(after.get(id), id).toBe(v);
  }, 300_000);

  it('an office’s API token reads and moves only its own office’s applications (tax office: its prefecture’s new cars only)', async () => {
    const osaka = await t.services.apiTokens.create({ name: 'access-osaka', role: 'inspectionOffice', officeCode: 'osaka' });
    const osakaTax = await t.services.apiTokens.create({ name: 'access-osaka-tax', role: 'taxOffice', officeCode: 'osakaTax' });
    const tokyo = await t.services.apiTokens.create({ name: 'access-tokyo', role: 'inspectionOffice', officeCode: 'tokyo' });
    if (!osaka.ok || !osakaTax.ok || !tokyo.ok) throw new Error('tokens');
    const events = [
      { type: 'accept' },
      { type: 'refuseAcceptance', reasonTitle: 'x', reasonDetail: 'y' },
      { type: 'issueFees', dueOn: '2026-12-10' },
      { type: 'requestCorrection', reasonTitle: 'x', reasonDetail: 'y', deadline: '2026-12-10' },
      { type: 'completeExamination', completedOn: '2026-11-26' },
      { type: 'reject', reasonTitle: 'x', reasonDetail: 'y' },
      { type: 'invalidate', reasonTitle: 'x', reasonDetail: 'y' },
      { type: 'markReady' },
      { type: 'handOver' },
      { type: 'requestTaxCorrection', reasonTitle: 'x', reasonDetail: 'y', deadline: '2026-12-10' },
      { type: 'assessVehicleTax', dueOn: '2026-12-10' },
    ];
    for (const [id, v] of await versions()) versionsBefore.set(id, v);
    // Every API route from the catalogue: those that name an application are tried on each target.
    const apiRoutes = t.app.routeCatalogue.filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD');
    expect(apiRoutes.some((r) => r.url.includes(':number') && r.method === 'GET')).toBe(true);
    let requests = 0;
    for (const tg of targets) {
      const mine = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${tg.number}`, headers: { authorization: `Bearer ${tokyo.value.token}` } });
      expect(mine.statusCode).toBe(200);
      for (const token of [osaka.value.token, osakaTax.value.token]) {
        for (const route of apiRoutes.filter((r) => r.url.includes(':number'))) {
          const url = route.url.replace(':number', tg.number);
          const bodies = route.method === 'GET' ? [undefined] : route.url.endsWith('/events') ? events : [{ expectedVersion: tg.version }];
          for (const body of bodies) {
            const res = await t.app.inject({
              method: route.method as InjectOptions['method'],
              url,
              headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json', 'if-match': String(tg.version) } : {}) },
              ...(body ? { payload: JSON.stringify({ ...body, expectedVersion: tg.version }) } : {}),
            });
            requests += 1;
            const what = `${route.method} ${url} ${body && 'type' in body ? String(body.type) : ''}`;
            expect(res.statusCode, what).toBeLessThan(500);
            if (route.method === 'GET') expect([403, 404], what).toContain(res.statusCode);
            else expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
            expect(leaked(res, tg), what).toEqual([]);
          }
        }
      }
    }
    // Routes that name no application: what they answer shows none of another office's.
    for (const route of apiRoutes.filter((r) => !r.url.includes(':') && r.method === 'GET')) {
      const res = await t.app.inject({ method: 'GET', url: route.url, headers: { authorization: `Bearer ${osaka.value.token}` } });
      expect(res.statusCode, route.url).toBeLessThan(500);
      for (const tg of targets) expect(leaked(res, tg), route.url).toEqual([]);
    }
    const register = await t.app.inject({
      method: 'POST',
      url: '/api/v1/applications',
      headers: { authorization: `Bearer ${osaka.value.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ ...demo('ci-fees-due').filing, password: 'Other-office-1' }),
    });
    expect(register.statusCode).toBe(403);
    console.log(`[access, API] ${requests} requests of osaka tokens over the ${apiRoutes.length} API routes on tokyo applications: all refused`);
    const after = await versions();
    for (const [id, v] of versionsBefore) expect(after.get(id), id).toBe(v);
    expect(after.size).toBe(versionsBefore.size);
  });
});
