import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApiTokens, demoStaffUsers, seedAgencyDemo } from '../../../src/demo/agency.js';
import { seedDemo } from '../../../src/demo/seed.js';
import { createTestApp, silentLogger, type TestApp } from '../../support/app.js';
import { apiClient, applicantPage, json } from './support.js';

/** The README's section 事務所等の操作, step by step, on the demo data. */
describe('README: move a demo application with curl', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('reads 1100 0000 0000 00010 (検査申請審査中, version 7) and asks for a correction with the demo office token', async () => {
    const office = apiClient(t.app, 'keioss_demo_tokyo_office');
    const read = await office.get('/api/v1/applications/11000000000000010');
    expect(read.statusCode).toBe(200);
    expect(json(read).application).toMatchObject({ statusLabel: '検査申請審査中', version: 7 });
    const body = { type: 'requestCorrection', reasonTitle: '使用者の住所の誤り', reasonDetail: '使用者の住所を補正してください。', deadline: '2026-12-03', expectedVersion: 7 };
    const res = await office.event('11000000000000010', body, { 'idempotency-key': 'readme-correction-1' });
    expect(res.statusCode, res.body).toBe(200);
    // Running the same curl line twice is safe.
    const again = await office.event('11000000000000010', body, { 'idempotency-key': 'readme-correction-1' });
    expect(again.body).toBe(res.body);
    const page = await applicantPage(t.app, '1100 0000 0000 00010', 'demo0110');
    expect(page.text).toContain('現在の申請状況 検査申請補正待ち');
    expect(page.text).toContain('通知等情報 補正 行政機関等名 軽自動車検査協会事務所等 期限日 2026年 12月 03日 理由 使用者の住所の誤り 使用者の住所を補正してください。');
    const history = json(await office.get('/api/v1/applications/11000000000000010')).history as { actor: { label: string } }[];
    expect(history.at(-1)!.actor.label).toBe('東京主管事務所 審査システム（デモ）');
  });

  it('the payment network pays the fees of 1100 0000 0000 00005', async () => {
    const res = await apiClient(t.app, 'keioss_demo_payment_network').event('11000000000000005', { type: 'recordPayment', stage: 'inspectionFees', paidOn: '2026-11-26' });
    expect(res.statusCode, res.body).toBe(200);
    expect((await applicantPage(t.app, '1100 0000 0000 00005', 'demo0105')).text).toContain('現在の申請状況 自動車重量税納付待ち');
  });

  it('every demo token answers /api/v1/me with its role, and seeding again adds nothing', async () => {
    for (const d of demoApiTokens) {
      const me = json(await apiClient(t.app, d.token).get('/api/v1/me'));
      expect(me).toMatchObject({ id: d.id, role: d.role, officeCode: d.officeCode });
    }
    expect(await seedDemo(t.db.handle, { logger: silentLogger })).toBe(0);
    expect(await seedAgencyDemo(t.db.handle, { passwords: t.deps.passwords, now: new Date() })).toBe(0);
    expect((await t.db.handle.db.selectFrom('staff_users').select('login_id').execute()).map((r) => r.login_id).sort()).toEqual(demoStaffUsers.map((u) => u.loginId).sort());
    expect(await t.db.handle.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(demoApiTokens.length);
  });

  it('without demo data there are no demo tokens', async () => {
    const bare = await createTestApp();
    try {
      expect((await apiClient(bare.app, 'keioss_demo_tokyo_office').get('/api/v1/me')).statusCode).toBe(401);
      expect(await bare.db.handle.db.selectFrom('staff_users').select('id').execute()).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});
