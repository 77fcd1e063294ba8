import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFLICT_MESSAGE } from '../../../../src/services/application-events.js';
import { statuses } from '../../../../src/domain/statuses.js';
import { createTestApp, type TestApp } from '../../../support/app.js';
import { textOf, titleOf } from '../../../support/browser.js';
import { allKeys, browserFor, japanTime, loginAs, snapshot, versionOf } from './support.js';

const WARNING = '申請を取り下げると、当該受付番号の申請は継続することができなくなります。';

/** The manual: 検査手数料等まとめ払い中 before a payment number is taken (7), and 検査申請補正待ち (11). */
const allowed: Record<string, { procedure: string; number: string }> = {
  'ci-manual-example': { procedure: '継続検査', number: '9999 9999 9999 99999' },
  'ci-bulk-before-number': { procedure: '継続検査', number: '1100 0000 0000 00006' },
  'ci-correction-far': { procedure: '継続検査', number: '1100 0000 0000 00011' },
  'nv-manual-example': { procedure: '新車〔新規検査・地方税申告〕', number: '2112 2310 5000 30459' },
  'nv-bulk': { procedure: '新車〔新規検査・地方税申告〕', number: '2200 0000 0000 00006' },
};

/** Statuses where the manual offers no withdrawal, with the exact refusal where it says more than the status. */
const specialRefusals: Record<string, string> = {
  'ci-bulk-number-taken': '納付番号を取得した後は、申請を取り下げることはできません。',
  'nv-tax-correction': '現在の申請状況「軽自動車税申告補正待ち」では「申請の取り下げ」はできません。',
  'ci-withdrawn': 'この申請は「検査申請取り下げ」のため、これ以上操作できません。',
  'ci-fees-due': '現在の申請状況「検査手数料等納付待ち」では「申請の取り下げ」はできません。',
};

describe('申請を取り下げる (【申請共通】申請取り下げの操作手順)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  for (const [key, e] of Object.entries(allowed)) {
    it(`${key}: the confirmation shows what will be withdrawn, and 検査申請取り下げ follows with the result in 通知等情報`, async () => {
      const { b, id, status } = await loginAs(t, key);
      expect(status).toContain('action="/inquiry/withdraw"');
      const confirm = await b.get('/inquiry/withdraw');
      expect(confirm.statusCode).toBe(200);
      expect(titleOf(confirm.body)).toBe('申請の取り下げ｜軽自動車OSS');
      const text = textOf(confirm.body);
      expect(text).toContain(`受付番号 ${e.number}`);
      expect(text).toContain(`手続 ${e.procedure}`);
      expect(text).toContain(WARNING);
      expect(confirm.body).toMatch(/<button type="submit" class="button button--danger">申請を取り下げる<\/button>/);
      const before = await snapshot(t, id);

      const done = await b.post('/inquiry/withdraw', { version: versionOf(confirm.body) });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/inquiry/status#notices');
      const page = await b.follow(done);
      const after = textOf(page.body);
      expect(after).toContain('申請を取り下げました。');
      expect(after).toContain(`現在の申請状況 検査申請取り下げ`);
      expect(after).toContain('通知等情報 取り下げ 行政機関等名 申請者 期限日 理由 申請の取り下げ 申請者により申請が取り下げられました。当該受付番号の申請は継続することができません。');
      // The buttons disappear.
      expect(page.body).not.toContain('action="/inquiry/withdraw"');
      expect(page.body).not.toContain('action="/inquiry/correction"');
      expect(page.body).not.toContain('id="withdrawal-heading"');
      expect(page.body).not.toContain('id="correction-heading"');
      // 申請状況の履歴: the newest entry is the withdrawal.
      const history = after.slice(after.indexOf('申請状況の履歴'));
      expect(history).toMatch(/^申請状況の履歴 .*? 日時 内容 申請状況 操作した者 \d{4}年 \d{2}月 \d{2}日 \d{2}時 \d{2}分 \d{2}秒 申請の取り下げ /);
      expect(history).toContain(`申請の取り下げ ${statuses[before.application.status].label} → 検査申請取り下げ 申請者`);

      const stored = await snapshot(t, id);
      expect(stored.application.status).toBe('withdrawn');
      expect(stored.application.version).toBe(before.application.version + 1);
      expect(stored.history).toHaveLength(before.history.length + 1);
      expect(stored.history.at(-1)).toMatchObject({ event: 'withdraw', fromStatus: before.application.status, toStatus: 'withdrawn', actorKind: 'applicant' });
      expect(stored.application.notices.at(-1)).toMatchObject({ kind: 'withdrawal', agencyName: '申請者' });
      expect(stored.application.notices.filter((n) => n.kind === 'correction' && n.resolvedAt === null)).toEqual([]);

      // The same form again (a second click, a replay): refused with a message, nothing changes.
      const replay = await b.post('/inquiry/withdraw', { version: versionOf(confirm.body) });
      expect(replay.statusCode).toBe(409);
      expect(textOf(replay.body)).toContain('この申請は「検査申請取り下げ」のため、これ以上操作できません。');
      expect(await snapshot(t, id)).toEqual(stored);
    });
  }

  for (const key of allKeys.filter((k) => !(k in allowed))) {
    it(`${key}: refused with a message and 4xx, on the page and on a posted form; nothing changes`, async () => {
      const { b, id, csrf, status } = await loginAs(t, key);
      expect(status).not.toContain('action="/inquiry/withdraw"');
      const before = await snapshot(t, id);
      const page = await b.get('/inquiry/withdraw');
      expect(page.statusCode).toBe(409);
      expect(titleOf(page.body)).toBe('申請を取り下げることができません｜軽自動車OSS');
      const expected = specialRefusals[key];
      if (expected) expect(textOf(page.body)).toContain(expected);
      expect(textOf(page.body)).toContain('申請の内容は変更されていません。');
      const posted = await b.post('/inquiry/withdraw', { version: String(before.application.version), _csrf: csrf });
      expect(posted.statusCode).toBe(409);
      if (expected) expect(textOf(posted.body)).toContain(expected);
      expect(await snapshot(t, id)).toEqual(before);
    });
  }
});

