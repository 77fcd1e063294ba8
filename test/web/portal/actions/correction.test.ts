import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFLICT_MESSAGE } from '../../../../src/services/application-events.js';
import { NO_CHANGE_MESSAGE } from '../../../../src/web/portal/actions/correction.js';
import { createTestApp, type TestApp } from '../../../support/app.js';
import { textOf, titleOf } from '../../../support/browser.js';
import { allKeys, japanTime, loginAs, snapshot, versionOf, type Logged } from './support.js';

/** Every field of the form as the page prefilled it (hidden and text inputs named after the fields). */
function formValues(html: string, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const m = new RegExp(`name="${name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="${name}"`).exec(html);
    out[name] = (m?.[1] ?? m?.[2] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return out;
}

const CI_FIELDS = ['applicantName', 'applicantAddress', 'userName', 'userAddress', 'chassisNumber'];
const NV_FIELDS = ['applicantName', 'applicantAddress', 'userName', 'userNameHigh', 'userAddress', 'ownerName', 'ownerNameHigh', 'ownerAddress', 'chassisNumber'];

/** 検査申請補正待ち (both procedures) and 軽自動車税申告補正待ち (新車), before the deadline. */
const allowed = {
  'ci-manual-example': { fields: CI_FIELDS, reason: '申請書・添付書類の不備エラー 申請書、添付書類のいずれかまたは両方に不備があります。', back: 'inspectionUnderExamination', backLabel: '検査申請審査中' },
  'ci-correction-far': { fields: CI_FIELDS, reason: '使用者の住所の誤り 使用者の住所が自動車検査証の記録と一致しません。正しい住所に補正してください。', back: 'inspectionUnderExamination', backLabel: '検査申請審査中' },
  'nv-manual-example': { fields: NV_FIELDS, reason: '申請書・添付書類の不備エラー', back: 'inspectionUnderExamination', backLabel: '検査申請審査中' },
  'nv-tax-correction': { fields: NV_FIELDS, reason: '軽自動車税申告内容の不備 取得価額の記載に誤りがあります。', back: 'taxDeclarationUnderExamination', backLabel: '軽自動車税申告審査中' },
} as const;

async function openForm(l: Logged, fields: readonly string[]) {
  const form = await l.b.get('/inquiry/correction');
  expect(form.statusCode).toBe(200);
  return { form, values: formValues(form.body, fields), version: versionOf(form.body) };
}

describe('申請を補正する (【申請共通】補正申請の操作手順)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  for (const [key, e] of Object.entries(allowed)) {
    it(`${key}: shows the notice's reason and the correctable fields, confirms before → after, and returns the application to ${e.backLabel}`, async () => {
      const l = await loginAs(t, key);
      expect(l.status).toContain('action="/inquiry/correction"');
      const { form, values, version } = await openForm(l, e.fields);
      expect(titleOf(form.body)).toBe('補正申請｜軽自動車OSS');
      const text = textOf(form.body);
      expect(text).toContain('補正の内容（通知等情報） 補正の通知 通知等情報 補正');
      expect(text).toContain(e.reason);
      for (const f of e.fields) expect(form.body).toContain(`id="${f}" name="${f}"`);
      expect(form.body).toContain('<legend>申請者</legend>');
      const before = await snapshot(t, l.id);
      expect(values.userAddress).toBe(before.application.user.address);

      const newAddress = `${before.application.user.address}-2`;
      const check = await l.b.post('/inquiry/correction', { ...values, version, step: 'check', userAddress: newAddress });
      expect(check.statusCode).toBe(200);
      expect(titleOf(check.body)).toBe('補正申請 入力内容の確認｜軽自動車OSS');
      expect(textOf(check.body)).toContain(`補正する項目（1件） 項目 補正前 補正後 使用者住所 ${before.application.user.address} ${newAddress}`);
      expect(await snapshot(t, l.id)).toEqual(before);

      const done = await l.b.post('/inquiry/correction', { ...formValues(check.body, e.fields), version: versionOf(check.body), step: 'submit' });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/inquiry/status');
      const page = await l.b.follow(done);
      const after = textOf(page.body);
      expect(after).toContain('補正申請を行いました。');
      expect(after).toContain(`現在の申請状況 ${e.backLabel}`);
      expect(after).toContain('（補正済）');
      expect(after).toContain(`補正申請 使用者住所：${before.application.user.address} → ${newAddress}`);
      expect(page.body).not.toContain('action="/inquiry/correction"');

      const stored = await snapshot(t, l.id);
      expect(stored.application.status).toBe(e.back);
      expect(stored.application.user.address).toBe(newAddress);
      expect(stored.application.correctionDeadline).toBeNull();
      expect(stored.history.at(-1)).toMatchObject({
        event: 'submitCorrection',
        fromStatus: before.application.status,
        toStatus: e.back,
        actorKind: 'applicant',
        details: { changes: [{ field: 'userAddress', before: before.application.user.address, after: newAddress }] },
      });

      // The confirmed form again: refused, the history keeps one correction.
      const replay = await l.b.post('/inquiry/correction', { ...formValues(check.body, e.fields), version: versionOf(check.body), step: 'submit', _csrf: l.csrf });
      expect(replay.statusCode).toBe(409);
      expect(textOf(replay.body)).toContain(`現在の申請状況「${e.backLabel}」では「補正申請」はできません。`);
      expect(await snapshot(t, l.id)).toEqual(stored);
    });
  }

  for (const key of allKeys.filter((k) => !(k in allowed))) {
    it(`${key}: refused with a message and 4xx; nothing changes`, async () => {
      const { b, id, csrf, status } = await loginAs(t, key);
      expect(status).not.toContain('action="/inquiry/correction"');
      const before = await snapshot(t, id);
      const page = await b.get('/inquiry/correction');
      expect(page.statusCode).toBe(409);
      expect(titleOf(page.body)).toBe('補正申請を行うことができません｜軽自動車OSS');
      const posted = await b.post('/inquiry/correction', { version: String(before.application.version), step: 'submit', applicantName: '別の名前', _csrf: csrf });
      expect(posted.statusCode).toBe(409);
      expect(textOf(posted.body)).toMatch(/できません。|これ以上操作できません。/);
      expect(await snapshot(t, id)).toEqual(before);
    });
  }
});

