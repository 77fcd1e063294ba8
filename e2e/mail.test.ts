import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ReceiptNumber } from '../src/domain/receipt-number.js';
import { japanDateOf } from '../src/domain/time.js';
import { auditPage } from './support/audit.js';
import { useE2e } from './support/fixture.js';
import { expectTitle, logInAs, scenario } from './support/portal.js';

function part(page: Page, heading: string): Locator {
  return page.locator('section').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });
}

describe('連絡先メールアドレス in Chromium: register, the mail’s confirmation link, the unsubscribe page (issue 15)', () => {
  const e2e = useE2e(import.meta.url);

  /** Waits for the delivery worker to write a new .eml file whose subject matches, and returns its text part. */
  async function mailText(subject: RegExp): Promise<string> {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const dir = e2e.server.mailDir;
      for (const file of existsSync(dir) ? readdirSync(dir) : []) {
        if (seen.has(file)) continue;
        const parsed = await simpleParser(readFileSync(join(dir, file)));
        if (subject.test(parsed.subject ?? '')) return parsed.text ?? '';
        seen.add(file);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no mail with subject ${String(subject)} in ${e2e.server.mailDir}`);
  }

  /** A link of the mail, opened on the test server (the demo's BASE_URL names port 0: the path is what counts). */
  const pathOf = (text: string, kind: 'confirm' | 'unsubscribe') => {
    const m = new RegExp(`https?://[^/\\s]+(/mail/${kind}/[\\w-]+)`).exec(text);
    if (!m?.[1]) throw new Error(`no ${kind} link in the mail`);
    return `${e2e.baseUrl}${m[1]}`;
  };

  it('a wrong address is refused with its message; a good one is registered, confirmed from the mail’s link, and mail about a change then carries an unsubscribe link that works', async () => {
    const page = await e2e.newPage();
    const s = scenario('ci-fees-due');
    await logInAs(page, s);
    const mail = part(page, '連絡先メールアドレス');
    await expect(mail.getByText('連絡先メールアドレスは登録されていません。').count()).resolves.toBe(1);

    await mail.getByRole('textbox', { name: '登録するメールアドレス' }).fill('山田 <shinsei@example.jp>');
    await mail.getByRole('button', { name: 'メールアドレスを登録する' }).click();
    await expect(part(page, '連絡先メールアドレス').getByText('メールアドレスだけを入力してください', { exact: false }).count()).resolves.toBe(1);
    expect(await part(page, '連絡先メールアドレス').getByRole('textbox').getAttribute('aria-invalid')).toBe('true');
    expect(await auditPage(page)).toEqual([]);

    await part(page, '連絡先メールアドレス').getByRole('textbox').fill('shinsei@example.jp');
    await part(page, '連絡先メールアドレス').getByRole('button', { name: 'メールアドレスを登録する' }).click();
    await expectTitle(page, '申請状況確認 継続検査');
    await expect(page.getByRole('status').filter({ hasText: '連絡先メールアドレスを登録しました。' }).count()).resolves.toBe(1);
    await expect(part(page, '連絡先メールアドレス').getByRole('row', { name: /状態 未確認/ }).count()).resolves.toBe(1);
    expect(await auditPage(page)).toEqual([]);

    // The confirmation mail, as the server wrote it (data/mail without SMTP_URL), and the page its link opens.
    const confirmation = await mailText(/連絡先メールアドレスの確認/);
    const other = await e2e.newPage();
    await other.goto(pathOf(confirmation, 'confirm'));
    await expectTitle(other, 'メールアドレスの確認');
    expect(await auditPage(other)).toEqual([]);
    await other.getByRole('button', { name: 'メールアドレスを確認する' }).click();
    await expectTitle(other, 'メールアドレスを確認しました');
    await expect(other.getByText('メールアドレスの確認が完了しました。').count()).resolves.toBe(1);
    expect(await auditPage(other)).toEqual([]);

    await page.reload();
    await expect(part(page, '連絡先メールアドレス').getByRole('row', { name: /状態 確認済/ }).count()).resolves.toBe(1);

    // The payment network reports the inspection fees paid: 自動車重量税納付待ち asks the applicant to pay, so a mail goes out.
    const services = e2e.server.runtime.services;
    const id = await services.findApplicationId(s.receiptNumber! as ReceiptNumber);
    const moved = await services.actOnApplication(id!, { type: 'recordPayment', stage: 'inspectionFees', paidOn: japanDateOf(new Date()) }, { kind: 'paymentNetwork', id: 'e2e', label: 'Pay-easy' });
    expect(moved.ok).toBe(true);
    const notice = await mailText(/自動車重量税納付待ち/);
    expect(notice).toContain('申請状況：自動車重量税納付待ち');

    await other.goto(pathOf(notice, 'unsubscribe'));
    await expectTitle(other, 'メールの配信停止');
    await expect(other.getByText('sh***@example.jp 宛て', { exact: false }).count()).resolves.toBe(1);
    expect(await auditPage(other)).toEqual([]);
    await other.getByRole('button', { name: '配信を停止する' }).click();
    await expectTitle(other, 'メールの配信を停止しました');
    expect(await auditPage(other)).toEqual([]);

    await page.reload();
    await expect(part(page, '連絡先メールアドレス').getByRole('row', { name: /状態 配信停止中/ }).count()).resolves.toBe(1);
  });
});
