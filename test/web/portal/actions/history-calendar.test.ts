import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalendar } from '../../../../src/web/formats/ics.js';
import type { JapanDate } from '../../../../src/domain/time.js';
import { createTestApp, type TestApp } from '../../../support/app.js';
import { textOf } from '../../../support/browser.js';
import { browserFor, japanTime, loginAs, snapshot } from './support.js';

/** RFC 5545 3.1: a CRLF followed by one space continues the line. */
const unfold = (ics: string) => ics.replace(/\r\n /g, '');

describe('iCalendar text (RFC 5545), written with ical-generator', () => {
  it('escapes backslash, semicolon, comma and line breaks in TEXT', () => {
    const ics = unfold(buildCalendar([{ uid: 'u@kei-oss', date: '2026-12-31' as JapanDate, summary: 's', description: 'a\\b;c,d\ne\nf' }], new Date('2026-11-26T01:02:03Z'), 3));
    expect(ics).toContain('\r\nDESCRIPTION:a\\\\b\\;c\\,d\\ne\\nf\r\n');
  });

  it('folds at 75 octets with CRLF and a space, never inside a UTF-8 character', () => {
    const description = `${'補正期限'.repeat(30)}abc`;
    const ics = buildCalendar([{ uid: 'u@kei-oss', date: '2026-12-31' as JapanDate, summary: 's', description }], new Date('2026-11-26T01:02:03Z'), 3);
    const physical = ics.split('\r\n');
    for (const p of physical) {
      expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(75);
      expect(p).not.toContain('\uFFFD');
    }
    expect(physical.filter((p) => p.startsWith(' ')).length).toBeGreaterThan(1);
    expect(unfold(ics)).toContain(`\r\nDESCRIPTION:${description}\r\n`);
  });

  it('an all-day event: DATE values, the next day as DTEND, CRLF after every line', () => {
    const ics = buildCalendar([{ uid: 'u1@kei-oss', date: '2026-12-31' as JapanDate, summary: '補正期限：テスト, 1', description: '一行目\n二行目' }], new Date('2026-11-26T01:02:03Z'), 3);
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toContain('\n');
    const text = unfold(ics);
    expect(text).toContain('\r\nDTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n');
    expect(text).toContain('\r\nDTSTAMP:20261126T010203Z\r\n');
    expect(text).toContain('\r\nSUMMARY:補正期限：テスト\\, 1\r\n');
    expect(text).toContain('\r\nDESCRIPTION:一行目\\n二行目\r\n');
    expect(text).toContain('\r\nTRIGGER:-P2DT15H\r\n');
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text).not.toContain('VTIMEZONE');
  });
});

describe('期限の予定: the running deadlines as a calendar file (.ics)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('補正期限 of the manual example: the part on the status page, and the download', async () => {
    const l = await loginAs(t, 'ci-manual-example');
    const text = textOf(l.status);
    expect(text).toContain('期限の予定 補正期限：2026年 11月 28日（補正申請）');
    expect(l.status).toContain('<a href="/inquiry/deadlines.ics" download>');
    const res = await l.b.get('/inquiry/deadlines.ics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="kei-oss-deadlines-99999999999999999.ics"');
    const ics = unfold(res.body);
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(ics).toContain('\r\nUID:99999999999999999-correction-20261128@kei-oss\r\n');
    expect(ics).toContain('\r\nDTSTART;VALUE=DATE:20261128\r\nDTEND;VALUE=DATE:20261129\r\n');
    expect(ics).toContain('\r\nSUMMARY:補正期限：軽自動車OSS 受付番号 9999 9999 9999 99999\r\n');
    expect(ics).toContain('補正期限を過ぎると期限切れ却下となり、申請は無効になります。\\n申請状況は');
    for (const line of res.body.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  });

  it('納付期限 of the fees and the weight tax issued together is one event naming both', async () => {
    const l = await loginAs(t, 'ci-fees-due');
    expect(textOf(l.status)).toContain('納付期限：2026年 12月 06日（検査手数料・技術情報管理手数料、自動車重量税）');
    const ics = unfold((await l.b.get('/inquiry/deadlines.ics')).body);
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
    expect(ics).toContain('DTSTART;VALUE=DATE:20261206');
    expect(ics).toContain('の納付期限です（検査手数料・技術情報管理手数料\\、自動車重量税）。'.replace('\\、', '、'));
  });

  it('no running deadline: no part, and the download answers 404 with a message', async () => {
    const l = await loginAs(t, 'ci-under-examination');
    expect(l.status).not.toContain('id="deadlines"');
    const res = await l.b.get('/inquiry/deadlines.ics');
    expect(res.statusCode).toBe(404);
    expect(textOf(res.body)).toContain('現在、補正期限や納付期限はありません。');
    const withdrawn = await loginAs(t, 'ci-invalidated-payment');
    expect(withdrawn.status).not.toContain('id="deadlines"');
  });

  it('asks for a login without a session', async () => {
    expect((await browserFor(t.app).get('/inquiry/deadlines.ics')).statusCode).toBe(401);
  });
});

