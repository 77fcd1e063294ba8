import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_NOW, type TestApp } from '../../support/app.js';
import { agencyTokens, continuousFiling, json, type AgencyTokens } from './support.js';

/** Issue 12 / docs/decisions/0004: a payment made by the 納付期限, reported after the sweeper made the application 無効. */
describe('a payment made in time but reported after 納付期限切れ', () => {
  let t: TestApp;
  let a: AgencyTokens;
  beforeAll(async () => {
    t = await createTestApp();
    a = await agencyTokens(t);
  });
  afterAll(async () => {
    await t.close();
  });

  async function invalidatedApplication(chassisNumber: string): Promise<string> {
    const created = await a.tokyo.post('/api/v1/applications', continuousFiling({ chassisNumber }));
    expect(created.statusCode).toBe(201);
    const number = json(created).application.arrivalNumber as string;
    expect((await a.tokyo.event(number, { type: 'accept' })).statusCode).toBe(200);
    const accepted = json(await a.tokyo.get(`/api/v1/applications/${number}`)).application.receiptNumber as string;
    for (const kind of ['insuranceCertificate', 'safetyStandardCertificate']) expect((await a.attachments.event(accepted, { type: 'acquireAttachment', kind })).statusCode).toBe(200);
    expect((await a.tokyo.event(accepted, { type: 'issueFees', dueOn: '2026-11-27' })).statusCode).toBe(200);
    // The 納付期限 (27th) passes at midnight Japan time; the sweeper makes the application 無効.
    t.clock.set(new Date('2026-11-27T15:00:01Z'));
    await t.services.sweepDeadlines();
    expect(json(await a.tokyo.get(`/api/v1/applications/${accepted}`)).application.status).toBe('invalidated');
    return accepted;
  }

  it('paid on the 納付期限: accepted (200), the application is restored and moves on; the history keeps the invalidation and the restoration', async () => {
    try {
      const number = await invalidatedApplication('LATE-0001');
      const res = await a.payment.event(number, { type: 'recordPayment', stage: 'inspectionFees', paidOn: '2026-11-27' });
      expect(res.statusCode).toBe(200);
      expect(json(res).application.status).toBe('weightTaxDue');
      expect(json(res).event).toMatchObject({ fromStatus: 'invalidated', toStatus: 'weightTaxDue', reason: '納付期限内の納付（期限後の報告）により無効を取り消し' });
      const history = json(await a.tokyo.get(`/api/v1/applications/${number}`)).history as { event: string }[];
      expect(history.map((h) => h.event).slice(-2)).toEqual(['expirePayment', 'recordPayment']);
    } finally {
      t.clock.set(TEST_NOW);
    }
  });

  it('paid after the 納付期限: refused (409) with what to do, and the application stays 無効', async () => {
    try {
      const number = await invalidatedApplication('LATE-0002');
      const res = await a.payment.event(number, { type: 'recordPayment', stage: 'inspectionFees', paidOn: '2026-11-28' });
      expect(res.statusCode).toBe(409);
      expect(json(res).error).toEqual({ code: 'deadlinePassed', message: '納付日（2026-11-28）が納付期限（2026-11-27）を過ぎているため、無効になった申請の納付として受け付けられません。納付された金額は収納機関から返金してください。' });
      expect(json(await a.tokyo.get(`/api/v1/applications/${number}`)).application.status).toBe('invalidated');
    } finally {
      t.clock.set(TEST_NOW);
    }
  });
});
