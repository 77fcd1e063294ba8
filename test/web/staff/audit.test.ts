import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCreateApiToken, runRevokeApiToken } from '../../../src/cli/agency-commands.js';
import { demoScenarios, loginNumber } from '../../../src/demo/scenarios.js';
import { spreadsheetSafe } from '../../../src/services/audit.js';
import { READ_ONLY_MESSAGE, SUPERVISOR_ONLY_MESSAGE } from '../../../src/web/staff/guard.js';
import { INVALID_CODE_MESSAGE } from '../../../src/services/collection-codes.js';
import { createTestApp, TEST_NOW, type TestApp } from '../../support/app.js';
import { textOf, titleOf, type TestBrowser } from '../../support/browser.js';
import { apiClient, browserFor } from '../api/support.js';
import { anonymousForm, createSecurityApp, postForm } from '../../support/security.js';
import { staffBrowser, TOKYO_CLERK, versionOn } from './support.js';

const SUPERVISOR = { loginId: 'tokyo-supervisor', password: 'demo-staff-supervisor' } as const;
const VIEWER = { loginId: 'tokyo-viewer', password: 'demo-staff-viewer' } as const;
const demo = (key: string) => demoScenarios.find((d) => d.key === key)!;
/** The test day (TEST_NOW is 2026-11-26 10:00 in Japan). */
const DAY = '2026-11-26';

/** The rows of the audit table, each as its cells' text. */
function auditRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => textOf(c[1]!)));
}

