import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios } from '../../../src/demo/scenarios.js';
import { correctableFields, currentValue, type CorrectableField, type FieldChange } from '../../../src/domain/corrections.js';
import { taxOfficeFor } from '../../../src/domain/offices.js';
import { asReceiptNumber } from '../../../src/domain/receipt-number.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { apiClient, json } from './support.js';

/** Issue 12, item 2: what a role may see is decided once, and the history follows it as the application does. */
describe('addresses in the history of a correction, read by every role', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('a correction of every correctable field: the payment network and the attachment sources see neither the addresses nor their before/after; the offices see all', async () => {
    const demo = demoScenarios.find((d) => d.key === 'nv-manual-example')!;
    const number = demo.receiptNumber ?? demo.arrivalNumber;
    const id = (await t.services.findApplicationId(asReceiptNumber(number)))!;
    const app = (await t.services.statusInquiry.read(id))!.application;
    const newValues: Record<CorrectableField, string> = {
      applicantName: '補正後 申請者',
      applicantAddress: '東京都品川区補正1-1-1',
      userName: '補正後 使用者',
      userNameHigh: '補正後 使用者（高水準）',
      userAddress: '東京都品川区補正2-2-2',
      ownerName: '補正後 所有者',
      ownerNameHigh: '補正後 所有者（高水準）',
      ownerAddress: '東京都品川区補正3-3-3',
      chassisNumber: 'JF5-9999001',
    };
    const changes: FieldChange[] = (Object.keys(correctableFields) as CorrectableField[]).map((field) => ({ field, before: currentValue(app, field), after: newValues[field] }));
    const corrected = await t.services.actOnApplication(id, { type: 'submitCorrection', changes }, { kind: 'applicant' });
    expect(corrected.ok).toBe(true);

    const make = async (role: string, officeCode?: string) => {
      const r = await t.services.apiTokens.create({ name: `disclosure ${role}`, role, officeCode });
      if (!r.ok) throw new Error(r.refusal.message);
      return apiClient(t.app, r.value.token);
    };
    const readers = {
      inspectionOffice: await make('inspectionOffice', app.officeCode),
      taxOffice: await make('taxOffice', taxOfficeFor(app.officeCode).code),
      paymentNetwork: await make('paymentNetwork'),
      attachmentSource: await make('attachmentSource'),
    };
    for (const [role, client] of Object.entries(readers)) {
      const res = await client.get(`/api/v1/applications/${number}`);
      expect(res.statusCode, role).toBe(200);
      const body = json(res);
      const correction = (body.history as { event: string; details: { changes: FieldChange[] } }[]).find((h) => h.event === 'submitCorrection')!;
      const seesAddresses = role === 'inspectionOffice' || role === 'taxOffice';
      for (const c of correction.details.changes) {
        if (c.field.endsWith('Address') && !seesAddresses) {
          expect(c, `${role} ${c.field}`).toEqual({ field: c.field, before: null, after: null });
        } else {
          expect(c, `${role} ${c.field}`).toEqual(changes.find((x) => x.field === c.field));
        }
      }
      expect(correction.details.changes.map((c) => c.field)).toEqual(Object.keys(correctableFields));
      expect(body.application.user.address, role).toBe(seesAddresses ? '東京都品川区補正2-2-2' : null);
      expect(body.application.owner.address, role).toBe(seesAddresses ? '東京都品川区補正3-3-3' : null);
      expect(body.application.applicant.address, role).toBe(seesAddresses ? '東京都品川区補正1-1-1' : null);
      // Nowhere in the answer, in any form.
      for (const v of ['東京都品川区補正1-1-1', '東京都品川区補正2-2-2', '東京都品川区補正3-3-3', changes.find((c) => c.field === 'userAddress')!.before!]) {
        expect(res.body.includes(v), `${role} ${v}`).toBe(seesAddresses);
      }
    }
  });
});
