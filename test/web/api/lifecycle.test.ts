import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { agencyTokens, applicantActs, applicantPage, continuousFiling, json, newCarFiling, type AgencyTokens } from './support.js';

/**
 * The whole life of an application driven over the agency API alone (arrival to hand-over), and
 * each branch, checking after every step what the applicant's status page (申請状況確認) shows.
 * Today is 2026-11-26 (Thursday) in Japan.
 */

const current = (label: string) => `現在の申請状況 ${label} 状況更新日時：`;

describe('the whole life of a 継続検査 over the API, as the applicant sees it', () => {
  let t: TestApp;
  let a: AgencyTokens;
  let number = '';
  beforeAll(async () => {
    t = await createTestApp();
    a = await agencyTokens(t);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Posts one event, expects 200, and returns what the applicant's status page then says. */
  async function step(client: keyof Omit<AgencyTokens, 'ids'>, body: Record<string, unknown>, label: string): Promise<string> {
    const res = await a[client].event(number, body);
    expect(res.statusCode, res.body).toBe(200);
    const out = json(res);
    expect(out.application.statusLabel).toBe(label);
    expect(res.headers.etag).toBe(`"${out.application.version}"`);
    if (out.application.receiptNumber) number = out.application.receiptNumber;
    const { text } = await applicantPage(t.app, number);
    expect(text).toContain(current(label));
    return text;
  }

  it('到達: an office registers the application (一括申請 intake) and gets a 到達番号', async () => {
    const res = await a.tokyo.post('/api/v1/applications', continuousFiling());
    expect(res.statusCode, res.body).toBe(201);
    const out = json(res);
    number = out.application.arrivalNumber;
    // 到達番号: the Japan date of arrival (YYMMDD), 20 for an arrival, nine random digits.
    expect(number).toMatch(/^26112620\d{9}$/);
    expect(res.headers.location).toBe(`/api/v1/applications/${number}`);
    expect(out.application).toMatchObject({ status: 'awaitingAcceptance', statusLabel: '受付審査中', receiptNumber: null, version: 1, officeName: '東京主管事務所' });
    expect(out.history).toHaveLength(1);
    expect(out.history[0]).toMatchObject({ event: 'arrive', eventLabel: '申請の到達', toStatus: 'awaitingAcceptance', actor: { kind: 'inspectionOffice', id: a.ids.tokyo, label: '東京主管事務所 審査システム' } });
    const { text } = await applicantPage(t.app, number);
    expect(text).toContain(current('受付審査中'));
    expect(text).toContain(`受付番号 未払出（到達番号：${number.slice(0, 4)} ${number.slice(4, 8)} ${number.slice(8, 12)} ${number.slice(12)}）`);
    expect(text).toContain('自動車損害賠償責任保険（共済）証明書 未取得 保安基準適合証 未取得');
  });

  it('受付: a 受付番号 is issued and the applicant logs in with it', async () => {
    const arrival = number;
    const text = await step('tokyo', { type: 'accept', expectedVersion: 1 }, '申請受付済（添付書類取得待ち）');
    expect(number).not.toBe(arrival);
    expect(text).toContain(`受付番号 ${number.slice(0, 4)} ${number.slice(4, 8)} ${number.slice(8, 12)} ${number.slice(12)}`);
    expect(text).toContain('現在、表示できる納付情報はありません。');
  });

  it('納付情報の発行: 検査手数料等納付待ち with ¥ 1,100, ¥ 400 and 自動車重量税 ¥ 6,600 未納', async () => {
    const text = await step('tokyo', { type: 'issueFees', dueOn: '2026-12-10' }, '検査手数料等納付待ち');
    expect(text).toMatch(/検査手数料 一般料金 ¥ 1,100 軽自動車検査協会 \S+ 未納 2026年12月10日 納付 技術情報管理手数料/);
    expect(text).toContain('技術情報管理手数料 一般料金 ¥ 400 自動車技術総合機構');
    expect(text).toContain('自動車重量税 一般料金 ¥ 6,600');
    expect(text).toContain('納付');
  });

  it('添付書類の取得: 自賠責証明書 取得済, the status stays', async () => {
    const text = await step('attachments', { type: 'acquireAttachment', kind: 'insuranceCertificate' }, '検査手数料等納付待ち');
    expect(text).toContain('自動車損害賠償責任保険（共済）証明書 取得済 保安基準適合証 未取得');
  });

  it('納付 (Pay-easy): 検査手数料等 paid, then 自動車重量税 paid', async () => {
    let text = await step('payment', { type: 'recordPayment', stage: 'inspectionFees', paidOn: '2026-11-26' }, '自動車重量税納付待ち');
    expect(text).toMatch(/検査手数料 一般料金 ¥ 1,100 .* 済 2026年11月26日 2026年12月10日/);
    text = await step('payment', { type: 'recordPayment', stage: 'weightTax', paidOn: '2026-11-26' }, '検査申請審査中');
    expect(text).toContain('済 1. 手続準備');
  });

  it('保安基準適合証 取得済, then 審査完了 (返付準備中) with 審査完了年月日', async () => {
    await step('attachments', { type: 'acquireAttachment', kind: 'safetyStandardCertificate' }, '検査申請審査中');
    const text = await step('tokyo', { type: 'completeExamination', completedOn: '2026-11-26' }, '返付準備中');
    expect(text).toContain('審査完了年月日 2026年 11月 26日');
    expect(text).toContain('済 2. 軽自動車検査協会事務所等への手続');
  });

  it('返付準備完了: the 2D-code button becomes usable', async () => {
    await step('tokyo', { type: 'markReady' }, '返付準備完了');
    const page = await applicantPage(t.app, number);
    expect(page.html).toContain('<button type="submit" class="button button--primary">受取者認証兼受取車両個別申告用二次元コードの発行</button>');
    expect(page.text).toContain('! 3. 返付');
  });

  it('窓口での受け取り: 返付済, finished, and the history tells who did each step', async () => {
    const text = await step('tokyo', { type: 'handOver' }, '返付済');
    expect(text).toContain('交付物は受け取り済みです。');
    expect(text).toContain('全3ステップ中、3ステップ目まで完了。');
    const res = await a.tokyo.get(`/api/v1/applications/${number}`);
    const out = json(res);
    expect(out.application.availableEvents).toEqual([]);
    expect(out.history.map((h: { event: string }) => h.event)).toEqual([
      'arrive',
      'accept',
      'issueFees',
      'acquireAttachment',
      'recordPayment',
      'recordPayment',
      'acquireAttachment',
      'completeExamination',
      'markReady',
      'handOver',
    ]);
    expect(out.history.map((h: { actor: { label: string } }) => h.actor.label)).toEqual([
      '東京主管事務所 審査システム',
      '東京主管事務所 審査システム',
      '東京主管事務所 審査システム',
      '添付書類取得元システム',
      'Pay-easy 収納機関',
      'Pay-easy 収納機関',
      '添付書類取得元システム',
      '東京主管事務所 審査システム',
      '東京主管事務所 審査システム',
      '東京主管事務所 審査システム',
    ]);
    expect(out.history.map((h: { seq: number }) => h.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // A finished application never moves again.
    const again = await a.tokyo.event(number, { type: 'handOver' });
    expect(again.statusCode).toBe(409);
    expect(json(again).error).toEqual({ code: 'statusDoesNotAllow', message: 'この申請は「返付済」のため、これ以上操作できません。' });
  });
});

describe('the whole life of a 新車〔新規検査・地方税申告〕 over the API, as the applicant sees it', () => {
  let t: TestApp;
  let a: AgencyTokens;
  let number = '';
  beforeAll(async () => {
    t = await createTestApp();
    a = await agencyTokens(t);
  });
  afterAll(async () => {
    await t.close();
  });

  async function step(client: keyof Omit<AgencyTokens, 'ids'>, body: Record<string, unknown>, label: string): Promise<string> {
    const res = await a[client].event(number, body);
    expect(res.statusCode, res.body).toBe(200);
    const out = json(res);
    expect(out.application.statusLabel).toBe(label);
    if (out.application.receiptNumber) number = out.application.receiptNumber;
    const { text } = await applicantPage(t.app, number);
    expect(text).toContain(current(label));
    return text;
  }

  it('goes from 到達 to 交付済 with the tax office and Pay-easy, the applicant seeing each status', async () => {
    const res = await a.tokyo.post('/api/v1/applications', newCarFiling());
    expect(res.statusCode, res.body).toBe(201);
    number = json(res).application.arrivalNumber;
    let text = (await applicantPage(t.app, number)).text;
    expect(text).toContain(current('受付審査中'));
    expect(text).toContain('状況照会 申請状況確認 新車');
    expect(text).toContain('完成検査終了証兼譲渡証明書 未取得 自動車損害賠償責任保険（共済）証明書 未取得 希望番号予約済証 未取得');
    expect(text).toContain('一部書類審査 実施不要（ALL電子）');

    await step('tokyo', { type: 'accept' }, '申請受付済（添付書類取得待ち）');
    text = await step('tokyo', { type: 'issueFees', dueOn: '2026-12-10' }, '検査手数料等納付待ち');
    expect(text).toContain('自動車重量税 一般料金 ¥ 9,900');
    await step('payment', { type: 'recordPayment', stage: 'inspectionFees', paidOn: '2026-11-26' }, '自動車重量税納付待ち');
    await step('payment', { type: 'recordPayment', stage: 'weightTax', paidOn: '2026-11-26' }, '検査申請審査中');
    await step('attachments', { type: 'acquireAttachment', kind: 'completionCertificate' }, '検査申請審査中');
    await step('attachments', { type: 'acquireAttachment', kind: 'insuranceCertificate' }, '検査申請審査中');
    text = await step('attachments', { type: 'acquireAttachment', kind: 'preferredNumberCertificate' }, '検査申請審査中');
    expect(text).toContain('完成検査終了証兼譲渡証明書 取得済 自動車損害賠償責任保険（共済）証明書 取得済 希望番号予約済証 取得済');

    text = await step('tokyo', { type: 'completeExamination', completedOn: '2026-11-26', vehicleNumber: '品川 580 な 2345' }, '軽自動車税申告審査中');
    expect(text).toContain('審査完了年月日 2026年 11月 26日 車両番号 品川 - 580 - な - 2345');
    expect(text).toContain('済 2. 軽自動車検査協会事務所等への手続');

    text = await step('tokyoTax', { type: 'assessVehicleTax', dueOn: '2026-12-10' }, '軽自動車税納付待ち');
    expect(text).toContain('軽自動車税環境性能割 一般料金 ¥ 16,500 東京都');
    expect(text).toContain('! 3. 軽自動車税申告窓口への手続');

    await step('payment', { type: 'recordPayment', stage: 'vehicleTax', paidOn: '2026-11-26' }, '交付準備中');
    text = await step('tokyo', { type: 'markReady' }, '交付準備完了');
    expect(text).toContain('! 4. 交付');
    text = await step('tokyo', { type: 'handOver' }, '交付済');
    expect(text).toContain('全4ステップ中、4ステップ目まで完了。');

    const history = json(await a.tokyoTax.get(`/api/v1/applications/${number}`)).history as { event: string; actor: { kind: string } }[];
    expect(history).toHaveLength(13);
    expect(history.filter((h) => h.actor.kind === 'taxOffice').map((h) => h.event)).toEqual(['assessVehicleTax']);
  });
});

describe('each branch over the API, as the applicant sees it', () => {
  let t: TestApp;
  let a: AgencyTokens;
  beforeAll(async () => {
    t = await createTestApp();
    a = await agencyTokens(t);
  });
  afterAll(async () => {
    await t.close();
  });

  async function register(filing: Record<string, unknown>): Promise<string> {
    const res = await a.tokyo.post('/api/v1/applications', filing);
    expect(res.statusCode, res.body).toBe(201);
    return json(res).application.arrivalNumber as string;
  }

  /** 到達 → 受付 → fees paid → attachments → 検査申請審査中; returns the 受付番号. */
  async function underExamination(filing: Record<string, unknown> = continuousFiling()): Promise<string> {
    const arrival = await register(filing);
    const accepted = json(await a.tokyo.event(arrival, { type: 'accept' }));
    const number = accepted.application.receiptNumber as string;
    for (const body of [{ type: 'issueFees', dueOn: '2026-12-10' }]) expect((await a.tokyo.event(number, body)).statusCode).toBe(200);
    for (const stage of ['inspectionFees', 'weightTax']) expect((await a.payment.event(number, { type: 'recordPayment', stage, paidOn: '2026-11-26' })).statusCode).toBe(200);
    const kinds = filing.procedure === 'newVehicle' ? ['completionCertificate', 'insuranceCertificate', 'preferredNumberCertificate'] : ['insuranceCertificate', 'safetyStandardCertificate'];
    for (const kind of kinds) expect((await a.attachments.event(number, { type: 'acquireAttachment', kind })).statusCode).toBe(200);
    expect((await applicantPage(t.app, number)).text).toContain(current('検査申請審査中'));
    return number;
  }

  it('未受付: the office refuses at the acceptance check; the applicant reads the reason and may apply again', async () => {
    const number = await register(continuousFiling({ chassisNumber: 'JF5-0000301' }));
    const res = await a.tokyo.event(number, { type: 'refuseAcceptance', reasonTitle: '署名用電子証明書の不備', reasonDetail: '署名用電子証明書の有効期間が切れています。' });
    expect(res.statusCode).toBe(200);
    const { text, html } = await applicantPage(t.app, number);
    expect(text).toContain(current('未受付'));
    expect(text).toContain('通知等情報 未受付 行政機関等名 軽自動車検査協会事務所等 期限日 理由 署名用電子証明書の不備 署名用電子証明書の有効期間が切れています。');
    expect(html).toContain('id="notices"');
    const after = await a.tokyo.event(number, { type: 'accept' });
    expect(after.statusCode).toBe(409);
    expect(json(after).error.message).toBe('この申請は「未受付」のため、これ以上操作できません。');
  });

  it('補正 and 補正申請 (検査申請): 検査申請補正待ち with the reason and 期限日, then back to 検査申請審査中 and on to 返付準備中', async () => {
    const number = await underExamination(continuousFiling({ chassisNumber: 'JF5-0000302' }));
    const res = await a.tokyo.event(number, { type: 'requestCorrection', reasonTitle: '使用者の住所の誤り', reasonDetail: '使用者の住所を自動車検査証の記録どおりに補正してください。', deadline: '2026-12-03' });
    expect(res.statusCode).toBe(200);
    let page = await applicantPage(t.app, number);
    expect(page.text).toContain(current('検査申請補正待ち'));
    expect(page.text).toContain('通知等情報 補正 行政機関等名 軽自動車検査協会事務所等 期限日 2026年 12月 03日 理由 使用者の住所の誤り 使用者の住所を自動車検査証の記録どおりに補正してください。');
    expect(page.text).toContain('下の「申請を補正する」ボタンを押して、補正申請を行ってください。');
    expect(page.html).toContain('id="correction-heading"');

    await applicantActs(t, number, { type: 'submitCorrection', changes: [{ field: 'userAddress', before: '東京都品川区東品川3-3-3', after: '東京都品川区東品川3-3-4' }] });
    page = await applicantPage(t.app, number);
    expect(page.text).toContain(current('検査申請審査中'));
    expect(page.text).toContain('通知等情報 補正（補正済）');
    expect(page.html).not.toContain('id="correction-heading"');

    expect((await a.tokyo.event(number, { type: 'completeExamination', completedOn: '2026-11-26' })).statusCode).toBe(200);
    expect((await applicantPage(t.app, number)).text).toContain(current('返付準備中'));
    const history = json(await a.tokyo.get(`/api/v1/applications/${number}`)).history as { event: string; actor: { kind: string }; details: Record<string, unknown> }[];
    const correction = history.find((h) => h.event === 'submitCorrection')!;
    expect(correction.actor.kind).toBe('applicant');
    expect(correction.details).toEqual({ changes: [{ field: 'userAddress', before: '東京都品川区東品川3-3-3', after: '東京都品川区東品川3-3-4' }] });
  });

  it('補正 of the 軽自動車税申告 (新車): the tax office asks, the applicant corrects, the tax office assesses', async () => {
    const number = await underExamination(newCarFiling({ chassisNumber: 'LA650S-2000303' }));
    expect((await a.tokyo.event(number, { type: 'completeExamination', completedOn: '2026-11-26', vehicleNumber: '品川 580 な 3030' })).statusCode).toBe(200);
    const res = await a.tokyoTax.event(number, { type: 'requestTaxCorrection', reasonTitle: '軽自動車税申告内容の不備', reasonDetail: '取得価額を確認してください。', deadline: '2026-12-04' });
    expect(res.statusCode).toBe(200);
    let page = await applicantPage(t.app, number);
    expect(page.text).toContain(current('軽自動車税申告補正待ち'));
    expect(page.text).toContain('行政機関等名 都道府県税事務所 期限日 2026年 12月 04日 理由 軽自動車税申告内容の不備');
    expect(page.html).not.toContain('申請を取り下げる');
    await applicantActs(t, number, { type: 'submitCorrection', changes: [] });
    expect((await applicantPage(t.app, number)).text).toContain(current('軽自動車税申告審査中'));
    expect((await a.tokyoTax.event(number, { type: 'assessVehicleTax', dueOn: '2026-12-10', amount: 0 })).statusCode).toBe(200);
    page = await applicantPage(t.app, number);
    expect(page.text).toContain(current('交付準備中'));
  });

  it('却下: the office rejects during a correction; the applicant reads 検査申請却下 and its reason', async () => {
    const number = await underExamination(continuousFiling({ chassisNumber: 'JF5-0000304' }));
    expect((await a.tokyo.event(number, { type: 'requestCorrection', reasonTitle: '申請書・添付書類の不備エラー', deadline: '2026-12-03' })).statusCode).toBe(200);
    const res = await a.tokyo.event(number, { type: 'reject', reasonTitle: '保安基準不適合', reasonDetail: '保安基準に適合しないため却下します。' });
    expect(res.statusCode).toBe(200);
    const { text, html } = await applicantPage(t.app, number);
    expect(text).toContain(current('検査申請却下'));
    expect(text).toContain('通知等情報 却下 行政機関等名 軽自動車検査協会事務所等 期限日 理由 保安基準不適合 保安基準に適合しないため却下します。');
    // Closed by the rejection, not answered: no 補正済 (issue 13).
    expect(text).toContain('通知等情報 補正 行政機関等名 軽自動車検査協会事務所等');
    expect(text).not.toContain('補正済');
    expect(html).not.toContain('id="correction-heading"');
  });

  it('取り下げ: the applicant withdraws during a correction; the office can no longer act', async () => {
    const number = await underExamination(continuousFiling({ chassisNumber: 'JF5-0000305' }));
    expect((await a.tokyo.event(number, { type: 'requestCorrection', reasonTitle: '申請書・添付書類の不備エラー', deadline: '2026-12-03' })).statusCode).toBe(200);
    await applicantActs(t, number, { type: 'withdraw' });
    const { text } = await applicantPage(t.app, number);
    expect(text).toContain(current('検査申請取り下げ'));
    expect(text).toContain('通知等情報 取り下げ 行政機関等名 申請者');
    const res = await a.tokyo.event(number, { type: 'completeExamination', completedOn: '2026-11-26' });
    expect(res.statusCode).toBe(409);
    expect(json(res).error.message).toBe('この申請は「検査申請取り下げ」のため、これ以上操作できません。');
  });

  it('無効 by the office before the examination: 検査申請無効 with the reason', async () => {
    const number = json(await a.tokyo.event(await register(continuousFiling({ chassisNumber: 'JF5-0000306' })), { type: 'accept' })).application.receiptNumber as string;
    expect((await a.tokyo.event(number, { type: 'invalidate', reasonTitle: '二重申請', reasonDetail: '同じ車両の申請が既にあります。' })).statusCode).toBe(200);
    const { text } = await applicantPage(t.app, number);
    expect(text).toContain(current('検査申請無効'));
    expect(text).toContain('理由 二重申請 同じ車両の申請が既にあります。');
  });
});

describe('both deadline expiries, applied by the sweeper as the test clock passes the deadline', () => {
  let t: TestApp;
  let a: AgencyTokens;
  beforeAll(async () => {
    t = await createTestApp();
    a = await agencyTokens(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('補正期限 passed: 期限切れ却下 (検査申請却下); 納付期限 passed: 検査申請無効; only after the deadline day ends', async () => {
    // A correction due 2026-11-30 and fees due 2026-11-27.
    const correction = json(await a.tokyo.event(json(await a.tokyo.post('/api/v1/applications', continuousFiling({ chassisNumber: 'JF5-0000401' }))).application.arrivalNumber, { type: 'accept' })).application.receiptNumber as string;
    expect((await a.tokyo.event(correction, { type: 'issueFees', dueOn: '2026-12-10' })).statusCode).toBe(200);
    for (const stage of ['inspectionFees', 'weightTax']) await a.payment.event(correction, { type: 'recordPayment', stage, paidOn: '2026-11-26' });
    expect((await a.tokyo.event(correction, { type: 'requestCorrection', reasonTitle: '申請書・添付書類の不備エラー', deadline: '2026-11-30' })).statusCode).toBe(200);
    const payment = json(await a.tokyo.event(json(await a.tokyo.post('/api/v1/applications', continuousFiling({ chassisNumber: 'JF5-0000402' }))).application.arrivalNumber, { type: 'accept' })).application.receiptNumber as string;
    expect((await a.tokyo.event(payment, { type: 'issueFees', dueOn: '2026-11-27' })).statusCode).toBe(200);

    // 2026-11-27 23:59:59 JST: the fees' deadline day has not ended yet.
    t.clock.set('2026-11-27T14:59:59Z');
    expect(await t.services.sweepDeadlines()).toEqual({ examined: 0, expiredCorrections: 0, expiredPayments: 0, skipped: 0 });
    expect((await applicantPage(t.app, payment)).text).toContain(current('検査手数料等納付待ち'));

    // 2026-11-28 00:00 JST: the 納付期限 has passed.
    t.clock.set('2026-11-27T15:00:00Z');
    expect(await t.services.sweepDeadlines()).toEqual({ examined: 1, expiredCorrections: 0, expiredPayments: 1, skipped: 0 });
    let page = await applicantPage(t.app, payment);
    expect(page.text).toContain(current('検査申請無効'));
    expect(page.text).toContain('通知等情報 無効 行政機関等名 軽自動車検査協会事務所等 期限日 理由 納付期限切れ 納付期限（2026年 11月 27日）までに税・手数料が納付されなかったため、申請は無効になりました。');
    expect((await applicantPage(t.app, correction)).text).toContain(current('検査申請補正待ち'));

    // 2026-12-01 00:00 JST: the 補正期限 (2026-11-30) has passed.
    t.clock.set('2026-11-30T15:00:00Z');
    expect(await t.services.sweepDeadlines()).toEqual({ examined: 1, expiredCorrections: 1, expiredPayments: 0, skipped: 0 });
    page = await applicantPage(t.app, correction);
    expect(page.text).toContain(current('検査申請却下'));
    expect(page.text).toContain('理由 期限切れ却下 補正期限（2026年 11月 30日）までに補正申請が行われなかったため、申請は却下されました。');

    const history = json(await a.tokyo.get(`/api/v1/applications/${correction}`)).history as { event: string; actor: { kind: string; label: string }; reason: string }[];
    expect(history.at(-1)).toMatchObject({ event: 'expireCorrection', actor: { kind: 'clock', label: 'システム（期限管理）' }, reason: '期限切れ却下' });
    // A second sweep finds nothing left to do.
    expect(await t.services.sweepDeadlines()).toEqual({ examined: 0, expiredCorrections: 0, expiredPayments: 0, skipped: 0 });
  });
});