describe('申請を取り下げる: deadlines, forged and stale forms, races', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('refuses without a CSRF token or with a forged one (403), and changes nothing', async () => {
    const { b, id } = await loginAs(t, 'ci-correction-far');
    const confirm = await b.get('/inquiry/withdraw');
    const before = await snapshot(t, id);
    const missing = await b.post('/inquiry/withdraw', { version: versionOf(confirm.body) }, { csrf: null });
    expect(missing.statusCode).toBe(403);
    expect(textOf(missing.body)).toContain('画面の有効期限が切れました');
    const forged = await b.post('/inquiry/withdraw', { version: versionOf(confirm.body), _csrf: 'forged-token' });
    expect(forged.statusCode).toBe(403);
    expect(await snapshot(t, id)).toEqual(before);
  });

  it('refuses a form rendered from another version (409) with the conflict message', async () => {
    const { b, id, csrf } = await loginAs(t, 'ci-correction-far');
    await b.get('/inquiry/withdraw');
    const before = await snapshot(t, id);
    const stale = await b.post('/inquiry/withdraw', { version: String(before.application.version - 1), _csrf: csrf });
    expect(stale.statusCode).toBe(409);
    expect(textOf(stale.body)).toContain(CONFLICT_MESSAGE);
    const garbage = await b.post('/inquiry/withdraw', { version: '１２', _csrf: csrf });
    expect(garbage.statusCode).toBe(400);
    expect(await snapshot(t, id)).toEqual(before);
  });

  it('cannot undo an office decision taken after the page was shown: the rejection stands', async () => {
    const { b, id } = await loginAs(t, 'nv-manual-example');
    const confirm = await b.get('/inquiry/withdraw');
    const rejected = await t.services.actOnApplication(
      id,
      { type: 'reject', reasonTitle: '審査による却下', reasonDetail: '申請内容に不備があります。' },
      { kind: 'inspectionOffice', officeCode: 'tokyo', id: 'test', label: 'テスト' },
    );
    expect(rejected.ok).toBe(true);
    const before = await snapshot(t, id);
    const res = await b.post('/inquiry/withdraw', { version: versionOf(confirm.body) });
    expect(res.statusCode).toBe(409);
    expect(textOf(res.body)).toContain('この申請は「検査申請却下」のため、これ以上操作できません。');
    expect(await snapshot(t, id)).toEqual(before);
  });

  it('asks for a login without a session (401)', async () => {
    const res = await browserFor(t.app).get('/inquiry/withdraw');
    expect(res.statusCode).toBe(401);
    expect(textOf(res.body)).toContain('ログインが必要です');
  });

  it('補正待ち: withdrawal is possible until the end of 補正期限 (Japan time) and refused after it', async () => {
    // ci-manual-example: 補正期限 2026-11-28 (a session lasts 30 idle minutes: log in shortly before).
    t.clock.set(japanTime('2026-11-28', '23:50:00'));
    const { b, id } = await loginAs(t, 'ci-manual-example');
    t.clock.set(japanTime('2026-11-28', '23:59:59'));
    const confirm = await b.get('/inquiry/withdraw');
    expect(confirm.statusCode).toBe(200);
    t.clock.set(japanTime('2026-11-29', '00:00:00'));
    const before = await snapshot(t, id);
    const late = await b.post('/inquiry/withdraw', { version: versionOf(confirm.body) });
    expect(late.statusCode).toBe(409);
    expect(textOf(late.body)).toContain('補正期限を過ぎているため、申請を取り下げることはできません。');
    expect(await snapshot(t, id)).toEqual(before);
  });

  it('まとめ払い中: refused once the 納付期限 has passed', async () => {
    // ci-bulk-before-number: 納付期限 2026-11-28.
    t.clock.set(japanTime('2026-11-28', '23:55:00'));
    const { b, id } = await loginAs(t, 'ci-bulk-before-number');
    const confirm = await b.get('/inquiry/withdraw');
    expect(confirm.statusCode).toBe(200);
    t.clock.set(japanTime('2026-11-29', '00:00:01'));
    const before = await snapshot(t, id);
    const late = await b.post('/inquiry/withdraw', { version: versionOf(confirm.body) });
    expect(late.statusCode).toBe(409);
    expect(textOf(late.body)).toContain('納付期限を過ぎているため、申請を取り下げることはできません。');
    expect(await snapshot(t, id)).toEqual(before);
  });
});
