import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../../../src/demo/account.js';
import { demoScenarios, loginNumber, type DemoScenario } from '../../../src/demo/scenarios.js';
import { formatReceiptNumber, type ReceiptNumber } from '../../../src/domain/receipt-number.js';
import type { RouteEntry } from '../../../src/web/plugins/route-catalogue.js';
import { TestBrowser, csrfTokenOf, textOf } from '../../support/browser.js';
import { createSecurityApp, type SecurityApp } from '../../support/security.js';

const PASSWORD = 'intruder kei passphrase';
const demo = (key: string) => demoScenarios.find((s) => s.key === key) as DemoScenario;

interface Target {
  readonly key: string;
  readonly id: string;
  readonly number: string;
  readonly markers: string[];
}

/** Every concrete URL of a route: :id is the target's id, :number its number, anything else a junk value. */
function urlsOf(route: RouteEntry, target: Target): string[] {
  const props = (route.schema?.params as { properties?: Record<string, { enum?: unknown[]; anyOf?: { const?: unknown }[] }> } | undefined)?.properties ?? {};
  let urls = [route.url];
  for (const name of route.url.match(/:[A-Za-z]+/g) ?? []) {
    const key = name.slice(1);
    const schema = props[key];
    const values = schema?.enum?.map(String) ?? schema?.anyOf?.map((a) => a.const).filter((v) => v !== undefined).map(String) ?? (key === 'id' ? [target.id] : key === 'number' ? [target.number] : ['x']);
    urls = urls.flatMap((u) => values.map((v) => u.replace(name, encodeURIComponent(v))));
  }
  return urls;
}

const bodyFields = (route: RouteEntry) => Object.keys((route.schema?.body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});

