import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { agencyTokens, apiClient, applicantPage, continuousFiling, json, newCarFiling, type AgencyTokens } from './support.js';

/** Bad input and forbidden acts get a JSON error with a Japanese message and a 4xx; the application does not change. */
describe('agency API refusals', () => {
  let t: TestApp;
  let a: AgencyTokens;
  let ci = ''; // a 継続検査 of 東京主管事務所, 申請受付済（添付書類取得待ち）
  let nv = ''; // a 新車 of 東京主管事務所, 申請受付済
  let nerimaApp = ''; // a 継続検査 of 練馬支所

  const snapshot = async (number: string) => json(await a.tokyo.get(`/api/v1/applications/${number}`));

  beforeAll(async () => {
    t = await createTestApp();
    a = await agencyTokens(t);
    const accept = async (client: typeof a.tokyo, filing: Record<string, unknown>) => {
      const arrival = json(await client.post('/api/v1/applications', filing)).application.arrivalNumber as string;
      return json(await client.event(arrival, { type: 'accept' })).application.receiptNumber as string;
    };
    ci = await accept(a.tokyo, continuousFiling());
    nv = await accept(a.tokyo, newCarFiling());
    nerimaApp = await accept(a.nerima, continuousFiling({ officeCode: 'nerima', vehicleNumber: '練馬 580 あ 1111', chassisNumber: 'JF5-9000001' }));
  });
  afterAll(async () => {
    await t.close();
  });

  describe('authentication (401)', () => {
    it('refuses a request without a token, with a Bearer challenge', async () => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/applications/${ci}` });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="kei-oss"');
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(json(res)).toEqual({ error: { code: 'unauthorized', message: 'APIトークンが指定されていないか、正しくありません。Authorization ヘッダーに「Bearer トークン」を指定してください。' } });
    });

    it('refuses an unknown token and a revoked one', async () => {
      expect((await apiClient(t.app, 'keioss_not-a-real-token-000000000000').get('/api/v1/me')).statusCode).toBe(401);
      const made = await t.services.apiTokens.create({ name: '失効予定', role: 'paymentNetwork' });
      if (!made.ok) throw new Error();
      const client = apiClient(t.app, made.value.token);
      expect((await client.get('/api/v1/me')).statusCode).toBe(200);
      expect(await t.services.apiTokens.revoke(made.value.record.id)).toBe(true);
      expect((await client.get('/api/v1/me')).statusCode).toBe(401);
    });

    it('stores only the SHA-256 of a token, never the token', async () => {
      const made = await t.services.apiTokens.create({ name: 'hash check', role: 'attachmentSource' });
      if (!made.ok) throw new Error();
      const row = await t.db.handle.db.selectFrom('api_tokens').selectAll().where('id', '=', made.value.record.id).executeTakeFirstOrThrow();
      expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(made.value.token);
      expect(made.value.token).toMatch(/^keioss_[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('role and office (403)', () => {
    it('a token of the wrong role: the payment network cannot accept an application', async () => {
      const before = await snapshot(ci);
      const res = await a.payment.event(ci, { type: 'issueFees', dueOn: '2026-12-10' });
      expect(res.statusCode).toBe(403);
      expect(json(res).error).toEqual({ code: 'actorNotAllowed', message: '収納機関（Pay-easy）は「税・手数料の納付情報の発行」を行うことができません。' });
      expect(await snapshot(ci)).toEqual(before);
    });

    it('an applicant-only event is refused for any agency (403), not taken as unknown', async () => {
      const res = await a.tokyo.event(ci, { type: 'withdraw' });
      expect(res.statusCode).toBe(403);
      expect(json(res).error).toEqual({ code: 'actorNotAllowed', message: '軽自動車検査協会事務所等は「申請の取り下げ」を行うことができません。' });
    });

    it("another office's token can neither read nor move the application", async () => {
      const read = await a.nerima.get(`/api/v1/applications/${ci}`);
      expect(read.statusCode).toBe(403);
      expect(json(read).error).toEqual({ code: 'otherOffice', message: '他の事務所等の申請は参照・操作できません。' });
      const before = await snapshot(ci);
      const write = await a.nerima.event(ci, { type: 'issueFees', dueOn: '2026-12-10' });
      expect(write.statusCode).toBe(403);
      expect(json(write).error.code).toBe('otherOffice');
      expect(await snapshot(ci)).toEqual(before);
      expect((await a.tokyo.get(`/api/v1/applications/${nerimaApp}`)).statusCode).toBe(403);
    });

    it('a tax office on a 継続検査: 403, and another prefecture\'s tax office on a 新車: 403', async () => {
      const res = await a.tokyoTax.get(`/api/v1/applications/${ci}`);
      expect(res.statusCode).toBe(403);
      expect(json(res).error).toEqual({ code: 'actorNotAllowed', message: '都道府県税事務所は新車〔新規検査・地方税申告〕の申請のみ参照・操作できます。継続検査の申請は扱えません。' });
      const ev = await a.tokyoTax.event(ci, { type: 'assessVehicleTax', dueOn: '2026-12-10' });
      expect(ev.statusCode).toBe(403);
      const osaka = await a.osakaTax.get(`/api/v1/applications/${nv}`);
      expect(osaka.statusCode).toBe(403);
      expect(json(osaka).error).toEqual({ code: 'otherOffice', message: '他の都道府県税事務所の申請は参照・操作できません。' });
      expect((await a.tokyoTax.get(`/api/v1/applications/${nv}`)).statusCode).toBe(200);
    });

    it('registration: only an office, only for itself', async () => {
      const other = await a.tokyo.post('/api/v1/applications', continuousFiling({ officeCode: 'nerima', vehicleNumber: '練馬 580 あ 2222' }));
      expect(other.statusCode).toBe(403);
      expect(json(other).error).toEqual({ code: 'otherOffice', message: '他の事務所等を申請先とする申請は登録できません。' });
      const payment = await a.payment.post('/api/v1/applications', continuousFiling());
      expect(payment.statusCode).toBe(403);
      expect(json(payment).error.code).toBe('actorNotAllowed');
      expect(await t.db.handle.db.selectFrom('applications').select('id').where('vehicle_number', '=', '練馬 580 あ 2222').execute()).toEqual([]);
    });

    it('the payment network and attachment sources read applications of every office, without addresses', async () => {
      const res = await a.payment.get(`/api/v1/applications/${nerimaApp}`);
      expect(res.statusCode).toBe(200);
      const app = json(res).application;
      expect(app.applicant).toEqual({ name: '品川オートサービス', nameHigh: null, address: null });
      expect(app.availableEvents).toEqual([]);
      expect(json(await a.nerima.get(`/api/v1/applications/${nerimaApp}`)).application.applicant.address).toBe('東京都品川区東品川2-2-2');
    });
  });

  describe('version check (409 on a stale version, the application unchanged)', () => {
    it('expectedVersion in the body', async () => {
      const before = await snapshot(ci);
      const res = await a.tokyo.event(ci, { type: 'issueFees', dueOn: '2026-12-10', expectedVersion: before.application.version - 1 });
      expect(res.statusCode).toBe(409);
      expect(json(res).error).toEqual({ code: 'versionConflict', message: 'この申請は他の操作により更新されました。最新の状態を確認してから、もう一度操作してください。' });
      expect(await snapshot(ci)).toEqual(before);
    });

    it('If-Match with the ETag; a wrong one is 409, the right one goes through', async () => {
      const read = await a.tokyo.get(`/api/v1/applications/${ci}`);
      const etag = String(read.headers.etag);
      expect(etag).toBe(`"${json(read).application.version}"`);
      const stale = await a.tokyo.event(ci, { type: 'markAttachmentNotRequired', kind: 'safetyStandardCertificate' }, { 'if-match': '"1"' });
      expect(stale.statusCode).toBe(409);
      expect(json(stale).error.code).toBe('versionConflict');
      const fresh = await a.tokyo.event(ci, { type: 'markAttachmentNotRequired', kind: 'safetyStandardCertificate' }, { 'if-match': etag });
      expect(fresh.statusCode).toBe(200);
      expect(json(fresh).application.version).toBe(json(read).application.version + 1);
    });

    it('If-Match and expectedVersion that disagree, or a malformed If-Match: 400', async () => {
      const v = (await snapshot(ci)).application.version as number;
      const both = await a.tokyo.event(ci, { type: 'issueFees', dueOn: '2026-12-10', expectedVersion: v }, { 'if-match': `"${v + 1}"` });
      expect(both.statusCode).toBe(400);
      expect(json(both).error.message).toBe('expectedVersion と If-Match の version が一致しません。');
      const bad = await a.tokyo.event(ci, { type: 'issueFees', dueOn: '2026-12-10' }, { 'if-match': 'abc' });
      expect(bad.statusCode).toBe(400);
      expect((await snapshot(ci)).application.version).toBe(v);
    });

    it('two writes racing on the same version: one wins, the other gets 409', async () => {
      const arrival = json(await a.tokyo.post('/api/v1/applications', continuousFiling({ chassisNumber: 'JF5-5550001' }))).application.arrivalNumber as string;
      const [r1, r2] = await Promise.all([a.tokyo.event(arrival, { type: 'accept', expectedVersion: 1 }), a.tokyo.event(arrival, { type: 'refuseAcceptance', reasonTitle: '不備', expectedVersion: 1 })]);
      expect([r1.statusCode, r2.statusCode].sort()).toEqual([200, 409]);
      const history = json(await a.tokyo.get(`/api/v1/applications/${arrival}`)).history as { event: string }[];
      expect(history).toHaveLength(2);
    });
  });

  describe('Idempotency-Key (safe retries)', () => {
    it('a retry with the same key gets the first status and body again, and the event happens once', async () => {
      const number = json(await a.tokyo.event(json(await a.tokyo.post('/api/v1/applications', continuousFiling({ chassisNumber: 'JF5-5550002' }))).application.arrivalNumber, { type: 'accept' })).application.receiptNumber as string;
      const body = { type: 'issueFees', dueOn: '2026-12-10' };
      const first = await a.tokyo.event(number, body, { 'idempotency-key': 'retry-1' });
      expect(first.statusCode).toBe(200);
      const second = await a.tokyo.event(number, { dueOn: '2026-12-10', type: 'issueFees' }, { 'idempotency-key': 'retry-1' });
      expect(second.statusCode).toBe(200);
      expect(second.body).toBe(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.headers.etag).toBe(first.headers.etag);
      const history = json(await a.tokyo.get(`/api/v1/applications/${number}`)).history as { event: string }[];
      expect(history.filter((h) => h.event === 'issueFees')).toHaveLength(1);
      // Without the key, the same request is a new request: the status no longer allows it.
      const again = await a.tokyo.event(number, body);
      expect(again.statusCode).toBe(409);
      expect(json(again).error.code).toBe('statusDoesNotAllow');
    });

    it('a refusal is a result too: the retry gets the same 409', async () => {
      const first = await a.tokyo.event(ci, { type: 'markReady' }, { 'idempotency-key': 'refused-1' });
      expect(first.statusCode).toBe(409);
      const second = await a.tokyo.event(ci, { type: 'markReady' }, { 'idempotency-key': 'refused-1' });
      expect(second.statusCode).toBe(409);
      expect(second.body).toBe(first.body);
    });

    it('the same key with a different body is 422, and nothing happens', async () => {
      const before = await snapshot(nv);
      expect((await a.tokyo.event(nv, { type: 'markAttachmentNotRequired', kind: 'preferredNumberCertificate' }, { 'idempotency-key': 'key-2' })).statusCode).toBe(200);
      const mid = await snapshot(nv);
      expect(mid.application.version).toBe(before.application.version + 1);
      const res = await a.tokyo.event(nv, { type: 'markAttachmentNotRequired', kind: 'insuranceCertificate' }, { 'idempotency-key': 'key-2' });
      expect(res.statusCode).toBe(422);
      expect(json(res).error).toEqual({ code: 'idempotencyKeyReused', message: 'この Idempotency-Key は、内容の異なる別の要求にすでに使われています。新しいキーを指定してください。' });
      expect(await snapshot(nv)).toEqual(mid);
    });

    it('keys belong to their token: another token may use the same key', async () => {
      const res = await a.attachments.event(nv, { type: 'acquireAttachment', kind: 'completionCertificate' }, { 'idempotency-key': 'key-2' });
      expect(res.statusCode).toBe(200);
    });

    it('registration is idempotent too: one application for two posts with one key', async () => {
      const filing = continuousFiling({ chassisNumber: 'JF5-5550003' });
      const r1 = await a.tokyo.post('/api/v1/applications', filing, { 'idempotency-key': 'intake-0001' });
      const r2 = await a.tokyo.post('/api/v1/applications', filing, { 'idempotency-key': 'intake-0001' });
      expect(r1.statusCode).toBe(201);
      expect(r2.statusCode).toBe(201);
      expect(r2.body).toBe(r1.body);
      expect(r2.headers.location).toBe(r1.headers.location);
      expect(r2.headers.location).toBe(`/api/v1/applications/${json(r1).application.arrivalNumber}`);
      const rows = await t.db.handle.db.selectFrom('applications').select('id').where('chassis_number', '=', 'JF5-5550003').execute();
      expect(rows).toHaveLength(1);
    });

    it('a malformed key is 400', async () => {
      const res = await a.tokyo.event(ci, { type: 'markReady' }, { 'idempotency-key': 'スペース は不可' });
      expect(res.statusCode).toBe(400);
      expect(json(res).error.code).toBe('invalidIdempotencyKey');
    });
  });

  describe('bad input (4xx, JSON, Japanese, the application unchanged)', () => {
    it('an unknown event: 400 unknownEvent', async () => {
      const before = await snapshot(ci);
      const res = await a.tokyo.event(ci, { type: 'approveEverything' });
      expect(res.statusCode).toBe(400);
      expect(json(res).error).toEqual({ code: 'unknownEvent', message: '不明なイベントです（approveEverything）。指定できるイベントは API の説明（/api/docs）を確認してください。' });
      expect(await snapshot(ci)).toEqual(before);
    });

    it('an event in the wrong status: 409 statusDoesNotAllow', async () => {
      const before = await snapshot(ci);
      const res = await a.tokyo.event(ci, { type: 'markReady' });
      expect(res.statusCode).toBe(409);
      expect(json(res).error).toEqual({ code: 'statusDoesNotAllow', message: '現在の申請状況「申請受付済（添付書類取得待ち）」では「交付物の準備完了」はできません。' });
      expect(await snapshot(ci)).toEqual(before);
    });

    it('a missing or malformed field: 400 with a message per field', async () => {
      const missing = await a.tokyo.event(ci, { type: 'requestCorrection', reasonTitle: '不備' });
      expect(missing.statusCode).toBe(400);
      expect(json(missing).error).toEqual({ code: 'invalidInput', message: '入力内容に誤りがあります。fields の各項目を確認してください。', fields: { deadline: '補正期限（deadline）を指定してください。' } });
      const wrongDate = await a.tokyo.event(ci, { type: 'issueFees', dueOn: '2026-02-30' });
      expect(wrongDate.statusCode).toBe(400);
      expect(json(wrongDate).error.fields).toEqual({ dueOn: '納付期限は「2026-12-01」のように、正しい日付で入力してください。' });
      const extra = await a.tokyo.event(ci, { type: 'accept', receiptNumber: '12345678901234567' });
      expect(extra.statusCode).toBe(400);
      expect(json(extra).error.fields).toEqual({ receiptNumber: '「receiptNumber」は指定できない項目です。' });
      const kind = await a.attachments.event(ci, { type: 'acquireAttachment', kind: 'passport' });
      expect(kind.statusCode).toBe(400);
      expect(json(kind).error.fields).toEqual({ kind: '添付書類（kind）に指定できない値です。' });
      const noType = await a.tokyo.event(ci, { dueOn: '2026-12-10' });
      expect(noType.statusCode).toBe(400);
      expect(json(noType).error.fields).toEqual({ type: 'イベントの種類（type）を指定してください。' });
    });

    it('a deadline in the past or an attachment the procedure does not have: the domain refuses', async () => {
      const past = await a.tokyo.event(ci, { type: 'issueFees', dueOn: '2026-11-25' });
      expect(past.statusCode).toBe(400);
      expect(json(past).error).toEqual({ code: 'invalidInput', message: '納付期限は本日以降の日付を指定してください。' });
      const notHere = await a.attachments.event(ci, { type: 'acquireAttachment', kind: 'completionCertificate' });
      expect(notHere.statusCode).toBe(422);
      expect(json(notHere).error).toEqual({ code: 'procedureDoesNotAllow', message: 'この手続では「完成検査終了証兼譲渡証明書」は添付書類ではありません。' });
    });

    it('malformed JSON: 400 malformedBody', async () => {
      const res = await a.tokyo.post(`/api/v1/applications/${ci}/events`, '{"type": "accept",');
      expect(res.statusCode).toBe(400);
      expect(json(res).error).toEqual({ code: 'malformedBody', message: '送信された内容を読み取れませんでした。形式を確認してください。' });
    });

    it('a body that is not JSON: 415', async () => {
      const res = await a.tokyo.post(`/api/v1/applications/${ci}/events`, 'type=accept', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.statusCode).toBe(415);
      expect(json(res).error.code).toBe('unsupportedMediaType');
    });

    it('a 10 MB body: 413, before it is read, and nothing changes', async () => {
      const before = await snapshot(ci);
      const big = JSON.stringify({ type: 'refuseAcceptance', reasonTitle: 'x', reasonDetail: 'あ'.repeat(3_500_000) });
      expect(Buffer.byteLength(big)).toBeGreaterThan(10_000_000);
      const res = await a.tokyo.post(`/api/v1/applications/${ci}/events`, big);
      expect(res.statusCode).toBe(413);
      expect(json(res).error).toEqual({ code: 'bodyTooLarge', message: '送信された内容が大きすぎるため、受け付けられませんでした。入力内容を確認してください。' });
      expect(await snapshot(ci)).toEqual(before);
    });

    it('a malformed or unknown number: 400 and 404', async () => {
      const bad = await a.tokyo.get('/api/v1/applications/12345');
      expect(bad.statusCode).toBe(400);
      expect(json(bad).error).toEqual({ code: 'invalidInput', message: '受付番号（到達番号）は数字17桁で入力してください。入力された数字は5桁です。' });
      const unknown = await a.tokyo.get('/api/v1/applications/12345678901234567');
      expect(unknown.statusCode).toBe(404);
      expect(json(unknown).error).toEqual({ code: 'notFound', message: '指定された受付番号（到達番号）の申請は見つかりません。' });
      expect((await a.tokyo.get('/api/v1/nothing-here')).statusCode).toBe(404);
    });

    it('a filing with bad fields: 400 with the filing rules\' messages', async () => {
      const res = await a.tokyo.post('/api/v1/applications', continuousFiling({ vehicleNumber: 'ABC', password: 'short' }));
      expect(res.statusCode).toBe(400);
      expect(json(res).error.fields).toEqual({
        vehicleNumber: '車両番号は「品川 580 さ 1234」のように、地名・分類番号・ひらがな・一連指定番号の順に入力してください（区切りの空白は省略できます）。',
        password: '申請用パスワードは8文字以上64文字以内で入力してください。',
      });
      const wrongType = await a.tokyo.post('/api/v1/applications', continuousFiling({ acquisitionPrice: '100万円' }));
      expect(wrongType.statusCode).toBe(400);
      expect(json(wrongType).error.fields).toEqual({ acquisitionPrice: '取得価額（acquisitionPrice）の型が正しくありません（integer で指定してください）。' });
    });

    it('after all the refusals the applicant still sees the application as it was', async () => {
      const { text } = await applicantPage(t.app, ci);
      expect(text).toContain('現在の申請状況 申請受付済（添付書類取得待ち） 状況更新日時：');
    });
  });

  it('GET /api/v1/me tells the token its role, scope and events', async () => {
    const res = await a.tokyoTax.get('/api/v1/me');
    expect(json(res)).toMatchObject({ name: '東京都 軽自動車税申告窓口', role: 'taxOffice', officeCode: 'tokyoTax', scope: '都道府県税事務所（東京都）', events: ['requestTaxCorrection', 'assessVehicleTax'], mayRegister: false });
  });
});
