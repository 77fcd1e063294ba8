import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios } from '../../src/demo/scenarios.js';
import type { RefusalCode } from '../../src/domain/result.js';
import { buildApp } from '../../src/web/app.js';
import { refusalBody } from '../../src/web/api/errors.js';
import { sendRefused } from '../../src/web/portal/actions/refused.js';
import { createTestApp, silentLogger, type TestApp } from '../support/app.js';
import { textOf } from '../support/browser.js';
import { agencyTokens, browserFor, type AgencyTokens } from './api/support.js';
import { loginAs } from './portal/actions/support.js';
import { staffBrowser } from './staff/support.js';

const codes: RefusalCode[] = [
  'invalidInput',
  'invalidCredentials',
  'actorNotAllowed',
  'otherOffice',
  'notFound',
  'statusDoesNotAllow',
  'versionConflict',
  'alreadyDone',
  'paymentNumberTaken',
  'deadlinePassed',
  'deadlineNotPassed',
  'attachmentsIncomplete',
  'procedureDoesNotAllow',
];

const numberOf = (key: string) => {
  const s = demoScenarios.find((d) => d.key === key)!;
  return s.receiptNumber ?? s.arrivalNumber;
};

describe('one table from refusal to HTTP status: the portal, the staff UI and the API agree', () => {
  let t: TestApp;
  let app: FastifyInstance;
  let a: AgencyTokens;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    a = await agencyTokens(t);
    // The real app plus, for each refusal, the portal's refused page and the API's error, as the routes send them.
    app = await buildApp({ services: t.services, cookieSecret: t.secrets.cookieSecret, logger: silentLogger });
    for (const code of codes) {
      app.get(`/__test/portal/${code}`, (req, reply) => sendRefused(req, reply, 'テスト', { code, message: `拒否: ${code}` }));
      app.get(`/__test/api/${code}`, async (_req, reply) => {
        const { status, body } = refusalBody({ code, message: `拒否: ${code}` });
        return reply.code(status).send(body);
      });
    }
    await app.ready();
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  for (const code of codes) {
    it(`${code}: the same status on the portal's page and in the API's JSON`, async () => {
      const portal = await app.inject({ method: 'GET', url: `/__test/portal/${code}` });
      const api = await app.inject({ method: 'GET', url: `/__test/api/${code}` });
      expect(textOf(portal.body)).toContain(`拒否: ${code}`);
      expect(api.json()).toEqual({ error: { code, message: `拒否: ${code}` } });
      expect(portal.statusCode).toBe(api.statusCode);
    });
  }

  it('the two that used to differ: invalidCredentials is 401 and procedureDoesNotAllow is 422 everywhere', async () => {
    expect((await app.inject({ method: 'GET', url: '/__test/portal/invalidCredentials' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/__test/portal/procedureDoesNotAllow' })).statusCode).toBe(422);
    // Through the real routes: a wrong password at the staff login; an attachment a 継続検査 does not have, in the API.
    const clerk = browserFor(t.app);
    await clerk.get('/staff/login');
    const wrong = await clerk.post('/staff/login', { loginId: 'tokyo-clerk', password: 'not the password at all' });
    expect(wrong.statusCode).toBe(401);
    const notHere = await a.attachments.event(numberOf('ci-accepted'), { type: 'acquireAttachment', kind: 'completionCertificate' });
    expect(notHere.statusCode).toBe(422);
    expect(notHere.json<{ error: { code: string } }>().error.code).toBe('procedureDoesNotAllow');
  });

  it('statusDoesNotAllow through the real routes: 409 from the portal, the staff UI and the API', async () => {
    // 返付済: nothing more can happen to it.
    const { b, csrf } = await loginAs(t, 'ci-returned');
    const portal = await b.post('/inquiry/withdraw', { version: '1', _csrf: csrf });
    const staff = await staffBrowser(t);
    const page = await staff.get(`/staff/applications/${numberOf('nv-fees-due')}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    const staffDecision = await staff.post(`/staff/applications/${numberOf('nv-fees-due')}/mark-ready`, { version });
    const api = await a.tokyo.event(numberOf('ci-returned'), { type: 'accept' });
    expect([portal.statusCode, staffDecision.statusCode, api.statusCode]).toEqual([409, 409, 409]);
    expect(api.json<{ error: { code: string } }>().error.code).toBe('statusDoesNotAllow');
  });
});
