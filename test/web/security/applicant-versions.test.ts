import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios, loginNumber } from '../../../src/demo/scenarios.js';
import { CONFLICT_MESSAGE } from '../../../src/services/application-events.js';
import type { ReceiptNumber } from '../../../src/domain/receipt-number.js';
import { TestBrowser, textOf } from '../../support/browser.js';
import { createSecurityApp, type SecurityApp } from '../../support/security.js';

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The fields a browser would post from the page's form with that action (hidden and text inputs, checked boxes). */
function formFields(html: string, action: string, pick: (fields: Record<string, string>) => boolean = () => true): Record<string, string> {
  const forms = [...html.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].filter((m) => unescape(m[1] as string) === action);
  for (const form of forms) {
    const fields: Record<string, string> = {};
    for (const m of (form[2] as string).matchAll(/<input ([^>]*)\/?>/g)) {
      const attrs = m[1] as string;
      const name = /name="([^"]*)"/.exec(attrs)?.[1];
      if (!name) continue;
      if (/type="checkbox"/.test(attrs) && !/\schecked/.test(attrs)) continue;
      fields[name] = unescape(/value="([^"]*)"/.exec(attrs)?.[1] ?? '');
    }
    if (pick(fields)) return fields;
  }
  throw new Error(`no form posting to ${action}`);
}

interface Case {
  readonly title: string;
  readonly demo: string;
  readonly page: string;
  readonly action: string;
  /** Steps before the form to test (the correction's 確認 step). */
  readonly prepare?: (b: TestBrowser, html: string) => Promise<string>;
  /** The submit button's name and value, when the form has several. */
  readonly button?: Record<string, string>;
}

const cases: Case[] = [
  { title: '申請を取り下げる', demo: 'nv-bulk', page: '/inquiry/withdraw', action: '/inquiry/withdraw' },
  { title: 'まとめ納付を選ぶ', demo: 'ci-fees-due', page: '/inquiry/payments/inspectionFees', action: '/inquiry/payments/inspectionFees/bulk' },
  { title: 'まとめ納付の納付番号を取得する', demo: 'ci-bulk-before-number', page: '/inquiry/payments/inspectionFees', action: '/inquiry/payments/inspectionFees/bulk-number' },
  { title: '二次元コードを発行する', demo: 'nv-ready', page: '/inquiry/collection-code', action: '/inquiry/collection-code' },
  {
    title: '申請を補正する',
    demo: 'ci-correction-far',
    page: '/inquiry/correction',
    action: '/inquiry/correction',
    button: { step: 'submit' },
    prepare: async (b, html) => {
      const fields = formFields(html, '/inquiry/correction');
      const check = await b.post('/inquiry/correction', { ...fields, userAddress: '東京都品川区南大井9-9-9' });
      expect(check.statusCode).toBe(200);
      return check.body;
    },
  },
];

/**
 * Every applicant action posts the version its page was rendered from (a hidden field); the
 * service compares it with the current one in the same transaction as the write.
 */
describe('the applicant’s writes carry the version they were shown: a stale form is refused with 409 and changes nothing', () => {
  let t: SecurityApp;
  beforeAll(async () => {
    t = await createSecurityApp({ seed: true });
  });
  afterAll(async () => {
    await t.close();
  });

  const versionOf = async (demoKey: string) => {
    const s = demoScenarios.find((d) => d.key === demoKey)!;
    const id = (await t.services.findApplicationId(loginNumber(s).replace(/ /g, '') as ReceiptNumber)) as string;
    const read = await t.services.statusInquiry.read(id);
    return { version: read!.application.version, status: read!.application.status, history: (await t.services.statusInquiry.history(id)).length };
  };

  for (const c of cases) {
    it(`${c.title}: an older or a newer version than the current one is refused (409, the conflict message); the right one goes through`, async () => {
      const s = demoScenarios.find((d) => d.key === c.demo)!;
      const b = new TestBrowser(t.app);
      await b.login(loginNumber(s), s.password);
      let html = (await b.get(c.page)).body;
      if (c.prepare) html = await c.prepare(b, html);
      const fields = { ...formFields(html, c.action), ...(c.button ?? {}) };
      const before = await versionOf(c.demo);
      expect(fields.version, 'the form carries the version it was rendered from').toBe(String(before.version));

      for (const stale of [before.version - 1, before.version + 1]) {
        const res = await b.post(c.action, { ...fields, version: String(stale) });
        expect(res.statusCode, `version ${stale}`).toBe(409);
        expect(textOf(res.body)).toContain(CONFLICT_MESSAGE);
        expect(await versionOf(c.demo)).toEqual(before);
      }
      const missing = await b.post(c.action, Object.fromEntries(Object.entries(fields).filter(([k]) => k !== 'version')));
      expect(missing.statusCode).toBeGreaterThanOrEqual(400);
      expect(missing.statusCode).toBeLessThan(500);
      expect(await versionOf(c.demo)).toEqual(before);

      const done = await b.post(c.action, fields);
      expect(done.statusCode).toBe(303);
      const after = await versionOf(c.demo);
      expect(after.version).toBe(before.version + 1);
      expect(after.history).toBe(before.history + 1);

      // The same form again (a reload, a second tab): now stale.
      const replay = await b.post(c.action, fields);
      expect(replay.statusCode).toBe(409);
      expect(await versionOf(c.demo)).toEqual(after);
    });
  }
});