describe('申請状況の履歴: every status change with its date and time, newest first', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('返付済: from 窓口での受け取り back to 申請の到達, each with 年月日時分秒 in Japan time', async () => {
    const l = await loginAs(t, 'ci-returned');
    const stored = await snapshot(t, l.id);
    const text = textOf(l.status);
    const part = text.slice(text.indexOf('申請状況の履歴'));
    const rows = [...part.matchAll(/(\d{4})年 (\d{2})月 (\d{2})日 (\d{2})時 (\d{2})分 (\d{2})秒/g)];
    expect(rows).toHaveLength(stored.history.length);
    // Newest first: the times shown descend.
    const times = rows.map((r) => r.slice(1, 7).join(''));
    expect([...times].sort().reverse()).toEqual(times);
    expect(part).toMatch(/^申請状況の履歴 .*? 日時 内容 申請状況 操作した者 \d{4}年 \d{2}月 \d{2}日 \d{2}時 \d{2}分 \d{2}秒 窓口での受け取り 返付準備完了 → 返付済 軽自動車検査協会事務所等 /);
    expect(part).toContain('二次元コードの発行 返付準備完了 申請者');
    expect(part).toContain('納付の完了 検査手数料等納付待ち → 自動車重量税納付待ち 収納機関（Pay-easy）');
    expect(part).toMatch(/申請の到達 受付審査中 申請者 終了 お問い合わせ先/);
    // The demo's staff labels (a clerk's name in real use) are not shown to the applicant.
    expect(part).not.toContain('（デモ）');
    const first = stored.history.at(-1)!;
    expect(l.status).toContain(`<time datetime="${first.occurredAt.toISOString()}">`);
  });

  it('a rejection shows its reason; 期限切れ却下 names the clock', async () => {
    const office = textOf((await loginAs(t, 'ci-rejected-office')).status);
    expect(office).toContain('却下 理由：保安基準不適合 検査申請審査中 → 検査申請却下 軽自動車検査協会事務所等');
    const expired = textOf((await loginAs(t, 'ci-rejected-expired')).status);
    expect(expired).toContain('補正期限切れ（期限切れ却下） 理由：期限切れ却下 検査申請補正待ち → 検査申請却下 システム（期限管理）');
  });

  it('a finished or stopped application offers 申請を行う again', async () => {
    const l = await loginAs(t, 'nv-withdrawn');
    expect(textOf(l.status)).toContain('再度の申請 この申請は継続することができません。必要に応じ、再度申請を行ってください（【画面申請】初回申請の操作手順）。');
    expect(l.status).toContain('href="/apply"');
    const active = await loginAs(t, 'nv-fees-due');
    expect(active.status).not.toContain('id="apply-again-heading"');
  });

  it('the success banner comes only from the signed cookie an action sets, and shows once', async () => {
    const l = await loginAs(t, 'ci-fees-due');
    l.b.cookies.set('kei_flash', 'withdrawn');
    const forged = await l.b.get('/inquiry/status');
    expect(textOf(forged.body)).not.toContain('申請を取り下げました。');
    const page = await l.b.get('/inquiry/payments/inspectionFees');
    const chosen = await l.b.post('/inquiry/payments/inspectionFees/bulk', { version: /name="version" value="(\d+)"/.exec(page.body)![1]! });
    expect(chosen.statusCode).toBe(303);
    expect(textOf((await l.b.follow(chosen)).body)).toContain('まとめ納付を選択しました。');
    expect(textOf((await l.b.get('/inquiry/payments/inspectionFees')).body)).not.toContain('まとめ納付を選択しました。');
  });

  it('the status page after an action at a given Japan time lists it first', async () => {
    t.clock.set(japanTime('2026-11-26', '21:15:30'));
    const l = await loginAs(t, 'nv-bulk');
    const confirm = await l.b.get('/inquiry/withdraw');
    const done = await l.b.post('/inquiry/withdraw', { version: /name="version" value="(\d+)"/.exec(confirm.body)![1]! });
    const text = textOf((await l.b.follow(done)).body);
    expect(text.slice(text.indexOf('申請状況の履歴'))).toMatch(/操作した者 2026年 11月 26日 21時 15分 30秒 申請の取り下げ 検査手数料等まとめ払い中 → 検査申請取り下げ 申請者 /);
  });
});
