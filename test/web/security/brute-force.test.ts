import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios, loginNumber } from '../../../src/demo/scenarios.js';
import { LOGIN_FAILED_MESSAGE } from '../../../src/services/applicant-auth.js';
import { loginLockedMessage } from '../../../src/services/login-throttle.js';
import { TEST_NOW } from '../../support/app.js';
import { textOf, titleOf } from '../../support/browser.js';
import { LogCapture, anonymousForm, countingHasher, createSecurityApp, postForm, type SecurityApp } from '../../support/security.js';

// This file measures the throttle's logic, not the disk: its SQLite file lives in memory when the
// machine has /dev/shm (every accepted request is a committed write with synchronous=FULL).
if (existsSync('/dev/shm')) process.env.TMPDIR = '/dev/shm';

const MINUTE = 60 * 1000;
const PASSWORD_URL = '/inquiry/login/password';

/** Each test attacks its own demo application, so that counters never mix. */
const scenario = (key: string) => {
  const s = demoScenarios.find((d) => d.key === key);
  if (!s) throw new Error(`no demo ${key}`);
  return { number: loginNumber(s), password: s.password };
};

/** The error summary's messages (the page's title names a procedure, picked at random for unknown numbers). */
const errorSummaryOf = (html: string) => textOf(/<ul class="error-summary__list">[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '');

describe('brute force: 5 wrong passwords lock a 受付番号 for 15 minutes; 30 attempts a minute per address', () => {
  let t: SecurityApp;
  const hasher = countingHasher();
  const logs = new LogCapture();
  let form: { cookie: string; csrf: string };

  const guess = (number: string, password: string, remoteAddress = '203.0.113.7') =>
    postForm(t.app, PASSWORD_URL, { receiptNumber: number, password, _csrf: form.csrf }, { cookie: form.cookie, remoteAddress });

  beforeAll(async () => {
    t = await createSecurityApp({ seed: true, passwords: hasher, logger: logs.logger() });
    form = await anonymousForm(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  it('locks the number at the 5th wrong password, tells when it unlocks (Japan time), and refuses the right password until then', async () => {
    t.clock.set(TEST_NOW);
    const { number, password } = scenario('ci-accepted');
    for (let i = 1; i <= 4; i++) {
      const res = await guess(number, `wrong-${i}`);
      expect(res.statusCode).toBe(401);
      expect(textOf(res.body)).toContain(LOGIN_FAILED_MESSAGE);
      // From the 3rd wrong password: how many tries are left and what happens next (issue 14).
      if (i < 3) expect(textOf(res.body)).not.toContain('回続けて誤ると');
      else expect(textOf(res.body)).toContain(`${LOGIN_FAILED_MESSAGE}あと${5 - i}回続けて誤ると、この受付番号（到達番号）では15分間ログインできなくなります。`);
    }
    const fifth = await guess(number, 'wrong-5');
    expect(fifth.statusCode).toBe(429);
    // 10:00 JST + 15 minutes.
    const message = '申請用パスワードの誤りが続いたため、この受付番号（到達番号）ではログインできないようにしています。2026年 11月 26日 10時 15分 00秒以降に、もう一度ログインしてください。申請用パスワードがわからない場合や、お急ぎの場合は、お問い合わせ先（TEL：050-3364-0800（軽自動車OSS専用ダイヤル））にお問い合わせください。';
    expect(loginLockedMessage(new Date(TEST_NOW.getTime() + 15 * MINUTE))).toBe(message);
    expect(textOf(fifth.body)).toContain(message);
    expect(titleOf(fifth.body)).toBe('エラー：状況照会 ログイン 継続検査｜軽自動車OSS');
    expect(fifth.headers['retry-after']).toBe('900');

    const verifiedBefore = hasher.verifications;
    t.clock.advance(15 * MINUTE - 1000);
    const right = await guess(number, password);
    expect(right.statusCode).toBe(429);
    expect(textOf(right.body)).toContain(message);
    expect(right.cookies.find((c) => c.name === 'kei_session')).toBeUndefined();
    // Refused before the password was even verified.
    expect(hasher.verifications).toBe(verifiedBefore);

    t.clock.advance(1000);
    const after = await guess(number, password);
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/inquiry/status');
  });

  it('counts an unknown number exactly like an existing one: same answers, same lock, nothing tells them apart', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 60 * MINUTE));
    const known = scenario('ci-fees-due').number;
    const unknown = '1234 5678 9012 34567';
    for (let i = 1; i <= 6; i++) {
      const a = await guess(known, `wrong-${i}`, '198.51.100.1');
      const b = await guess(unknown, `wrong-${i}`, '198.51.100.2');
      expect(b.statusCode).toBe(a.statusCode);
      expect(errorSummaryOf(b.body)).toBe(errorSummaryOf(a.body));
      expect(b.headers['retry-after']).toBe(a.headers['retry-after']);
      expect(a.statusCode).toBe(i < 5 ? 401 : 429);
    }
  });

  it('an application\'s 受付番号 and 到達番号 share one counter and one lock (issue 12: each had five guesses of its own)', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 90 * MINUTE));
    const s = demoScenarios.find((d) => d.key === 'ci-bulk-number-taken')!;
    expect(s.receiptNumber).not.toBeNull();
    for (let i = 1; i <= 3; i++) expect((await guess(s.receiptNumber!, `wrong-${i}`, '198.51.100.11')).statusCode).toBe(401);
    // The 4th wrong password, on the other number of the same application, is warned as the 4th.
    const fourth = await guess(s.arrivalNumber, 'wrong-4', '198.51.100.12');
    expect(fourth.statusCode).toBe(401);
    expect(textOf(fourth.body)).toContain('あと1回続けて誤ると、この受付番号（到達番号）では15分間ログインできなくなります。');
    expect((await guess(s.arrivalNumber, 'wrong-5', '198.51.100.12')).statusCode).toBe(429);
    // Locked on both numbers: the right password is refused on either.
    for (const n of [s.receiptNumber!, s.arrivalNumber]) {
      const right = await guess(n, s.password, '198.51.100.13');
      expect(right.statusCode).toBe(429);
      expect(textOf(right.body)).toContain('ログインできないようにしています。');
      expect(textOf(right.body)).toContain('お問い合わせ先（TEL：050-3364-0800（軽自動車OSS専用ダイヤル））');
    }
    t.clock.advance(15 * MINUTE);
    expect((await guess(s.arrivalNumber, s.password, '198.51.100.14')).statusCode).toBe(303);
  });

  it('counts wrong passwords in a sliding 15 minutes, and a right password clears the count', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 120 * MINUTE));
    const { number } = scenario('ci-weight-tax-due');
    for (let i = 0; i < 4; i++) {
      expect((await guess(number, 'wrong')).statusCode).toBe(401);
      t.clock.advance(4 * MINUTE);
    }
    // 16 minutes after the first: only 3 failures remain inside the window.
    expect((await guess(number, 'wrong')).statusCode).toBe(401);
    t.clock.advance(MINUTE);
    // 5 within 15 minutes (at 4, 8, 12, 16 and 17 minutes).
    expect((await guess(number, 'wrong')).statusCode).toBe(429);

    t.clock.advance(20 * MINUTE);
    const { number: other, password: otherPassword } = scenario('ci-weight-tax-bulk');
    for (let i = 0; i < 4; i++) expect((await guess(other, 'wrong')).statusCode).toBe(401);
    expect((await guess(other, otherPassword)).statusCode).toBe(303);
    for (let i = 0; i < 4; i++) expect((await guess(other, 'wrong')).statusCode).toBe(401);
  });

  it('10,000 guesses from one address: the rate limit and the lock let 0 through, and few passwords are ever verified', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 240 * MINUTE));
    const { number, password } = scenario('ci-manual-example');
    const verifiedBefore = hasher.verifications;
    const tally = { ok: 0, wrong: 0, locked: 0, rateLimited: 0, other: 0, rightRefused: 0, locks: 0 };
    let lockEnds = 0;
    for (let i = 0; i < 10_000; i++) {
      const res = await guess(number, `guess-${i.toString(36)}`);
      if (res.statusCode === 303) tally.ok += 1;
      else if (res.statusCode === 401) tally.wrong += 1;
      else if (res.statusCode === 429 && textOf(res.body).includes('ログインできないようにしています')) {
        tally.locked += 1;
        const now = t.clock.now().getTime();
        if (now >= lockEnds) {
          // A new lock (the 5th wrong password): the right password is refused too.
          tally.locks += 1;
          lockEnds = now + 15 * MINUTE;
          const right = await guess(number, password, '203.0.113.250');
          if (right.statusCode === 429) tally.rightRefused += 1;
        }
      } else if (res.statusCode === 429 && textOf(res.body).includes('ログインの操作が集中しています')) tally.rateLimited += 1;
      else tally.other += 1;
      t.clock.advance(1000);
    }
    const verified = hasher.verifications - verifiedBefore;
    console.log(`[brute force, one address] ${JSON.stringify({ ...tally, verified })}`);
    expect(tally.ok).toBe(0);
    expect(tally.other).toBe(0);
    expect(tally.locks).toBeGreaterThan(5);
    expect(tally.rightRefused).toBe(tally.locks);
    // 2.8 hours of guessing: at most 5 verified per lock period (+ the refused right passwords verify nothing).
    expect(verified).toBe(tally.wrong + tally.locks);
    // 4 answered 401 before each lock (and up to 4 after the last one ended).
    expect(tally.wrong - tally.locks * 4).toBeGreaterThanOrEqual(0);
    expect(tally.wrong - tally.locks * 4).toBeLessThanOrEqual(4);
    expect(tally.rateLimited).toBeGreaterThan(4_000);
  }, 600_000);

  it('10,000 guesses spread over 10,000 addresses: the 5th locks the number, 0 get through, 5 passwords verified', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 600 * MINUTE));
    const { number, password } = scenario('nv-manual-example');
    const verifiedBefore = hasher.verifications;
    const statuses = new Map<number, number>();
    let firstLock = -1;
    for (let i = 0; i < 10_000; i++) {
      const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const res = await guess(number, `guess-${i}`, address);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode === 429 && firstLock < 0) firstLock = i + 1;
      if (i === 5_000) {
        const right = await guess(number, password, '192.0.2.99');
        expect(right.statusCode).toBe(429);
      }
    }
    const verified = hasher.verifications - verifiedBefore;
    console.log(`[brute force, 10,000 addresses] ${JSON.stringify({ statuses: Object.fromEntries(statuses), firstLock, verified })}`);
    expect(firstLock).toBe(5);
    expect(statuses.get(303) ?? 0).toBe(0);
    expect(statuses.get(401)).toBe(4);
    expect(statuses.get(429)).toBe(9_996);
    expect(verified).toBe(5);
  }, 600_000);

  it('a burst of 40 parallel guesses verifies at most 5 passwords', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 900 * MINUTE));
    const { number } = scenario('nv-fees-due');
    const verifiedBefore = hasher.verifications;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => guess(number, `burst-${i}`, `172.16.0.${i}`)));
    expect(results.filter((r) => r.statusCode === 303)).toHaveLength(0);
    expect(results.filter((r) => r.statusCode === 429).length).toBeGreaterThanOrEqual(35);
    expect(hasher.verifications - verifiedBefore).toBeLessThanOrEqual(5);
  });

  it('the lock holds in a second server process on the same database', async () => {
    t.clock.set(new Date(TEST_NOW.getTime() + 1000 * MINUTE));
    const { number, password } = scenario('nv-accepted');
    for (let i = 0; i < 5; i++) await guess(number, 'wrong');
    const second = await t.another();
    const f = await anonymousForm(second.app);
    const res = await postForm(second.app, PASSWORD_URL, { receiptNumber: number, password, _csrf: f.csrf }, { cookie: f.cookie });
    expect(res.statusCode).toBe(429);
    expect(textOf(res.body)).toContain('ログインできないようにしています');
  });

  it('logs each lock as a warning with the request id, never the password', async () => {
    const locks = logs.lines.filter((l) => l.event === 'login-locked');
    expect(locks.length).toBeGreaterThan(5);
    for (const l of locks) {
      expect(l.level).toBe(40);
      expect(typeof l.requestId).toBe('string');
      expect(l.scope).toBe('applicant');
    }
    expect(logs.raw).not.toContain('wrong-5');
    expect(logs.raw).not.toContain('guess-');
    expect(logs.raw).not.toContain('demo0101');
  });
});