describe('補正申請: validation, no change, stale forms, the deadline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('validates each field with the error summary (empty, too long, a bad 車台番号), and changes nothing', async () => {
    const l = await loginAs(t, 'ci-correction-far');
    const { values, version } = await openForm(l, CI_FIELDS);
    const before = await snapshot(t, l.id);
    const res = await l.b.post('/inquiry/correction', { ...values, version, step: 'check', applicantName: '', userName: 'あ'.repeat(61), chassisNumber: 'AX01 0000001!' });
    expect(res.statusCode).toBe(400);
    expect(titleOf(res.body)).toBe('エラー：補正申請｜軽自動車OSS');
    const text = textOf(res.body);
    expect(text).toContain('入力内容にエラーがあります 申請者名を入力してください。 使用者名は60文字以内で入力してください。 車台番号は半角英数字とハイフンで、30文字以内で入力してください（例：AX01-0000001）。');
    expect(res.body).toContain('<a href="#applicantName">申請者名を入力してください。</a>');
    expect(res.body).toContain('aria-invalid="true"');
    // What was typed stays in the form.
    expect(res.body).toContain(`value="${'あ'.repeat(61)}"`);
    expect(await snapshot(t, l.id)).toEqual(before);
  });

  it('an oversized field is refused at the door (400), a submit that skips the check is validated too', async () => {
    const l = await loginAs(t, 'ci-correction-far');
    const { values, version } = await openForm(l, CI_FIELDS);
    const before = await snapshot(t, l.id);
    const huge = await l.b.post('/inquiry/correction', { ...values, version, step: 'check', userAddress: 'x'.repeat(5000), _csrf: l.csrf });
    expect(huge.statusCode).toBe(400);
    expect(textOf(huge.body)).toContain('入力内容の形式が正しくないか、長すぎます。');
    const direct = await l.b.post('/inquiry/correction', { ...values, version, step: 'submit', userName: '', _csrf: l.csrf });
    expect(direct.statusCode).toBe(400);
    expect(textOf(direct.body)).toContain('使用者名を入力してください。');
    expect(await snapshot(t, l.id)).toEqual(before);
  });

  it('no change at all is an error: 変更がありません', async () => {
    const l = await loginAs(t, 'nv-manual-example');
    const { values, version } = await openForm(l, NV_FIELDS);
    const before = await snapshot(t, l.id);
    // Full-width letters that normalise to the same value are no change either.
    const res = await l.b.post('/inquiry/correction', { ...values, version, step: 'check', chassisNumber: '１２３４５６７８９０' });
    expect(res.statusCode).toBe(400);
    expect(textOf(res.body)).toContain(`入力内容にエラーがあります ${NO_CHANGE_MESSAGE}`);
    expect(await snapshot(t, l.id)).toEqual(before);
  });

  it('入力内容を修正する returns to the form with the values typed', async () => {
    const l = await loginAs(t, 'nv-manual-example');
    const { values, version } = await openForm(l, NV_FIELDS);
    const res = await l.b.post('/inquiry/correction', { ...values, version, step: 'edit', ownerName: '六本木リース株式会社' });
    expect(res.statusCode).toBe(200);
    expect(titleOf(res.body)).toBe('補正申請｜軽自動車OSS');
    expect(res.body).toContain('value="六本木リース株式会社"');
  });

  it('新車: naming an owner where there was 同上 records the owner, normalised (full-width, spaces)', async () => {
    const l = await loginAs(t, 'nv-manual-example');
    const { values, version } = await openForm(l, NV_FIELDS);
    expect(values.ownerName).toBe('');
    const check = await l.b.post('/inquiry/correction', { ...values, version, step: 'check', ownerName: '六本木リース　株式会社', ownerAddress: '東京都港区六本木７－１－１', chassisNumber: 'ｌａ６５０ｓ－０００１' });
    expect(check.statusCode).toBe(200);
    expect(textOf(check.body)).toContain('所有者名 （空欄） 六本木リース 株式会社');
    expect(textOf(check.body)).toContain('車台番号 1234567890 LA650S-0001');
    const done = await l.b.post('/inquiry/correction', { ...formValues(check.body, NV_FIELDS), version: versionOf(check.body), step: 'submit' });
    expect(done.statusCode).toBe(303);
    const stored = await snapshot(t, l.id);
    expect(stored.application.owner).toMatchObject({ name: '六本木リース 株式会社', address: '東京都港区六本木7-1-1' });
    expect(stored.application.vehicle.chassisNumber).toBe('LA650S-0001');
    expect((stored.history.at(-1)?.details as { changes: unknown[] }).changes).toEqual([
      { field: 'ownerName', before: null, after: '六本木リース 株式会社' },
      { field: 'ownerAddress', before: null, after: '東京都港区六本木7-1-1' },
      { field: 'chassisNumber', before: '1234567890', after: 'LA650S-0001' },
    ]);
  });

  it('refuses a confirmation rendered from another version (409), and an office decision in between stands', async () => {
    const l = await loginAs(t, 'nv-tax-correction');
    const { values, version } = await openForm(l, NV_FIELDS);
    const check = await l.b.post('/inquiry/correction', { ...values, version, step: 'check', userName: '品川 九郎（補正）' });
    expect(check.statusCode).toBe(200);
    const stale = await l.b.post('/inquiry/correction', { ...formValues(check.body, NV_FIELDS), version: String(Number(version) - 1), step: 'submit' });
    expect(stale.statusCode).toBe(409);
    expect(textOf(stale.body)).toContain(CONFLICT_MESSAGE);
    const after = await snapshot(t, l.id);
    expect(after.application.user.name).toBe('品川 九郎');
    expect(after.history.at(-1)?.event).toBe('requestTaxCorrection');
  });

  it('without a CSRF token: 403, nothing changes', async () => {
    const l = await loginAs(t, 'ci-manual-example');
    const { values, version } = await openForm(l, CI_FIELDS);
    const before = await snapshot(t, l.id);
    const res = await l.b.post('/inquiry/correction', { ...values, version, step: 'submit', userName: '別人' }, { csrf: null });
    expect(res.statusCode).toBe(403);
    expect(await snapshot(t, l.id)).toEqual(before);
  });

  it('a correction is accepted on the last second of 補正期限 (Japan time)', async () => {
    // nv-tax-correction's 補正期限 is 2026-11-29 (its sibling test above left it untouched).
    t.clock.set(japanTime('2026-11-29', '23:45:00'));
    const l = await loginAs(t, 'nv-tax-correction');
    const { values, version } = await openForm(l, NV_FIELDS);
    t.clock.set(japanTime('2026-11-29', '23:59:59'));
    const done = await l.b.post('/inquiry/correction', { ...values, version, step: 'submit', userAddress: '東京都品川区広町2-11-12' });
    expect(done.statusCode).toBe(303);
    expect((await snapshot(t, l.id)).application.status).toBe('taxDeclarationUnderExamination');
  });
});

describe('補正申請 after its deadline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('a form shown before the end of 補正期限 and posted after it is refused; the button is disabled', async () => {
    // ci-manual-example: 補正期限 2026-11-28.
    t.clock.set(japanTime('2026-11-28', '23:50:00'));
    const l = await loginAs(t, 'ci-manual-example');
    const { values, version } = await openForm(l, CI_FIELDS);
    t.clock.set(japanTime('2026-11-29', '00:00:00'));
    const before = await snapshot(t, l.id);
    for (const step of ['check', 'submit']) {
      const res = await l.b.post('/inquiry/correction', { ...values, version, step, userAddress: '東京都品川区南大井3-2-2', _csrf: l.csrf });
      expect(res.statusCode).toBe(409);
      expect(textOf(res.body)).toContain('補正期限を過ぎているため、補正申請はできません。');
    }
    expect(await snapshot(t, l.id)).toEqual(before);
    const status = await l.b.get('/inquiry/status');
    expect(textOf(status.body)).toContain('補正期限を過ぎているため、補正申請を行うことはできません。');
    expect(status.body).not.toContain('action="/inquiry/correction"');
  });
});
