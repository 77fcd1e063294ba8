import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asReceiptNumber } from '../../../../src/domain/receipt-number.js';
import { APPLY_SUBMIT_LIMIT, SEAL_EXPIRED_MESSAGE } from '../../../../src/web/portal/actions/apply.js';
import { createTestApp, type TestApp } from '../../../support/app.js';
import { csrfTokenOf, textOf, titleOf, type TestBrowser } from '../../../support/browser.js';
import { browserFor } from './support.js';

const decode = (v: string) => v.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The answers a step page carries on in hidden fields (what a browser would post back). */
function hiddenFieldsOf(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) {
    if (m[1] !== '_csrf' && m[1] !== 'step') out[m[1]!] = decode(m[2]!);
  }
  return out;
}

async function next(b: TestBrowser, step: string, fields: Record<string, string>) {
  return b.post('/apply', { ...hiddenFieldsOf(b.lastPage), step, ...fields });
}

async function countApplications(t: TestApp): Promise<number> {
  const row = await t.db.handle.db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

const PASSWORD = 'Kei-oss2026';

const ciAnswers = {
  parties: { applicantName: '北品川モータース株式会社', applicantAddress: '東京都品川区北品川1-1-1', userName: '北品川 一郎', userAddress: '東京都品川区北品川2-2-2' },
  vehicle: { vehicleNumber: '品川 580 あ 1001', chassisNumber: 'JF3-7777777', vehicleModel: '5BA-JF3', weightTaxBand: 'standard' },
  office: { officeCode: 'tokyo', agentUse: 'yes', agentCommissionNumber: 'kiroku0002', agentName: '指定整備事業者 品川B', agentUsable: 'no' },
};

const nvAnswers = {
  parties: {
    applicantName: '横浜ダイハツ販売株式会社',
    applicantAddress: '神奈川県横浜市中区1-1-1',
    userName: '横浜 花子',
    userNameHigh: '',
    userAddress: '神奈川県横浜市西区2-2-2',
    ownerSameAsUser: 'no',
    ownerName: '株式会社みなとリース',
    ownerNameHigh: '',
    ownerAddress: '東京都港区海岸3-3-3',
  },
  vehicle: { chassisNumber: 'LA650S-9999999', vehicleModel: '5BA-LA650S', weightTaxBand: 'eco', acquisitionPrice: '１,８００,０００円', environmentalTaxRate: '1', preferredNumber: 'yes' },
  office: { officeCode: 'kanagawa' },
};

async function walkToCheck(b: TestBrowser, procedure: string, answers: typeof ciAnswers | typeof nvAnswers) {
  const first = await b.get('/apply');
  expect(first.statusCode).toBe(200);
  const parties = await next(b, 'procedure', { procedure });
  expect(parties.statusCode).toBe(200);
  const vehicle = await next(b, 'parties', answers.parties);
  expect(vehicle.statusCode).toBe(200);
  expect(titleOf(vehicle.body)).toBe('初回申請 車両｜軽自動車OSS');
  const office = await next(b, 'vehicle', answers.vehicle);
  expect(office.statusCode).toBe(200);
  const password = await next(b, 'office', answers.office);
  expect(password.statusCode).toBe(200);
  expect(titleOf(password.body)).toBe('初回申請 申請用パスワード｜軽自動車OSS');
  const check = await next(b, 'password', { password: PASSWORD, passwordConfirm: PASSWORD });
  expect(check.statusCode).toBe(200);
  expect(titleOf(check.body)).toBe('初回申請 申請内容の確認｜軽自動車OSS');
  return check;
}

describe('申請を行う (【画面申請】初回申請の操作手順)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('the first step chooses the procedure and says the electronic signature is out of scope', async () => {
    const b = browserFor(t.app);
    const res = await b.get('/apply');
    expect(titleOf(res.body)).toBe('初回申請 手続の選択｜軽自動車OSS');
    const text = textOf(res.body);
    expect(text).toContain('電子署名（署名用電子証明書）について');
    expect(text).toContain('このシステムでは電子署名は対象外のため、署名は行いません。');
    expect(res.body).toContain('<legend>申請する手続<span class="form-field__required">必須</span></legend>');
    expect(res.body).toContain('<input type="radio" id="procedure" name="procedure" value="continuousInspection"/>');
    expect(text).toContain('全6ステップ中、1ステップ目「手続の選択」');
    const none = await next(b, 'procedure', {});
    expect(none.statusCode).toBe(400);
    expect(titleOf(none.body)).toBe('エラー：初回申請 手続の選択｜軽自動車OSS');
    expect(none.body).toContain('<a href="#procedure">手続を選択してください。</a>');
  });

  it('継続検査: every step, check your answers, then 申請する issues a 到達番号 and the application awaits the acceptance check', async () => {
    const b = browserFor(t.app);
    const check = await walkToCheck(b, 'continuousInspection', ciAnswers);
    const text = textOf(check.body);
    expect(text).toContain('手続 継続検査');
    expect(text).toContain('申請者名 北品川モータース株式会社 申請者住所 東京都品川区北品川1-1-1 使用者名 北品川 一郎 使用者住所 東京都品川区北品川2-2-2');
    expect(text).toContain('車両番号 品川 - 580 - あ - 1001 車台番号 JF3-7777777 型式 5BA-JF3 自動車重量税の区分 標準（初度登録から13年未満）');
    expect(text).toContain('申請先軽自動車検査協会事務所等 東京主管事務所（東京都品川区東大井1-12-17） 記録等事務代行者委託番号 KIROKU0002 記録等事務代行者氏名又は名称 指定整備事業者 品川B 記録等事務代行利用可否 利用不可');
    expect(text).toContain('申請用パスワード 入力済み（表示しません）');
    expect(check.body).not.toContain(PASSWORD);
    expect(check.body).toContain('formaction="/apply" name="goto" value="parties" class="link-button">変更<span class="visually-hidden">（申請者・使用者）</span>');
    const before = await countApplications(t);

    const sent = await b.post('/apply/submit', hiddenFieldsOf(check.body));
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/apply/complete');
    const done = await b.follow(sent);
    expect(done.statusCode).toBe(200);
    expect(titleOf(done.body)).toBe('初回申請 完了｜軽自動車OSS');
    const doneText = textOf(done.body);
    const m = /到達番号 (\d{4} \d{4} \d{4} \d{5})/.exec(doneText);
    expect(m).not.toBeNull();
    const arrival = m![1]!.replace(/ /g, '');
    expect(arrival).toMatch(/^26112620\d{9}$/);
    for (const words of ['受付チェック', '受付番号', '納付', '審査', '「画面申請」→「状況の照会」で、到達番号（受け付けられた後は受付番号）と申請用パスワードを入力すると、申請状況を確認できます。']) {
      expect(doneText).toContain(words);
    }
    expect(done.body).toContain('href="/inquiry/login"');
    expect(await countApplications(t)).toBe(before + 1);

    const id = await t.services.findApplicationId(asReceiptNumber(arrival));
    const stored = (await t.services.statusInquiry.read(id!))!.application;
    expect(stored).toMatchObject({
      procedure: 'continuousInspection',
      status: 'awaitingAcceptance',
      receiptNumber: null,
      officeCode: 'tokyo',
      applicant: { name: '北品川モータース株式会社', address: '東京都品川区北品川1-1-1' },
      user: { name: '北品川 一郎', address: '東京都品川区北品川2-2-2' },
      owner: null,
      vehicle: { vehicleNumber: '品川 580 あ 1001', chassisNumber: 'JF3-7777777', model: '5BA-JF3', weightTaxBand: 'standard' },
      recordingAgent: { commissionNumber: 'KIROKU0002', name: '指定整備事業者 品川B', usable: false },
    });
    const history = await t.services.statusInquiry.history(id!);
    expect(history.map((h) => [h.event, h.toStatus, h.actorKind])).toEqual([['arrive', 'awaitingAcceptance', 'applicant']]);

    // The applicant looks it up with the 到達番号 and the password set.
    const status = await browserFor(t.app).login(arrival, PASSWORD);
    expect(textOf(status.body)).toContain('現在の申請状況 受付審査中');
    expect(textOf(status.body)).toContain(`受付番号 未払出（到達番号：${m![1]}）`);
    expect(textOf(status.body)).toContain('申請状況の履歴');
  });

  it('a replayed 申請する (double click, 再送信, a retry after a crash) answers with the first 到達番号 and files one application (issue 12, issue 14)', async () => {
    const b = browserFor(t.app);
    const check = await walkToCheck(b, 'continuousInspection', { ...ciAnswers, vehicle: { ...ciAnswers.vehicle, chassisNumber: 'JF3-7777001' } });
    const fields = hiddenFieldsOf(check.body);
    expect(fields.formToken).toMatch(/^[0-9a-f-]{36}$/);
    const before = await countApplications(t);
    const arrivals: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = await b.post('/apply/submit', fields, { csrf: csrfTokenOf(check.body) });
      expect(sent.statusCode).toBe(303);
      expect(sent.headers.location).toBe('/apply/complete');
      const done = await b.follow(sent);
      arrivals.push(/到達番号 (\d{4} \d{4} \d{4} \d{5})/.exec(textOf(done.body))![1]!);
    }
    expect(new Set(arrivals).size).toBe(1);
    expect(await countApplications(t)).toBe(before + 1);
    // Two at once (a double click): one application, both answered with its 到達番号 or told it is being sent.
    const again = await walkToCheck(b, 'continuousInspection', { ...ciAnswers, vehicle: { ...ciAnswers.vehicle, chassisNumber: 'JF3-7777002' } });
    const twice = hiddenFieldsOf(again.body);
    const csrf = csrfTokenOf(again.body);
    const both = await Promise.all([b.post('/apply/submit', twice, { csrf }), b.post('/apply/submit', twice, { csrf })]);
    expect(both.map((r) => r.statusCode).sort()).toEqual(both.some((r) => r.statusCode === 409) ? [303, 409] : [303, 303]);
    expect(await countApplications(t)).toBe(before + 2);
    // A check page without its form token (an old page) is shown again, with a new token, and files nothing.
    const { formToken: _omit, ...noToken } = twice;
    const stale = await b.post('/apply/submit', noToken, { csrf });
    expect(stale.statusCode).toBe(400);
    expect(titleOf(stale.body)).toBe('初回申請 申請内容の確認｜軽自動車OSS');
    expect(hiddenFieldsOf(stale.body).formToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(await countApplications(t)).toBe(before + 2);
  });

  it('新車: the owner, the acquisition price typed with full-width digits and a 希望番号 are filed', async () => {
    const b = browserFor(t.app);
    const check = await walkToCheck(b, 'newVehicle', nvAnswers);
    const text = textOf(check.body);
    expect(text).toContain('手続 新車〔新規検査・地方税申告〕');
    expect(text).toContain('所有者名 株式会社みなとリース 所有者名（高水準） 所有者住所 東京都港区海岸3-3-3');
    expect(text).toContain('取得価額 ¥ 1,800,000 軽自動車税環境性能割の税率 1% 希望番号の予約 予約あり');
    expect(text).toContain('申請先軽自動車検査協会事務所等 神奈川事務所');
    expect(text).not.toContain('記録等事務代行者');
    const sent = await b.post('/apply/submit', hiddenFieldsOf(check.body));
    expect(sent.statusCode).toBe(303);
    const done = await b.follow(sent);
    const arrival = /到達番号 (\d{4} \d{4} \d{4} \d{5})/.exec(textOf(done.body))![1]!.replace(/ /g, '');
    const id = await t.services.findApplicationId(asReceiptNumber(arrival));
    const stored = (await t.services.statusInquiry.read(id!))!.application;
    expect(stored).toMatchObject({
      procedure: 'newVehicle',
      officeCode: 'kanagawa',
      owner: { name: '株式会社みなとリース', address: '東京都港区海岸3-3-3' },
      vehicle: { vehicleNumber: null, chassisNumber: 'LA650S-9999999', acquisitionPrice: 1_800_000, environmentalTaxRate: 1, weightTaxBand: 'eco' },
      recordingAgent: null,
      partialDocumentExamination: '実施不要（ALL電子）',
    });
    expect(stored.attachments).toEqual([
      { kind: 'completionCertificate', state: 'notAcquired' },
      { kind: 'insuranceCertificate', state: 'notAcquired' },
      { kind: 'preferredNumberCertificate', state: 'notAcquired' },
    ]);
  });

  it('each step is validated with the error summary; what was typed stays', async () => {
    const b = browserFor(t.app);
    await b.get('/apply');
    await next(b, 'procedure', { procedure: 'newVehicle' });
    const parties = await next(b, 'parties', { ...nvAnswers.parties, applicantName: '', userAddress: 'あ'.repeat(121), ownerName: '' });
    expect(parties.statusCode).toBe(400);
    expect(titleOf(parties.body)).toBe('エラー：初回申請 申請者・使用者・所有者｜軽自動車OSS');
    expect(textOf(parties.body)).toContain('入力内容にエラーがあります 申請者名を入力してください。 使用者住所は120文字以内で入力してください。 所有者名を入力してください。');
    expect(parties.body).toContain('value="神奈川県横浜市中区1-1-1"');
    await next(b, 'parties', nvAnswers.parties);
    const vehicle = await next(b, 'vehicle', { ...nvAnswers.vehicle, acquisitionPrice: '180万', environmentalTaxRate: '' });
    expect(vehicle.statusCode).toBe(400);
    expect(textOf(vehicle.body)).toContain('取得価額は0円以上1億円以下の整数（円）で入力してください。');
    expect(textOf(vehicle.body)).toContain('環境性能割の税率（0%・1%・2%）を選択してください。');
    expect(vehicle.body).toContain('<a href="#environmentalTaxRate">');
    await next(b, 'vehicle', nvAnswers.vehicle);
    await next(b, 'office', nvAnswers.office);
    const short = await next(b, 'password', { password: 'abc', passwordConfirm: 'abc' });
    expect(short.statusCode).toBe(400);
    expect(textOf(short.body)).toContain('申請用パスワードは8文字以上64文字以内で入力してください。');
    const mismatch = await next(b, 'password', { password: PASSWORD, passwordConfirm: `${PASSWORD}x` });
    expect(mismatch.statusCode).toBe(400);
    expect(textOf(mismatch.body)).toContain('申請用パスワードが一致しません。同じ申請用パスワードを2回入力してください。');
    expect(mismatch.body).not.toContain(PASSWORD);
  });

  it('継続検査: a bad 車両番号 and a 記録等事務代行者 without its number are errors', async () => {
    const b = browserFor(t.app);
    await b.get('/apply');
    await next(b, 'procedure', { procedure: 'continuousInspection' });
    await next(b, 'parties', ciAnswers.parties);
    const vehicle = await next(b, 'vehicle', { ...ciAnswers.vehicle, vehicleNumber: '1234' });
    expect(vehicle.statusCode).toBe(400);
    expect(textOf(vehicle.body)).toContain('車両番号は「品川 580 さ 1234」のように、地名・分類番号・ひらがな・一連指定番号の順に入力してください（区切りの空白は省略できます）。');
    await next(b, 'vehicle', ciAnswers.vehicle);
    const office = await next(b, 'office', { officeCode: 'nowhere', agentUse: 'yes', agentCommissionNumber: '', agentName: '' });
    expect(office.statusCode).toBe(400);
    expect(textOf(office.body)).toContain('申請先軽自動車検査協会事務所等を選択してください。 記録等事務代行者委託番号を入力してください。 記録等事務代行者氏名又は名称を入力してください。 記録等事務代行利用可否を選択してください。');
  });

  it('戻る and 変更 go back with the answers; after 変更 the form returns to the check page', async () => {
    const b = browserFor(t.app);
    const check = await walkToCheck(b, 'continuousInspection', ciAnswers);
    const change = await b.post('/apply', { ...hiddenFieldsOf(check.body), goto: 'parties' });
    expect(change.statusCode).toBe(200);
    expect(titleOf(change.body)).toBe('初回申請 申請者・使用者｜軽自動車OSS');
    expect(change.body).toContain('value="北品川 一郎"');
    const back = await next(b, 'parties', { ...ciAnswers.parties, userName: '北品川 次郎' });
    expect(titleOf(back.body)).toBe('初回申請 申請内容の確認｜軽自動車OSS');
    expect(textOf(back.body)).toContain('使用者名 北品川 次郎');
    // 戻る from a step (no validation of the step left).
    const c = browserFor(t.app);
    await c.get('/apply');
    await next(c, 'procedure', { procedure: 'continuousInspection' });
    await next(c, 'parties', ciAnswers.parties);
    const previous = await next(c, 'vehicle', { goto: 'parties', vehicleNumber: '' });
    expect(titleOf(previous.body)).toBe('初回申請 申請者・使用者｜軽自動車OSS');
    expect(previous.body).toContain('value="北品川モータース株式会社"');
  });

  it('申請する validates everything again: an altered hidden field or password seal registers nothing', async () => {
    const b = browserFor(t.app);
    const check = await walkToCheck(b, 'continuousInspection', ciAnswers);
    const fields = hiddenFieldsOf(check.body);
    const before = await countApplications(t);
    const altered = await b.post('/apply/submit', { ...fields, chassisNumber: 'JF3 7777777 <script>' });
    expect(altered.statusCode).toBe(400);
    expect(titleOf(altered.body)).toBe('エラー：初回申請 車両｜軽自動車OSS');
    expect(textOf(altered.body)).toContain('車台番号は半角英数字とハイフンで、30文字以内で入力してください');
    const seal = await b.post('/apply/submit', { ...fields, passwordSealed: `${fields.passwordSealed!.slice(0, -2)}AA` });
    expect(seal.statusCode).toBe(400);
    expect(textOf(seal.body)).toContain(SEAL_EXPIRED_MESSAGE);
    const skipped = await b.post('/apply/submit', { procedure: 'newVehicle', passwordSealed: fields.passwordSealed! });
    expect(skipped.statusCode).toBe(400);
    expect(textOf(skipped.body)).toContain('申請者名を入力してください。');
    const noCsrf = await b.post('/apply/submit', fields, { csrf: null });
    expect(noCsrf.statusCode).toBe(403);
    const huge = await b.post('/apply/submit', { ...fields, applicantAddress: 'x'.repeat(600), _csrf: csrfTokenOf(check.body) });
    expect(huge.statusCode).toBe(400);
    expect(await countApplications(t)).toBe(before);
  });

  it('a password sealed more than an hour ago must be entered again', async () => {
    const b = browserFor(t.app);
    const check = await walkToCheck(b, 'continuousInspection', ciAnswers);
    const before = await countApplications(t);
    t.clock.advance(61 * 60 * 1000);
    const res = await b.post('/apply/submit', hiddenFieldsOf(check.body));
    // The form is anonymous (no session), so its CSRF token outlives the hour.
    expect(res.statusCode).toBe(400);
    expect(titleOf(res.body)).toBe('エラー：初回申請 申請用パスワード｜軽自動車OSS');
    expect(textOf(res.body)).toContain(SEAL_EXPIRED_MESSAGE);
    expect(await countApplications(t)).toBe(before);
  });

  it('the 完了 page needs the signed cookie of a filing', async () => {
    const b = browserFor(t.app);
    const res = await b.get('/apply/complete');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/apply');
    b.cookies.set('kei_apply_done', '26112620123456789');
    expect((await b.get('/apply/complete')).statusCode).toBe(303);
  });
});

describe('申請を行う: the final submit is rate limited per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it(`answers a submit beyond ${APPLY_SUBMIT_LIMIT.max} within the window with 429 and a Japanese page`, async () => {
    const b = browserFor(t.app);
    await b.get('/apply');
    for (let i = 0; i < APPLY_SUBMIT_LIMIT.max; i++) {
      const r = await b.post('/apply/submit', { procedure: 'continuousInspection' });
      expect(r.statusCode).toBe(400);
    }
    const limited = await b.post('/apply/submit', { procedure: 'continuousInspection' }, { csrf: 'any' });
    expect(limited.statusCode).toBe(429);
    expect(textOf(limited.body)).toContain('短時間に多くの操作が行われたため、一時的に受付を制限しています。');
    // Another address is not affected, and the steps before the submit are not limited.
    const other = browserFor(t.app);
    await other.get('/apply');
    expect((await other.post('/apply/submit', { procedure: 'continuousInspection' })).statusCode).toBe(400);
    await b.get('/apply');
    expect((await next(b, 'procedure', { procedure: 'newVehicle' })).statusCode).toBe(200);
  });
});
