import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { agencyTokens, continuousFiling, json, newCarFiling, type AgencyTokens } from './support.js';

/** Issue 14: a 車両番号 is issued once; a 新車 cannot be given one another application already holds. */
describe('agency API: 審査完了 of a 新車 with a 車両番号 another application holds', () => {
  let t: TestApp;
  let a: AgencyTokens;

  /** A 新車 of 東京主管事務所 moved to 検査申請審査中 with every attachment; returns its 受付番号. */
  async function newCarUnderExamination(chassisNumber: string): Promise<string> {
    const arrival = json(await a.tokyo.post('/api/v1/applications', newCarFiling({ chassisNumber }))).application.arrivalNumber as string;
    const number = json(await a.tokyo.event(arrival, { type: 'accept' })).application.receiptNumber as string;
    expect((await a.tokyo.event(number, { type: 'issueFees', dueOn: '2026-12-10' })).statusCode).toBe(200);
    for (const stage of ['inspectionFees', 'weightTax']) expect((await a.payment.event(number, { type: 'recordPayment', stage, paidOn: '2026-11-26' })).statusCode).toBe(200);
    for (const kind of ['completionCertificate', 'insuranceCertificate', 'preferredNumberCertificate']) expect((await a.attachments.event(number, { type: 'acquireAttachment', kind })).statusCode).toBe(200);
    return number;
  }

  const complete = (number: string, vehicleNumber: string) => a.tokyo.event(number, { type: 'completeExamination', completedOn: '2026-11-26', vehicleNumber });

  beforeAll(async () => {
    t = await createTestApp();
    a = await agencyTokens(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses, with 409 and a Japanese message, a 車両番号 already given to another 新車 (typed any way); the application does not move', async () => {
    const first = await newCarUnderExamination('LA650S-3000001');
    const second = await newCarUnderExamination('LA650S-3000002');
    expect((await complete(first, '品川 580 な 3456')).statusCode).toBe(200);

    const res = await complete(second, '品川５８０な３４５６');
    expect(res.statusCode).toBe(409);
    expect(json(res)).toEqual({
      error: { code: 'vehicleNumberTaken', message: '車両番号「品川 - 580 - な - 3456」は、既に他の申請の車両番号です。払い出した車両番号を確認し、別の車両番号を指定してください。' },
    });
    const after = json(await a.tokyo.get(`/api/v1/applications/${second}`)).application;
    expect(after.status).toBe('inspectionUnderExamination');
    expect(after.vehicle.vehicleNumber).toBeNull();

    // Another number is accepted.
    expect((await complete(second, '品川 580 な 3457')).statusCode).toBe(200);
  });

  it('refuses a 車両番号 a 継続検査 application holds (that vehicle already carries it)', async () => {
    expect((await a.tokyo.post('/api/v1/applications', continuousFiling({ vehicleNumber: '品川 580 な 4000', chassisNumber: 'JF5-4000000' }))).statusCode).toBe(201);
    const car = await newCarUnderExamination('LA650S-3000003');
    const res = await complete(car, '品川 580 な 4000');
    expect(res.statusCode).toBe(409);
    expect(json(res).error.code).toBe('vehicleNumberTaken');
  });
});
