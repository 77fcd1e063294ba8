import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { textOf, titleOf } from '../../support/browser.js';
import { loginAs } from './actions/support.js';
import { agencyTokens, browserFor, continuousFiling, type AgencyTokens } from '../api/support.js';
import { staffBrowser } from '../staff/support.js';

/** 連絡先メールアドレス on the status page, the pages a mail's links open, the API's registration and the staff UI's list (issue 15). */
describe('連絡先メールアドレス: add, change, remove, confirm, unsubscribe', () => {
  let t: TestApp;
  let tokens: AgencyTokens;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
    tokens = await agencyTokens(t);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const contact = (id: string) => t.db.handle.db.selectFrom('contact_addresses').selectAll().where('application_id', '=', id).executeTakeFirst();
  const mails = (id: string) => t.db.handle.db.selectFrom('mail_outbox').selectAll().where('application_id', '=', id).orderBy('seq').execute();

  it('bad addresses get a Japanese message on the status page (400) and nothing is stored', async () => {
    const { b, id, status } = await loginAs(t, 'ci-fees-due');
    expect(textOf(status)).toContain('連絡先メールアドレス 連絡先メールアドレスは登録されていません。');
    const cases: [string, string][] = [
      ['info@example', 'メールアドレスの形式が正しくありません。半角英数字で入力してください（例：info@example.jp）。'],
      ['山田 太郎 <info@example.jp>', 'メールアドレスだけを入力してください（名前や「<」「>」、空白、複数のアドレスは入力できません。例：info@example.jp）。'],
      ['info@example.jp\r\nBcc: everyone@example.jp', 'メールアドレスに改行は使えません。メールアドレスを1つだけ入力してください。'],
      [`${'a'.repeat(300)}@example.jp`, 'メールアドレスは254文字以内で入力してください。'],
      ['', 'メールアドレスを入力してください。'],
    ];
    for (const [input, message] of cases) {
      const res = await b.post('/inquiry/status/mail', { contactAddress: input, action: 'save' });
      expect(res.statusCode, input.slice(0, 40)).toBe(400);
      expect(textOf(res.body)).toContain(`エラー： ${message}`);
    }
    // A megabyte: refused before it is read (the form's body limit), with the Japanese error page.
    const huge = await b.post('/inquiry/status/mail', { contactAddress: `${'a'.repeat(1_000_000)}@example.jp`, action: 'save' });
    expect(huge.statusCode).toBe(413);
    expect(await contact(id)).toBeUndefined();
    expect(await mails(id)).toEqual([]);
  });

  it('register: a confirmation mail; the page shows 未確認; the link confirms after a press of its button; then 確認済', async () => {
    const { b, id } = await loginAs(t, 'ci-fees-due');
    const res = await b.post('/inquiry/status/mail', { contactAddress: ' shinsei@example.jp ', action: 'save' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/inquiry/status#mail');
    const page = textOf((await b.follow(res)).body);
    expect(page).toContain('連絡先メールアドレスを登録しました。');
    expect(page).toContain('メールアドレス shinsei@example.jp 状態 未確認（確認用メールのリンクを開くまで、メールは送信されません）');
    const [confirmMail] = await mails(id);
    expect(confirmMail).toMatchObject({ kind: 'confirmAddress', to_address: 'shinsei@example.jp', state: 'queued' });
    const token = /\/mail\/confirm\/([\w-]+)/.exec(confirmMail!.text_body)![1]!;
    const visitor = browserFor(t.app);
    const confirmPage = await visitor.get(`/mail/confirm/${token}`);
    expect(confirmPage.statusCode).toBe(200);
    expect(titleOf(confirmPage.body)).toBe('メールアドレスの確認｜軽自動車OSS');
    expect((await contact(id))!.confirmed_at).toBeNull();
    const done = await visitor.post(`/mail/confirm/${token}`, {}, { csrf: null });
    expect(done.statusCode).toBe(200);
    expect(textOf(done.body)).toContain('メールアドレスの確認が完了しました。');
    expect((await visitor.post(`/mail/confirm/${token}`, {}, { csrf: null })).statusCode).toBe(404);
    expect(textOf((await b.get('/inquiry/status')).body)).toContain('状態 確認済（メールをお送りします）');
  });

  it('the unsubscribe link: GET shows a button, POST (the button or RFC 8058 one-click) stops the mail; a wrong token is 404', async () => {
    const { b, id } = await loginAs(t, 'ci-fees-due');
    const token = (await contact(id))!.unsubscribe_token;
    const visitor = browserFor(t.app);
    const page = await visitor.get(`/mail/unsubscribe/${token}`);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('この申請についてのメール（sh***@example.jp 宛て）の配信を停止します。');
    const oneClick = await t.app.inject({ method: 'POST', url: `/mail/unsubscribe/${token}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(oneClick.statusCode).toBe(200);
    expect(textOf(oneClick.body)).toContain('この申請についてのメールの配信を停止しました。');
    expect((await contact(id))!.unsubscribed_at).not.toBeNull();
    expect(textOf((await b.get('/inquiry/status')).body)).toContain('状態 配信停止中（メールは送信されません）');
    const wrong = await visitor.get('/mail/unsubscribe/not-a-token');
    expect(wrong.statusCode).toBe(404);
    expect(textOf(wrong.body)).toContain('この配信停止用リンクは無効です。');
  });

  it('remove: the address is gone', async () => {
    const { b, id } = await loginAs(t, 'ci-fees-due');
    const res = await b.post('/inquiry/status/mail', { contactAddress: '', action: 'remove' });
    expect(res.statusCode).toBe(303);
    expect(textOf((await b.follow(res)).body)).toContain('連絡先メールアドレスを削除しました。');
    expect(await contact(id)).toBeUndefined();
  });

  it('the agency API registration takes contactAddress; a bad one is a 400 with the field, and nothing is registered', async () => {
    const bad = await tokens.tokyo.post('/api/v1/applications', continuousFiling({ chassisNumber: 'MAIL-0000001', contactAddress: 'x <a@example.jp>' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalidInput', fields: { contactAddress: 'メールアドレスだけを入力してください（名前や「<」「>」、空白、複数のアドレスは入力できません。例：info@example.jp）。' } } });
    expect(await t.db.handle.db.selectFrom('applications').select('id').where('chassis_number', '=', 'MAIL-0000001').execute()).toEqual([]);
    const good = await tokens.tokyo.post('/api/v1/applications', continuousFiling({ chassisNumber: 'MAIL-0000002', contactAddress: 'agency@example.jp' }));
    expect(good.statusCode).toBe(201);
    const id = (await t.db.handle.db.selectFrom('applications').select('id').where('chassis_number', '=', 'MAIL-0000002').executeTakeFirstOrThrow()).id;
    expect((await mails(id)).map((m) => [m.kind, m.to_address])).toEqual([['confirmAddress', 'agency@example.jp']]);
  });

  it('the staff UI lists the mails of an application: kind, subject, masked address, state', async () => {
    const { id } = await loginAs(t, 'ci-fees-due');
    const number = (await t.db.handle.db.selectFrom('applications').select('receipt_number').where('id', '=', id).executeTakeFirstOrThrow()).receipt_number!;
    const clerk = await staffBrowser(t);
    const page = await clerk.get(`/staff/applications/${number}`);
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('申請者へのメール');
    expect(text).toMatch(/メールアドレスの確認 【軽自動車OSS】連絡先メールアドレスの確認（受付番号 1100 0000 0000 00005） sh\*\*\*@example\.jp 送信待ち - 0回/);
  });
});
