import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT } from '../../../src/demo/account.js';
import { demoScenarios, loginNumber } from '../../../src/demo/scenarios.js';
import { formatReceiptNumber } from '../../../src/domain/receipt-number.js';
import { listGroupOf } from '../../../src/domain/status-view.js';
import { statuses } from '../../../src/domain/statuses.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';

const PASSWORD = 'kei dealer passphrase 2026';

async function loginDemo(t: TestApp): Promise<TestBrowser> {
  const b = new TestBrowser(t.app);
  await b.get('/account/login');
  const res = await b.post('/account/login', { userId: DEMO_ACCOUNT.userId, password: DEMO_ACCOUNT.password, totpCode: '' });
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/account/applications');
  return b;
}

describe('利用者ID in the portal: 発行, ログイン, 申請一覧 (issue 16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('issues a 利用者ID from the form, shows it once, confirms by the mailed link and logs in to an empty 申請一覧', async () => {
    const b = new TestBrowser(t.app);
    const form = await b.get('/account/register');
    expect(form.statusCode).toBe(200);
    expect(textOf(form.body)).toContain('利用者の種別');
    const weak = await b.post('/account/register', { kind: 'scrivener', name: '品川行政書士事務所', mailAddress: 'office@shinagawa-gyosei.example.jp', password: 'password1234' });
    expect(weak.statusCode).toBe(400);
    expect(textOf(weak.body)).toContain('このパスワードは、よく使われているか過去に漏えいしたパスワードの一覧に含まれているため、使用できません。');
    const res = await b.post('/account/register', { kind: 'scrivener', name: '品川行政書士事務所', mailAddress: 'office@shinagawa-gyosei.example.jp', password: PASSWORD });
    expect(res.statusCode).toBe(303);
    const issued = await b.follow(res);
    const userId = /([0-9]{4} [0-9]{4} [0-9]{4})/.exec(textOf(issued.body))?.[1];
    expect(userId).toBeDefined();
    expect(textOf(issued.body)).toContain('この画面は一度だけ表示されます。');
    expect((await b.get('/account/registered')).statusCode).toBe(303);
    // Not confirmed yet: the right password is refused with what to do.
    await b.get('/account/login');
    const early = await b.post('/account/login', { userId: userId!, password: PASSWORD, totpCode: '' });
    expect(early.statusCode).toBe(403);
    expect(textOf(early.body)).toContain('連絡先メールアドレスの確認が完了していません。');
    const mail = await t.db.handle.db.selectFrom('mail_outbox').select(['text_body']).where('kind', '=', 'accountConfirmation').where('to_address', '=', 'office@shinagawa-gyosei.example.jp').executeTakeFirstOrThrow();
    const path = /http:\/\/[^/]+(\/account\/confirm\/[A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!;
    const confirmPage = await b.get(path);
    expect(textOf(confirmPage.body)).toContain('「確認する」ボタンを押すと、連絡先メールアドレスの確認が完了します。');
    const confirmed = await b.post(path, {});
    expect(confirmed.headers.location).toBe('/account/login?confirmed=1');
    await b.get('/account/login');
    const login = await b.post('/account/login', { userId: userId!, password: PASSWORD, totpCode: '' });
    expect(login.statusCode).toBe(303);
    const list = await b.follow(login);
    expect(list.statusCode).toBe(200);
    expect(textOf(list.body)).toContain('全0件');
  });

  it('lists the demo account’s applications, those that need the user first, 50 a page, and opens one without a second login', async () => {
    const b = await loginDemo(t);
    const page = await b.get('/account/applications');
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain(`全${demoScenarios.length}件（1〜${demoScenarios.length}件目を表示）`);
    const rowGroups = [...page.body.matchAll(/<tr data-status="[A-Za-z]+" data-group="([A-Za-z]+)"/g)].map((m) => m[1]);
    expect(rowGroups).toHaveLength(demoScenarios.length);
    const order = ['needsUser', 'inProgress', 'finished'];
    const ranks = rowGroups.map((g) => order.indexOf(g!));
    expect(ranks[0]).toBe(0);
    expect(ranks).toEqual([...ranks].sort((a, c) => a - c));
    // Open 検査申請補正待ち from the list: the status page with its 補正 button, no second login.
    const s = demoScenarios.find((d) => d.key === 'ci-correction-far')!;
    const id = await t.services.findApplicationId(loginNumber(s).replace(/ /g, '') as never);
    const open = await b.get(`/account/open/${id}`);
    expect(open.statusCode).toBe(303);
    expect(open.headers.location).toBe('/inquiry/status');
    const status = await b.follow(open);
    expect(status.statusCode).toBe(200);
    expect(textOf(status.body)).toContain(formatReceiptNumber(loginNumber(s).replace(/ /g, '')));
    expect(textOf(status.body)).toContain('申請一覧へ戻る');
    expect((await b.get('/inquiry/correction')).statusCode).toBe(200);
  });

  it('filters by status group, procedure, office and date, searches by number in any spacing and by 使用者名, and refuses a bad date with a message', async () => {
    const b = await loginDemo(t);
    const needs = await b.get('/account/applications?status=needsUser');
    const expected = demoScenarios.filter((d) => listGroupOf(d.expectedStatus) === 'needsUser').length;
    expect(textOf(needs.body)).toContain(`全${expected}件`);
    const s = demoScenarios.find((d) => d.key === 'ci-fees-due')!;
    const spaced = loginNumber(s).replace(/ /g, '').replace(/(\d{4})(\d{4})(\d{4})(\d{5})/, '$1-$2 $3　$4');
    const found = await b.get(`/account/applications?q=${encodeURIComponent(spaced)}`);
    expect(textOf(found.body)).toContain('全1件');
    expect(textOf(found.body)).toContain(statuses[s.expectedStatus].label);
    const byName = await b.get(`/account/applications?q=${encodeURIComponent(s.filing.userName ?? '')}`);
    expect(byName.statusCode).toBe(200);
    expect(textOf(byName.body)).not.toContain('全0件');
    const newCars = await b.get('/account/applications?procedure=newVehicle');
    expect(textOf(newCars.body)).toContain(`全${demoScenarios.filter((d) => d.procedure === 'newVehicle').length}件`);
    const osaka = await b.get('/account/applications?office=osaka');
    expect(textOf(osaka.body)).toContain(`全${demoScenarios.filter((d) => d.filing.officeCode === 'osaka').length}件`);
    const bad = await b.get('/account/applications?from=2026-13-01');
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('申請年月日（から）は「2026-11-26」の形式で入力してください。');
  });

  it('downloads the filtered list as CSV: UTF-8 with a BOM, a header, one row per application, formula-safe', async () => {
    const b = await loginDemo(t);
    const res = await b.get('/account/applications.csv?procedure=continuousInspection');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="applications-\d{8}\.csv"$/);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('受付番号（到達番号）,手続,車両番号,車台番号,使用者名,現在の申請状況,期限の種類,期限日,申請先軽自動車検査協会事務所等,申請年月日,状況更新日時');
    expect(lines).toHaveLength(1 + demoScenarios.filter((d) => d.procedure === 'continuousInspection').length);
  });

  it('adds an application by number and 申請用パスワード, refuses a wrong one alike, and removes it after a confirmation page', async () => {
    const b = new TestBrowser(t.app);
    const r = await t.services.accounts.register({ kind: 'individual', name: '山田 太郎', mailAddress: 'taro@example.jp', password: PASSWORD }, { clientAddress: null });
    if (!r.ok) throw new Error(r.refusal.message);
    const mail = await t.db.handle.db.selectFrom('mail_outbox').select(['text_body']).where('account_id', '=', r.value.accountId).where('kind', '=', 'accountConfirmation').executeTakeFirstOrThrow();
    await t.services.accounts.confirm(/\/account\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!, { clientAddress: null });
    await b.get('/account/login');
    await b.post('/account/login', { userId: r.value.userId, password: PASSWORD, totpCode: '' });
    const s = demoScenarios.find((d) => d.key === 'ci-ready')!;
    await b.get('/account/applications/add');
    const wrong = await b.post('/account/applications/add', { receiptNumber: loginNumber(s), password: 'not-the-password' });
    expect(wrong.statusCode).toBe(401);
    expect(textOf(wrong.body)).toContain('受付番号（到達番号）または申請用パスワードが正しくありません。');
    const added = await b.post('/account/applications/add', { receiptNumber: loginNumber(s), password: s.password });
    expect(added.statusCode).toBe(200);
    expect(textOf(added.body)).toContain(`${formatReceiptNumber(loginNumber(s).replace(/ /g, ''))}を申請一覧に追加しました。`);
    const id = (await t.services.findApplicationId(loginNumber(s).replace(/ /g, '') as never))!;
    expect(textOf((await b.get('/account/applications')).body)).toContain('全1件');
    const confirm = await b.get(`/account/applications/${id}/remove`);
    expect(textOf(confirm.body)).toContain('申請そのものは取り下げられません。');
    const removed = await b.post(`/account/applications/${id}/remove`, {});
    expect(removed.statusCode).toBe(303);
    expect(textOf((await b.get('/account/applications')).body)).toContain('全0件');
    const account = await b.get('/account');
    expect(textOf(account.body)).toContain('申請の削除');
    expect(textOf(account.body)).toContain('申請の追加');
    const totp = await b.get('/account/totp');
    expect(totp.statusCode).toBe(200);
    expect(totp.body).toContain('aria-label="二要素認証の設定用の二次元コード"');
    const end = await b.post('/account/logout', {});
    expect(end.headers.location).toBe('/account/login?ended=1');
    expect((await b.get('/account/applications')).statusCode).toBe(401);
  });
});
