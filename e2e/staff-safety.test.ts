import { describe, expect, it } from 'vitest';
import { auditPage } from './support/audit.js';
import { DESKTOP, useE2e } from './support/fixture.js';
import { decision, expectStaffTitle, field, logInAsClerk } from './support/staff.js';
import { scenario, spacedNumber } from './support/portal.js';

/** Issue 14 in Chromium: the confirmation of an irreversible decision, and the work list's search, pass axe and work by keyboard and mouse. */
describe('staff UI: confirmations and the work list search', () => {
  const e2e = useE2e(import.meta.url);

  it('却下 asks for confirmation (the application, the decision, the consequence); 戻る records nothing; confirming records it', async () => {
    const page = await e2e.newPage({ viewport: DESKTOP });
    await logInAsClerk(page);
    const s = scenario('ci-correction-far');
    await page.goto(`/staff/applications/${s.receiptNumber}`);
    const form = decision(page, '却下');
    await field(form, '理由').fill('補正内容の不備');
    await form.getByRole('button', { name: '却下する' }).click();
    await expectStaffTitle(page, `「却下」の確認 ${spacedNumber(s)}`);
    expect(await page.getByRole('alert').innerText()).toContain('却下すると元に戻せません。');
    expect(await auditPage(page)).toEqual([]);
    await page.getByRole('link', { name: '記録せずに申請の詳細へ戻る' }).click();
    await expectStaffTitle(page, `申請の詳細 ${spacedNumber(s)}`);
    expect(await page.locator('.current-status__label').first().innerText()).toBe('検査申請補正待ち');
    await decision(page, '却下').getByRole('button', { name: '却下する' }).click();
    // The reason is required before the confirmation: the form comes back with the error.
    await expectStaffTitle(page, `エラー：申請の詳細 ${spacedNumber(s)}`);
    await field(decision(page, '却下'), '理由').fill('補正内容の不備');
    await decision(page, '却下').getByRole('button', { name: '却下する' }).click();
    await expectStaffTitle(page, `「却下」の確認 ${spacedNumber(s)}`);
    await page.getByRole('button', { name: '却下する' }).click();
    await expectStaffTitle(page, `申請の詳細 ${spacedNumber(s)}`);
    expect(await page.getByRole('status').first().innerText()).toContain('「却下」を記録しました。');
  });

  it('作業一覧: search by number typed any way, a wrong search explained, codes on one line; every state passes axe', async () => {
    const page = await e2e.newPage({ viewport: DESKTOP });
    await logInAsClerk(page);
    await page.getByLabel('番号で探す').fill('１１００　００００　００００　０００１３');
    await page.getByRole('button', { name: '絞り込む' }).click();
    await expectStaffTitle(page, '作業一覧（東京主管事務所）');
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await auditPage(page)).toEqual([]);
    await page.getByLabel('番号で探す').fill('あいう？');
    await page.getByRole('button', { name: '絞り込む' }).click();
    await expectStaffTitle(page, 'エラー：作業一覧（東京主管事務所）');
    expect(await auditPage(page)).toEqual([]);
    // The 車台番号 column keeps each code on one line.
    await page.goto('/staff/applications');
    const wraps = await page.locator('.work-list tbody td .nowrap').evaluateAll((els) => els.filter((el) => el.getClientRects().length > 1).length);
    expect(wraps).toBe(0);
  });
});
