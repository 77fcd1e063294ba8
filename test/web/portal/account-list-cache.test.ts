import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../../../src/demo/account.js';
import type { Services } from '../../../src/services/index.js';
import { createTestApp, openSecondProcess, type SecondProcess, type TestApp } from '../../support/app.js';
import { csrfTokenOf, TestBrowser, textOf } from '../../support/browser.js';
import { ciInput } from '../../domain/support.js';

const MANUAL_CI = '9999 9999 9999 99999';
const tokensOf = (html: string) => [...html.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]!);
const withoutTokens = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""');
const countOf = (html: string, text: string) => html.split(text).length - 1;
const totalOf = (html: string) => Number(/全([0-9]+)件/.exec(textOf(html))?.[1]);
/** The row of one application in the list: from its number to the end of its row. */
const rowOf = (html: string, number: string) => {
  const at = html.indexOf(`>${number}</a>`);
  return at === -1 ? null : textOf(html.slice(at, html.indexOf('</tr>', at)));
};

/**
 * The first page of 申請一覧 is kept per process, keyed by the account's list version read in the
 * same request (issue 16): two app instances on one database stand for two server processes.
 */
describe('the kept first page of 申請一覧 is never stale', () => {
  let t: TestApp;
  let second: SecondProcess;
  let other: FastifyInstance;
  let otherServices: Services;
  let accountId: string;
  let applicationId: string;

  async function loginBoth(): Promise<{ a: TestBrowser; b: TestBrowser }> {
    const a = new TestBrowser(t.app);
    await a.get('/account/login');
    const res = await a.post('/account/login', { userId: DEMO_ACCOUNT.userId, password: DEMO_ACCOUNT.password, totpCode: '' });
    expect(res.statusCode).toBe(303);
    const b = new TestBrowser(other);
    for (const [k, v] of a.cookies) b.cookies.set(k, v);
    return { a, b };
  }

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    second = await openSecondProcess(t);
    ({ app: other, services: otherServices } = second);
    applicationId = (await t.services.findApplicationId(MANUAL_CI.replace(/ /g, '') as never))!;
    accountId = (await t.db.handle.db.selectFrom('accounts').select('id').where('user_id', '=', DEMO_ACCOUNT.userId).executeTakeFirstOrThrow()).id;
  }, 120_000);
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  it('a second view is the same page with a fresh CSRF token, and the token works', async () => {
    const { a } = await loginBoth();
    const first = await a.get('/account/applications');
    const second = await a.get('/account/applications');
    expect(second.statusCode).toBe(200);
    expect(withoutTokens(second.body)).toBe(withoutTokens(first.body));
    expect(tokensOf(second.body)).toHaveLength(1);
    expect(tokensOf(second.body)[0]).not.toBe(tokensOf(first.body)[0]);
    expect(second.body).not.toMatch(/keilist[0-9a-f]{24}/);
    // The same page asked with a query is rendered, not kept, and is the same list.
    const asked = await a.get('/account/applications?status=all');
    expect(totalOf(asked.body)).toBe(totalOf(second.body));
    const logout = await a.post('/account/logout', { _csrf: csrfTokenOf(second.body) });
    expect(logout.statusCode).toBe(303);
  });

  it('a status move made through the other process shows at the next view on both', async () => {
    const { a, b } = await loginBoth();
    const onA = await a.get('/account/applications');
    expect(rowOf(onA.body, MANUAL_CI)).toContain('検査申請補正待ち');
    await b.get('/account/applications');

    const moved = await otherServices.actOnApplication(applicationId, { type: 'withdraw' }, { kind: 'applicant' });
    expect(moved.ok).toBe(true);

    const againOnA = await a.get('/account/applications');
    expect(rowOf(againOnA.body, MANUAL_CI)).toContain('検査申請取り下げ');
    const againOnB = await b.get('/account/applications');
    expect(withoutTokens(againOnB.body)).toBe(withoutTokens(againOnA.body));
  });

  it('rows of a bulk filing through the other process are listed at the next view (the list bumped once a batch)', async () => {
    const { a } = await loginBoth();
    const before = await a.get('/account/applications');
    const total = totalOf(before.body);
    const rows = [1, 2, 3].map((row) => ({ row, filing: { input: { ...ciInput, chassisNumber: `BULKCACHE-${row}` }, password: 'bulk-cache-Pass-2026' } }));
    const filed = await otherServices.accountFiling.fileMany(accountId, rows, null, '127.0.0.1');
    expect(filed.map((r) => r.ok)).toEqual([true, true, true]);
    const after = await a.get('/account/applications');
    expect(totalOf(after.body)).toBe(total + 3);
  });

  it('an application removed from the list through the other process is gone at the next view', async () => {
    const { a } = await loginBoth();
    const before = await a.get('/account/applications');
    const total = totalOf(before.body);
    expect(rowOf(before.body, MANUAL_CI)).not.toBeNull();
    const removed = await otherServices.accounts.removeApplication(accountId, applicationId, { clientAddress: '127.0.0.1' });
    expect(removed.ok).toBe(true);
    const after = await a.get('/account/applications');
    expect(totalOf(after.body)).toBe(total - 1);
    expect(rowOf(after.body, MANUAL_CI)).toBeNull();
  });

  it('an unknown 申請状況 or 手続 in the query is refused with a message (400); a known one filters', async () => {
    const { a } = await loginBoth();
    const bad = await a.get('/account/applications?status=bogus&procedure=x');
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('申請状況は、一覧から選択してください。');
    expect(textOf(bad.body)).toContain('手続は、一覧から選択してください。');
    const finished = await a.get('/account/applications?status=finished&procedure=continuousInspection');
    expect(finished.statusCode).toBe(200);
    expect(countOf(finished.body, 'data-group="finished"')).toBe(countOf(finished.body, '<tr data-status='));
    expect(countOf(finished.body, '<tr data-status=')).toBeGreaterThan(0);
  });

  it('the Japan date is part of the key: a deadline passed overnight is marked 期限切れ', async () => {
    const { a } = await loginBoth();
    const today = await a.get('/account/applications');
    const overdue = countOf(today.body, '（期限切れ）');
    const start = t.clock.now();
    try {
      // Days later (a new session: the first has expired), the page kept on the first day is not sent.
      t.clock.advance(120 * 24 * 60 * 60 * 1000);
      const { a: later_ } = await loginBoth();
      const later = await later_.get('/account/applications');
      expect(later.statusCode).toBe(200);
      const rendered = await later_.get('/account/applications?status=all');
      expect(countOf(rendered.body, '（期限切れ）')).toBeGreaterThan(overdue);
      expect(countOf(later.body, '（期限切れ）')).toBe(countOf(rendered.body, '（期限切れ）'));
    } finally {
      t.clock.set(start);
    }
  });
});