describe('a 利用者ID sees and acts on its own applications only (issue 16)', () => {
  let t: SecurityApp;
  let targets: Target[];
  let intruder: TestBrowser;
  let ownId: string;

  const heldBy = async (userId: string) =>
    (
      await t.db.handle.db
        .selectFrom('account_applications as aa')
        .innerJoin('accounts as a', 'a.id', 'aa.account_id')
        .select('aa.application_id')
        .where('a.user_id', '=', userId)
        .orderBy('aa.application_id')
        .execute()
    ).map((r) => r.application_id);
  const versions = async () => new Map((await t.db.handle.db.selectFrom('applications').select(['id', 'version']).execute()).map((r) => [r.id, r.version]));
  const leaked = (res: LightMyRequestResponse, target: Target) => target.markers.filter((m) => textOf(res.body).includes(m) || res.body.includes(m));

  beforeAll(async () => {
    t = await createSecurityApp({ seed: true });
    targets = [];
    for (const key of ['nv-bulk', 'ci-manual-example', 'ci-ready', 'ci-fees-due', 'nv-tax-correction', 'ci-correction-far']) {
      const s = demo(key);
      const id = (await t.services.findApplicationId(loginNumber(s).replace(/ /g, '') as ReceiptNumber))!;
      const a = (await t.services.statusInquiry.read(id))!.application;
      const unique = (name: string) => demoScenarios.filter((d) => d.filing.userName === name).length === 1;
      targets.push({ key, id, number: a.receiptNumber ?? a.arrivalNumber, markers: [formatReceiptNumber(a.receiptNumber ?? a.arrivalNumber), ...(unique(a.user.name) ? [a.user.name] : [])] });
    }
    // The intruder: a confirmed 利用者ID of its own, holding one application of its own.
    const r = await t.services.accounts.register({ kind: 'business', name: '別の販売店', mailAddress: 'other@example.jp', password: PASSWORD }, { clientAddress: null });
    if (!r.ok) throw new Error(r.refusal.message);
    const mail = await t.db.handle.db.selectFrom('mail_outbox').select('text_body').where('account_id', '=', r.value.accountId).where('kind', '=', 'accountConfirmation').executeTakeFirstOrThrow();
    await t.services.accounts.confirm(/\/account\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!, { clientAddress: null });
    const own = demo('ci-awaiting-acceptance');
    ownId = (await t.services.findApplicationId(loginNumber(own).replace(/ /g, '') as ReceiptNumber))!;
    const added = await t.services.accounts.addApplication(r.value.accountId, loginNumber(own).replace(/ /g, '') as ReceiptNumber, own.password, undefined, { clientAddress: null });
    expect(added.ok).toBe(true);
    intruder = new TestBrowser(t.app);
    await intruder.get('/account/login');
    expect((await intruder.post('/account/login', { userId: r.value.userId, password: PASSWORD, totpCode: '' })).statusCode).toBe(303);
    await intruder.get('/account/applications');
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('the markers are on the owner’s list (so that their absence below means something)', async () => {
    const owner = new TestBrowser(t.app);
    await owner.get('/account/login');
    await owner.post('/account/login', { userId: DEMO_ACCOUNT.userId, password: DEMO_ACCOUNT.password, totpCode: '' });
    const list = await owner.get('/account/applications');
    for (const tg of targets) for (const m of tg.markers) expect(textOf(list.body), `${tg.key}: ${m}`).toContain(m);
  });

  it('with another 利用者ID’s session, no URL, parameter or form field on any portal or account route shows or changes the owner’s applications or list', async () => {
    const demoHeld = await heldBy(DEMO_ACCOUNT.userId);
    const before = await versions();
    const csrf = csrfTokenOf(intruder.lastPage);
    const cookie = intruder.cookieHeader()!;
    const routes = t.app.routeCatalogue.filter((r) => !r.url.startsWith('/staff') && !r.url.startsWith('/api') && !r.url.startsWith('/assets') && r.method !== 'HEAD' && r.url !== '/account/logout' && r.url !== '/inquiry/logout');
    expect(routes.filter((r) => r.url.startsWith('/account')).length).toBeGreaterThanOrEqual(15);
    let requests = 0;
    for (const tg of targets) {
      for (const route of routes) {
        for (const url of urlsOf(route, tg)) {
          const pointers = { id: tg.id, applicationId: tg.id, number: tg.number, receiptNumber: tg.number, accountId: tg.id };
          const fields = Object.fromEntries(bodyFields(route).map((f) => [f, /number/i.test(f) ? tg.number : /id$/i.test(f) ? tg.id : 'x']));
          const variants: (InjectOptions & { url: string })[] = [
            { method: route.method, url, headers: { cookie } },
            { method: route.method, url: `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams({ ...pointers, q: tg.number, status: 'all' }).toString()}`, headers: { cookie } },
          ];
          if (route.method === 'POST') {
            for (const v of variants) {
              v.payload = new URLSearchParams({ ...fields, ...pointers, _csrf: csrf }).toString();
              (v.headers as Record<string, string>)['content-type'] = 'application/x-www-form-urlencoded';
            }
          }
          for (const v of variants) {
            const res = await t.app.inject({ ...v, remoteAddress: intruder.remoteAddress });
            requests += 1;
            expect(res.statusCode, `${v.method} ${v.url}`).toBeLessThan(500);
            // Login and add forms echo the number typed into them: there only names would be a leak.
            const echoes = /^\/(inquiry\/login|account\/applications\/add)/.test(route.url);
            expect(leaked(res, tg).filter((m) => !echoes || m !== tg.markers[0]), `${v.method} ${v.url} showed ${tg.key}`).toEqual([]);
          }
        }
      }
    }
    console.log(`[access, 利用者ID] ${requests} requests over ${routes.length} routes and ${targets.length} applications of another 利用者ID: nothing of theirs shown`);
    const after = await versions();
    for (const tg of targets) expect(after.get(tg.id), tg.key).toBe(before.get(tg.id));
    expect(await heldBy(DEMO_ACCOUNT.userId)).toEqual(demoHeld);
    const intruderHeld = await t.db.handle.db.selectFrom('account_applications as aa').innerJoin('accounts as a', 'a.id', 'aa.account_id').select('aa.application_id').where('a.name', '=', '別の販売店').execute();
    expect(intruderHeld.map((r) => r.application_id)).toEqual([ownId]);
  }, 300_000);

  it('opening another’s application answers like an unknown one, and the status page stays closed', async () => {
    const tg = targets[0]!;
    const open = await intruder.get(`/account/open/${tg.id}`);
    expect(open.statusCode).toBe(404);
    expect(textOf(open.body)).toContain('この申請は申請一覧にありません。');
    const unknown = await intruder.get('/account/open/00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(textOf(unknown.body)).toBe(textOf(open.body));
    expect((await intruder.get('/inquiry/status')).statusCode).toBe(401);
    // Its own application opens.
    expect((await intruder.get(`/account/open/${ownId}`)).headers.location).toBe('/inquiry/status');
    const own = await intruder.get('/inquiry/status');
    expect(own.statusCode).toBe(200);
    for (const m of tg.markers) expect(textOf(own.body)).not.toContain(m);
  });

  it('a removed application closes in the session that had it open', async () => {
    expect((await intruder.get(`/account/open/${ownId}`)).statusCode).toBe(303);
    await intruder.get(`/account/applications/${ownId}/remove`);
    expect((await intruder.post(`/account/applications/${ownId}/remove`, {})).statusCode).toBe(303);
    expect((await intruder.get('/inquiry/status')).statusCode).toBe(401);
  });

  it('account forms need the session’s CSRF token; the session id changes at login and dies at 終了; pages carry the strict CSP', async () => {
    const b = new TestBrowser(t.app);
    await b.get('/account/login');
    const noToken = await b.post('/account/login', { userId: DEMO_ACCOUNT.userId, password: DEMO_ACCOUNT.password, totpCode: '' }, { csrf: null });
    expect(noToken.statusCode).toBe(403);
    await b.get('/account/login');
    await b.post('/account/login', { userId: DEMO_ACCOUNT.userId, password: DEMO_ACCOUNT.password, totpCode: '' });
    const first = b.cookies.get('kei_session');
    const list = await b.get('/account/applications');
    expect(String(list.headers['content-security-policy'])).toContain("script-src 'self'");
    // A token from before the login is stale for the logged-in session.
    const anon = new TestBrowser(t.app);
    const anonPage = await anon.get('/account/login');
    expect((await b.post('/account/applications/add', { receiptNumber: targets[0]!.number, password: 'x' }, { csrf: csrfTokenOf(anonPage.body) })).statusCode).toBe(403);
    await b.get('/account/applications');
    await b.post('/account/logout', {});
    expect(b.cookies.get('kei_session')).toBeUndefined();
    const replay = await t.app.inject({ method: 'GET', url: '/account/applications', headers: { cookie: `kei_session=${first}` } });
    expect(replay.statusCode).toBe(401);
    const again = new TestBrowser(t.app);
    await again.get('/account/login');
    await again.post('/account/login', { userId: DEMO_ACCOUNT.userId, password: DEMO_ACCOUNT.password, totpCode: '' });
    expect(again.cookies.get('kei_session')).not.toBe(first);
  });
});
