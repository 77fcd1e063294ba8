import Encoding from 'encoding-japanese';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS, CSV_TEMPLATE } from '../../../src/web/api/account/filing-input.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { filing } from '../../services/support.js';

type RowResult = { row: number; rowKey: string | null; ok: boolean; arrivalNumber?: string; replayed?: boolean; errors?: { field: string; message: string }[] };
type FilingAnswer = { filed: number; failed: number; encoding?: string; results: RowResult[] };

describe('一括申請 API: bulk filing, JSON and CSV (issue 17)', () => {
  let t: TestApp;
  let accountId: string;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    const r = await t.services.accounts.register({ kind: 'business', name: '大崎モータース株式会社', mailAddress: 'office@osaki.example.jp', password: 'kei dealer passphrase 2026' }, { clientAddress: null });
    if (!r.ok) throw new Error(r.refusal.message);
    accountId = r.value.accountId;
    const tk = await t.services.accountApi.tokens.create(accountId, { name: '販売管理システム', scopes: ['read', 'file'], days: 30 });
    if (!tk.ok) throw new Error(tk.refusal.message);
    token = tk.value.token;
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const row = (overrides: Record<string, unknown> = {}) => ({ ...filing(), password: 'dealer2026pass', ...overrides });
  const postJson = (body: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v1/account/applications', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
  const postCsv = (bytes: Buffer) => t.app.inject({ method: 'POST', url: '/api/v1/account/applications', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, payload: bytes });
  const count = async () => Number((await t.db.handle.db.selectFrom('applications').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  it('files the good rows into the account’s list and answers each bad row with its fields, in Japanese', async () => {
    const before = await count();
    const res = await postJson({ applications: [row(), row({ chassisNumber: '', password: 'short' }), row({ weightTaxBand: 'heavy' })] });
    expect(res.statusCode).toBe(200);
    const body = res.json<FilingAnswer>();
    expect(body.filed).toBe(1);
    expect(body.failed).toBe(2);
    expect(body.results[0]).toMatchObject({ row: 1, ok: true, replayed: false });
    expect(body.results[1]).toEqual({
      row: 2,
      rowKey: null,
      ok: false,
      errors: [
        { field: 'chassisNumber', message: expect.stringContaining('車台番号') },
        { field: 'password', message: '申請用パスワードは8文字以上64文字以内で入力してください。' },
      ],
    });
    expect(body.results[2]).toMatchObject({ row: 3, ok: false, errors: [{ field: 'weightTaxBand' }] });
    expect(await count()).toBe(before + 1);
    const query = await t.app.inject({ method: 'POST', url: '/api/v1/account/applications/query', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ numbers: [body.results[0]!.arrivalNumber] }) });
    expect(query.json()).toMatchObject({ results: [{ found: true, application: { status: 'awaitingAcceptance' } }] });
  });

  it('files nothing twice when a request is retried with its Idempotency-Key', async () => {
    const request = { applications: [row(), row({ userName: '' })] };
    const first = (await postJson(request, { 'idempotency-key': 'batch-2026-12-06-001' })).json<FilingAnswer>();
    const after = await count();
    const again = (await postJson(request, { 'idempotency-key': 'batch-2026-12-06-001' })).json<FilingAnswer>();
    expect(await count()).toBe(after);
    expect(again.results[0]).toEqual({ ...first.results[0], replayed: true });
    expect(again.results[1]).toEqual(first.results[1]);
  });

  it('files rows across several write batches, each row on its own: a bad row stops no other, and a retry answers every filed row again (with a fresh row beside an answered one)', async () => {
    // A token of its own (filing is limited to 20 requests a minute per token).
    const own = await t.services.accountApi.tokens.create(accountId, { name: '一括申請（分割）', scopes: ['file'], days: 30 });
    if (!own.ok) throw new Error(own.refusal.message);
    const auth = { authorization: `Bearer ${own.value.token}` };
    // 120 rows (three transactions of at most 50), row 30 bad.
    const answered = row({ rowKey: 'batch-answered' });
    const earlier = (await postJson({ applications: [answered] }, auth)).json<FilingAnswer>();
    const rows = Array.from({ length: 120 }, (_, i) => (i === 29 ? row({ vehicleModel: '' }) : row()));
    const request = { applications: rows };
    const before = await count();
    const logBefore = Number((await t.db.handle.db.selectFrom('account_log').select((eb) => eb.fn.max('seq').as('seq')).where('account_id', '=', accountId).executeTakeFirstOrThrow()).seq);
    const first = (await postJson(request, { ...auth, 'idempotency-key': 'batch-120' })).json<FilingAnswer>();
    expect([first.filed, first.failed]).toEqual([119, 1]);
    expect(first.results.map((r) => r.row)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(first.results[29]).toEqual({ row: 30, rowKey: null, ok: false, errors: [{ field: 'vehicleModel', message: expect.stringContaining('型式') }] });
    expect(new Set(first.results.filter((r) => r.ok).map((r) => r.arrivalNumber)).size).toBe(119);
    expect(await count()).toBe(before + 119);
    // Each filed row has its own line in the account log, numbered on.
    const lines = await t.db.handle.db.selectFrom('account_log').select(['seq', 'receipt_number']).where('account_id', '=', accountId).where('seq', '>', logBefore).orderBy('seq').execute();
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 119 }, (_, i) => logBefore + i + 1));
    // (In the order the batches committed: on PostgreSQL three are written at once.)
    expect(lines.map((l) => l.receipt_number).sort()).toEqual(first.results.flatMap((r) => (r.ok ? [r.arrivalNumber] : [])).sort());

    // The retry: the same numbers, nothing filed again; a row keyed as before is answered from its key.
    const again = (await postJson(request, { ...auth, 'idempotency-key': 'batch-120' })).json<FilingAnswer>();
    expect(await count()).toBe(before + 119);
    expect(again.results.filter((r) => r.ok).map((r) => [r.arrivalNumber, r.replayed])).toEqual(first.results.filter((r) => r.ok).map((r) => [r.arrivalNumber, true]));
    const mixed = (await postJson({ applications: [row(), answered] }, auth)).json<FilingAnswer>();
    expect(mixed.results.map((r) => [r.row, r.ok, r.replayed])).toEqual([
      [1, true, false],
      [2, true, true],
    ]);
    expect(mixed.results[1]!.arrivalNumber).toBe(earlier.results[0]!.arrivalNumber);
  });

  it('files a corrected row again under its rowKey while the filed one is only answered again', async () => {
    const good = row({ rowKey: 'order-1001' });
    const bad = row({ rowKey: 'order-1002', userAddress: '' });
    const first = (await postJson({ applications: [good, bad] })).json<FilingAnswer>();
    expect(first.results.map((r) => r.ok)).toEqual([true, false]);
    const before = await count();
    const retry = (await postJson({ applications: [good, { ...bad, userAddress: '東京都品川区大崎3-3-3' }] })).json<FilingAnswer>();
    expect(retry.results[0]).toMatchObject({ rowKey: 'order-1001', ok: true, arrivalNumber: first.results[0]!.arrivalNumber, replayed: true });
    expect(retry.results[1]).toMatchObject({ rowKey: 'order-1002', ok: true, replayed: false });
    expect(await count()).toBe(before + 1);
    // The same key for different content is refused for that row only.
    const reused = (await postJson({ applications: [{ ...good, userName: '別の 使用者' }] })).json<FilingAnswer>();
    expect(reused.results[0]).toMatchObject({ ok: false, errors: [{ field: 'rowKey', message: 'このキーは、内容の異なる別の申請にすでに使われています。新しいキーを指定してください。' }] });
  });

  it('answers a repeated 車台番号 in one request as an error of the later row', async () => {
    const a = row();
    const res = (await postJson({ applications: [a, { ...a }] })).json<FilingAnswer>();
    expect(res.results.map((r) => r.ok)).toEqual([true, false]);
    expect(res.results[1]!.errors).toEqual([{ field: 'chassisNumber', message: '1行目と同じ車台番号です。同じ車両の申請は1行にしてください。' }]);
  });

  it('refuses 10,001 rows, a repeated rowKey, malformed JSON and a 100 MB body with 4xx, filing nothing', async () => {
    const before = await count();
    const many = await postJson({ applications: Array.from({ length: 10_001 }, () => ({ procedure: 'continuousInspection' })) });
    expect(many.statusCode).toBe(400);
    expect(many.json()).toEqual({ error: { code: 'tooManyRows', message: '1回の一括申請は500件までです（10,001件）。500件ずつに分けて送ってください。何も申請していません。' } });
    const keys = await postJson({ applications: [row({ rowKey: 'k1' }), row({ rowKey: 'k1' })] });
    expect(keys.json()).toEqual({ error: { code: 'duplicateRowKey', message: '2行目の rowKey が1行目と同じです。行ごとに異なるキーを指定してください。何も申請していません。' } });
    expect((await postJson('{"applications": [')).statusCode).toBe(400);
    const huge = await postJson(`{"applications":["${'x'.repeat(100 * 1024 * 1024)}"]}`);
    expect(huge.statusCode).toBe(413);
    expect((await postJson({ rows: [] })).statusCode).toBe(400);
    expect(await count()).toBe(before);
  });

  it('serves a CSV template and files a CSV in UTF-8 with a BOM and in Shift_JIS', async () => {
    const template = await t.app.inject({ method: 'GET', url: '/api/v1/account/applications/template.csv' });
    expect(template.statusCode).toBe(200);
    expect(template.body).toBe(CSV_TEMPLATE);
    const line = (r: Record<string, unknown>) => CSV_COLUMNS.map((c) => (r[c] === undefined ? '' : `"${String(r[c])}"`)).join(',');
    const text = `${CSV_COLUMNS.join(',')}\r\n${line(row({ rowKey: 'csv-1' }))}\r\n${line(row({ rowKey: 'csv-2', vehicleNumber: '' }))}\r\n`;
    const utf8 = (await postCsv(Buffer.from(`\uFEFF${text}`, 'utf8'))).json<FilingAnswer>();
    expect(utf8).toMatchObject({ filed: 1, failed: 1, encoding: 'utf-8' });
    expect(utf8.results[1]).toMatchObject({ row: 2, rowKey: 'csv-2', ok: false, errors: [{ field: 'vehicleNumber' }] });
    const sjisText = `${CSV_COLUMNS.join(',')}\r\n${line(row({ rowKey: 'sjis-1', userName: '品川 花子' }))}\r\n`;
    const sjis = Buffer.from(Encoding.convert(Encoding.stringToCode(sjisText), { to: 'SJIS', from: 'UNICODE' }));
    const answer = (await postCsv(sjis)).json<FilingAnswer>();
    expect(answer).toMatchObject({ filed: 1, failed: 0, encoding: 'shift_jis' });
    const filed = await t.db.handle.db.selectFrom('applications').select('user_name').where('arrival_number', '=', answer.results[0]!.arrivalNumber!).executeTakeFirstOrThrow();
    expect(filed.user_name).toBe('品川 花子');
  });

  it('refuses a CSV in neither encoding, with a wrong header or broken quoting, naming what to fix', async () => {
    const latin = await postCsv(Buffer.from([0x70, 0x61, 0x73, 0x73, 0xff, 0xfe, 0xfd, 0x0a]));
    expect(latin.json()).toEqual({ error: { code: 'invalidCsv', message: 'CSV の文字コードを判別できません。UTF-8（BOM 付き・なし）または Shift_JIS で保存してください。' } });
    const header = await postCsv(Buffer.from('name,address\r\nx,y\r\n'));
    expect(header.json()).toEqual({ error: { code: 'invalidCsv', message: 'CSV の1行目（見出し）には、テンプレートの列名を指定してください（不明な列: name, address）。' } });
    const quotes = await postCsv(Buffer.from(`${CSV_COLUMNS.join(',')}\r\n"abc,\r\n`));
    expect(quotes.statusCode).toBe(400);
    expect(quotes.json<{ error: { code: string } }>().error.code).toBe('invalidCsv');
  });

  it('refuses filing to a token without the file scope (403)', async () => {
    const tk = await t.services.accountApi.tokens.create(accountId, { name: '照会専用', scopes: ['read'], days: 30 });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/account/applications', headers: { authorization: `Bearer ${tk.ok ? tk.value.token : ''}`, 'content-type': 'application/json' }, payload: JSON.stringify({ applications: [row()] }) });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: { code: 'scopeMissing', message: 'このトークンには「申請（一括申請）」（file）の権限がありません。権限のあるトークンを発行してください。' } });
  });
});