describe('the audit trail (監査ログ), the supervisor (監督者) and the read-only role (閲覧のみ)', () => {
  let t: TestApp;
  let clerk: TestBrowser;
  const secrets: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('records who did what, from where and to which application: staff login, decision, counter check and hand-over, logout; tokens; applicant login, withdrawal, correction', async () => {
    // One second between actions, so the trail's order is the order of the actions.
    t.clock.set(TEST_NOW);
    const tick = () => t.clock.advance(1000);
    // A clerk logs in (an X-Forwarded-For from an untrusted peer is not believed), decides, checks a code at the counter, hands over, logs out.
    clerk = browserFor(t.app);
    await clerk.get('/staff/login');
    expect((await clerk.post('/staff/login', { ...TOKYO_CLERK }, {})).statusCode).toBe(303);
    tick();
    const examined = demo('ci-under-examination');
    const page = await clerk.get(`/staff/applications/${examined.receiptNumber}`);
    const decided = await clerk.post(`/staff/applications/${examined.receiptNumber}/request-correction`, {
      version: versionOn(page.body, 'request-correction'),
      reasonTitle: '使用者の住所の誤り',
      reasonDetail: '住所を補正してください。',
      deadline: '2026-12-03',
    });
    expect(decided.statusCode, textOf(decided.body).slice(0, 300)).toBe(303);
    tick();

    const ready = demo('ci-ready');
    const id = (await t.services.findApplicationId(ready.receiptNumber as never))!;
    const issued = await t.services.actOnApplication(id, { type: 'issueCollectionCode' }, { kind: 'applicant' });
    if (!issued.ok) throw new Error(issued.refusal.message);
    const code = t.services.collectionCodes.contentFor(issued.value.application);
    await clerk.get('/staff/counter');
    expect((await clerk.post('/staff/counter', { code: 'KEIOSS1.forged' })).statusCode).toBe(400);
    tick();
    const checked = await clerk.post('/staff/counter', { code });
    expect(checked.statusCode).toBe(200);
    tick();
    const handed = await clerk.post('/staff/counter/hand-over', { code, version: /name="version" value="(\d+)"/.exec(checked.body)![1]! });
    expect(handed.statusCode).toBe(303);
    tick();
    await clerk.get('/staff/applications');
    secrets.push(TOKYO_CLERK.password, ...clerk.cookies.values());
    expect((await clerk.post('/staff/logout', {})).statusCode).toBe(303);
    tick();

    // The command line creates and revokes an API token.
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    expect(await runCreateApiToken(t.services, { name: '監査テスト用トークン', role: 'paymentNetwork', json: true }, io)).toBe(0);
    const created = JSON.parse(out.join('\n')) as { id: string; token: string };
    secrets.push(created.token);
    tick();
    expect(await runRevokeApiToken(t.services, { id: created.id }, io)).toBe(0);
    tick();
    // A token posts an event through the agency API: the trail names the token, never the token itself.
    const paid = await apiClient(t.app, 'keioss_demo_payment_network').event('22000000000000005', { type: 'recordPayment', stage: 'inspectionFees', paidOn: '2026-11-26' });
    expect(paid.statusCode).toBe(200);
    secrets.push('keioss_demo_payment_network');
    tick();

    // Applicants: a login and a withdrawal; a login and a correction.
    const w = demo('ci-correction-far');
    const a1 = browserFor(t.app);
    expect((await a1.login(loginNumber(w), w.password)).statusCode).toBe(200);
    tick();
    const confirm = await a1.get('/inquiry/withdraw');
    expect((await a1.post('/inquiry/withdraw', { version: /name="version" value="(\d+)"/.exec(confirm.body)![1]! })).statusCode).toBe(303);
    secrets.push(w.password, ...a1.cookies.values());
    tick();

    const c = demo('ci-manual-example');
    const a2 = browserFor(t.app);
    expect((await a2.login(loginNumber(c), c.password)).statusCode).toBe(200);
    tick();
    const form = await a2.get('/inquiry/correction');
    const values: Record<string, string> = {};
    for (const name of ['applicantName', 'applicantAddress', 'userName', 'userAddress', 'chassisNumber']) values[name] = /name="(\w+)"[^>]*value="([^"]*)"/g.exec(form.body.slice(form.body.indexOf(`name="${name}"`)))![2]!;
    const check = await a2.post('/inquiry/correction', { ...values, userAddress: `${values.userAddress}-2`, version: /name="version" value="(\d+)"/.exec(form.body)![1]!, step: 'check' });
    expect(check.statusCode).toBe(200);
    const submitted = await a2.post('/inquiry/correction', { ...values, userAddress: `${values.userAddress}-2`, version: /name="version" value="(\d+)"/.exec(check.body)![1]!, step: 'submit' });
    expect(submitted.statusCode, textOf(submitted.body).slice(0, 300)).toBe(303);
    secrets.push(c.password, ...a2.cookies.values());
    tick();

    // The supervisor reads the day's trail.
    const sup = await staffBrowser(t, SUPERVISOR);
    const res = await sup.get(`/staff/audit?from=${DAY}&to=${DAY}`);
    expect(res.statusCode).toBe(200);
    expect(titleOf(res.body)).toBe('監査ログ｜軽自動車OSS 事務所等用画面');
    const rows = auditRows(res.body);
    const lines = rows.map((r) => r.slice(1).join(' | '));
    const clerkLabel = '職員：検査 一郎（デモ）（tokyo-clerk）';
    expect(lines).toEqual([
      `ログイン（事務所等） | ${clerkLabel} | ${clerk.remoteAddress} | － | `,
      `申請の処理（事務所等） | ${clerkLabel} | ${clerk.remoteAddress} | 1100 0000 0000 00010 | 補正の通知`,
      `二次元コードの確認（窓口） | ${clerkLabel} | ${clerk.remoteAddress} | － | 確認できませんでした：${INVALID_CODE_MESSAGE}`,
      `二次元コードの確認（窓口） | ${clerkLabel} | ${clerk.remoteAddress} | 1100 0000 0000 00013 | 確認できました`,
      `窓口での受け取り | ${clerkLabel} | ${clerk.remoteAddress} | 1100 0000 0000 00013 | `,
      `ログアウト（事務所等） | ${clerkLabel} | ${clerk.remoteAddress} | － | `,
      `APIトークンの作成 | コマンド：${lines[6]!.split(' | ')[1]!.slice('コマンド：'.length)} | － | － | 監査テスト用トークン（paymentNetwork、ID ${created.id}）`,
      `APIトークンの失効 | コマンド：${lines[7]!.split(' | ')[1]!.slice('コマンド：'.length)} | － | － | 監査テスト用トークン（ID ${created.id}）`,
      'イベントの送信（API） | APIトークン：Pay-easy 収納機関（デモ） | 127.0.0.1 | 2200 0000 0000 00005 | recordPayment',
      `ログイン（申請者） | 申請者：申請者（受付番号でログイン） | ${a1.remoteAddress} | 1100 0000 0000 00011 | `,
      `申請の取り下げ | 申請者：申請者（受付番号でログイン） | ${a1.remoteAddress} | 1100 0000 0000 00011 | `,
      `ログイン（申請者） | 申請者：申請者（受付番号でログイン） | ${a2.remoteAddress} | 9999 9999 9999 99999 | `,
      `補正申請 | 申請者：申請者（受付番号でログイン） | ${a2.remoteAddress} | 9999 9999 9999 99999 | 補正した項目：使用者住所`,
      `ログイン（事務所等） | 職員：監督 三郎（デモ）（tokyo-supervisor） | ${sup.remoteAddress} | － | `,
    ]);
    expect(lines[6]).toMatch(/^APIトークンの作成 \| コマンド：kei-oss create-api-token（.+）/);
    expect(lines[7]).toMatch(/^APIトークンの失効 \| コマンド：kei-oss revoke-api-token（.+）/);
    // Japan time shown: the clock started at 10:00 in Japan, one second per action.
    expect(rows.map((r) => r[0])).toEqual(rows.map((_, i) => `2026年 11月 26日 10時 00分 ${String(i).padStart(2, '0')}秒`));

    // Stored in UTC; never a password, a token or a session cookie.
    const stored = await t.db.handle.db.selectFrom('audit_log').selectAll().orderBy('occurred_at').execute();
    expect(stored.length).toBe(14);
    expect(stored.map((r) => r.occurred_at)).toEqual(stored.map((_, i) => `2026-11-26T01:00:${String(i).padStart(2, '0')}.000Z`));
    // (actor_id is the staff user's id; the demo clerk's id happens to equal its public demo password.)
    const dump = JSON.stringify(stored.map(({ actor_id: _id, ...rest }) => rest));
    for (const s of await t.db.handle.db.selectFrom('sessions').select('id_hash').execute()) secrets.push(s.id_hash);
    for (const secret of secrets.filter((s) => s.length >= 8)) expect(dump).not.toContain(secret);
  });

  it('exports a date range as CSV: UTF-8 with BOM, CRLF, a header, Japan and UTC times, formula-safe cells', async () => {
    t.clock.advance(60_000);
    const sup = await staffBrowser(t, SUPERVISOR);
    // A display name a spreadsheet would run as a formula.
    await sup.get('/staff/users/new');
    const made = await sup.post('/staff/users/new', { loginId: 'formula-user', displayName: '=HYPERLINK("http://x")', role: 'viewer' });
    expect(made.statusCode).toBe(201);
    const csv = await sup.get(`/staff/audit.csv?from=${DAY}&to=${DAY}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="audit-${DAY}-${DAY}.csv"`);
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('日時（日本時間）,日時（UTC）,操作,操作者の種別,操作者,接続元,受付番号（到達番号）,内容,記録ID');
    expect(lines[1]).toMatch(/^2026年 11月 26日 10時 00分 00秒,2026-11-26T01:00:00\.000Z,ログイン（事務所等）,職員,検査 一郎（デモ）（tokyo-clerk）,10\.3\.\d+\.\d+,,,[0-9a-f-]{36}$/);
    expect(lines[2]).toMatch(/^2026年 11月 26日 10時 00分 01秒,2026-11-26T01:00:01\.000Z,申請の処理（事務所等）,職員,検査 一郎（デモ）（tokyo-clerk）,10\.3\.\d+\.\d+,1100 0000 0000 00010,補正の通知,[0-9a-f-]{36}$/);
    const created = lines.find((l) => l.includes('職員の作成'));
    expect(created).toMatch(/,職員の作成,職員,監督 三郎（デモ）（tokyo-supervisor）,10\.3\.\d+\.\d+,,"'=HYPERLINK\(""http:\/\/x""\)（formula-user）、東京主管事務所、閲覧のみ",/);
    expect(spreadsheetSafe('-1')).toBe("'-1");
    expect(spreadsheetSafe('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(spreadsheetSafe('+81')).toBe("'+81");
    expect(spreadsheetSafe('申請者')).toBe('申請者');

    const bad = await sup.get('/staff/audit.csv?from=2026-11-27&to=2026-11-26');
    expect(bad.statusCode).toBe(400);
    expect(textOf(bad.body)).toContain('終了日は開始日と同じ日か、それより後の日付を入力してください。');
    const tooLong = await sup.get('/staff/audit?from=2025-01-01&to=2026-11-26');
    expect(tooLong.statusCode).toBe(400);
    expect(textOf(tooLong.body)).toContain('期間は366日以内で指定してください。');
    const garbage = await sup.get('/staff/audit?from=yesterday&to=2026-11-26');
    expect(garbage.statusCode).toBe(400);
    expect(textOf(garbage.body)).toContain('開始日を YYYY-MM-DD の形式で入力してください。');
  });

  it('a supervisor creates a staff user from the UI; the password is shown once and works; a taken login id is refused', async () => {
    const sup = await staffBrowser(t, SUPERVISOR);
    const form = await sup.get('/staff/users/new');
    expect(form.statusCode).toBe(200);
    expect(textOf(form.body)).toContain('東京主管事務所の職員を作成します。');
    const res = await sup.post('/staff/users/new', { loginId: 'new-clerk', displayName: '新任 五郎', role: 'clerk' });
    expect(res.statusCode).toBe(201);
    const text = textOf(res.body);
    expect(text).toContain('職員「新任 五郎（new-clerk）」を作成しました。');
    const password = /初期パスワード：<code class="one-time-secret">([A-Za-z0-9_-]{20})<\/code>/.exec(res.body)![1]!;
    const b = await staffBrowser(t, { loginId: 'new-clerk', password });
    expect(textOf((await b.get('/staff/applications')).body)).toContain('新任 五郎（東京主管事務所）');

    const again = await sup.post('/staff/users/new', { loginId: 'new-clerk', displayName: '別人', role: 'clerk' });
    expect(again.statusCode).toBe(409);
    expect(textOf(again.body)).toContain('ログインID「new-clerk」はすでに使われています。');
    const noRole = await sup.post('/staff/users/new', { loginId: 'x-clerk', displayName: '役割なし', role: 'admin' });
    expect(noRole.statusCode).toBe(400);
    expect(textOf(noRole.body)).toContain('権限を選択してください。');
  });

  it('a clerk may not read the audit trail or create users (403 in Japanese); the menu shows them to the supervisor only', async () => {
    const b = await staffBrowser(t);
    for (const url of [`/staff/audit?from=${DAY}&to=${DAY}`, `/staff/audit.csv?from=${DAY}&to=${DAY}`, '/staff/users/new']) {
      const res = await b.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(textOf(res.body)).toContain(SUPERVISOR_ONLY_MESSAGE);
    }
    const list = await b.get('/staff/applications');
    expect(list.body).not.toContain('href="/staff/audit"');
    expect(list.body).toContain('href="/staff/counter"');
    const sup = await staffBrowser(t, SUPERVISOR);
    const supList = await sup.get('/staff/applications');
    expect(supList.body).toContain('href="/staff/audit"');
    expect(supList.body).toContain('href="/staff/users/new"');
  });

  it('閲覧のみ: reads the work list and applications, sees no decision form, and every post is refused with 403 in Japanese', async () => {
    const v = await staffBrowser(t, VIEWER);
    const list = await v.get('/staff/applications');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('href="/staff/counter"');
    const number = demo('ci-fees-due').receiptNumber!;
    const page = await v.get(`/staff/applications/${number}`);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('閲覧のみの権限のため、事務所等の操作はできません。');
    expect(page.body).not.toMatch(new RegExp(`action="/staff/applications/${number}/`));

    const clerkPage = await (await staffBrowser(t)).get(`/staff/applications/${number}`);
    const refused = await v.post(`/staff/applications/${number}/invalidate`, { version: versionOn(clerkPage.body, 'invalidate'), reasonTitle: '二重申請', reasonDetail: '' });
    expect(refused.statusCode).toBe(403);
    expect(textOf(refused.body)).toContain(READ_ONLY_MESSAGE);
    expect((await t.services.statusInquiry.read((await t.services.findApplicationId(number as never))!))!.application.status).toBe('inspectionFeesDue');
    await v.get('/staff/applications');
    const counter = await v.post('/staff/counter', { code: 'x' });
    expect(counter.statusCode).toBe(403);
    // Logging out stays possible.
    await v.get('/staff/applications');
    expect((await v.post('/staff/logout', {})).statusCode).toBe(303);
  });
});

describe('the audit trail behind a reverse proxy (TRUST_PROXY)', () => {
  it('records the client address the trusted proxy reports (X-Forwarded-For), and the peer itself when it is not trusted', async () => {
    const t = await createSecurityApp({ seed: true, trustProxy: ['10.20.0.0/16'] });
    try {
      const form = await anonymousForm(t.app, '/staff/login');
      const login = (remoteAddress: string) =>
        postForm(t.app, '/staff/login', { ...TOKYO_CLERK, _csrf: form.csrf }, { cookie: form.cookie, remoteAddress, headers: { 'x-forwarded-for': '203.0.113.77' } });
      expect((await login('10.20.0.5')).statusCode).toBe(303);
      t.clock.advance(1000);
      expect((await login('192.0.2.44')).statusCode).toBe(303);
      const rows = await t.db.handle.db.selectFrom('audit_log').select(['action', 'client_address']).orderBy('occurred_at').execute();
      expect(rows).toEqual([
        { action: 'staffLogin', client_address: '203.0.113.77' },
        { action: 'staffLogin', client_address: '192.0.2.44' },
      ]);
    } finally {
      await t.close();
    }
  });
});
