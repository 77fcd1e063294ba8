import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { fixedClock } from '../../../src/domain/time.js';
import { createRuntime } from '../../../src/server.js';
import { LOGIN_FAILED_MESSAGE } from '../../../src/services/applicant-auth.js';
import type { ServiceDeps } from '../../../src/services/context.js';
import { createServices } from '../../../src/services/index.js';
import { argon2Hasher, type PasswordHasher } from '../../../src/services/passwords.js';
import { makePendingPasswordCipher } from '../../../src/services/pending-password-cipher.js';
import { startPasswordHasher } from '../../../src/jobs/password-hasher.js';
import { asReceiptNumber } from '../../../src/domain/receipt-number.js';
import { createTestApp, silentLogger, TEST_NOW, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';
import { LogCapture } from '../../support/security.js';
import { filing, givenAccount } from '../../services/support.js';
import { browserFor } from './support.js';

const KEY = 'test-pending-password-key-0123456789abcdef';
const PASSWORD = 'Pending-pass-8x2';
const ACCOUNT_PASSWORD = 'kei dealer passphrase 2026';

type FilingAnswer = { filed: number; failed: number; results: { row: number; ok: boolean; arrivalNumber: string; replayed: boolean }[] };

/** The stored password columns of an application, by its 到達番号. */
async function stored(t: TestApp, arrivalNumber: string) {
  return t.db.handle.db.selectFrom('applications').select(['id', 'password_hash', 'password_pending', 'password_claimed_until']).where('arrival_number', '=', arrivalNumber).executeTakeFirstOrThrow();
}

/** The applicant's two-step login through HTTP: the status code of the password step and its text. */
async function applicantLogin(t: TestApp, number: string, password: string): Promise<{ status: number; text: string }> {
  const b = browserFor(t.app);
  await b.get('/inquiry/login');
  const step1 = await b.post('/inquiry/login', { receiptNumber: number });
  expect(step1.statusCode).toBe(303);
  await b.get('/inquiry/login/password');
  const step2 = await b.post('/inquiry/login/password', { receiptNumber: number, password });
  return { status: step2.statusCode, text: textOf(step2.body) };
}

describe('一括申請: passwords hashed after the answer (decision 0017)', () => {
  let t: TestApp;
  const logs = new LogCapture();
  let accountId = '';
  let userId = '';
  let token = '';
  beforeAll(async () => {
    t = await createTestApp({ pendingPasswordKey: KEY, logger: logs.logger('debug') });
    const account = await givenAccount(t.db.handle, [], { passwordHash: await argon2Hasher.hash(ACCOUNT_PASSWORD) });
    accountId = account.id;
    userId = account.userId;
    const tk = await t.services.accountApi.tokens.create(accountId, { name: '販売管理システム', scopes: ['read', 'file'], days: 30 });
    if (!tk.ok) throw new Error(tk.refusal.message);
    token = tk.value.token;
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  const fileRows = async (n: number, password = PASSWORD): Promise<FilingAnswer> => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/account/applications',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ applications: Array.from({ length: n }, () => ({ ...filing(), password })) }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(password);
    expect(res.body).not.toContain('v1.');
    return res.json<FilingAnswer>();
  };
  const drain = async () => {
    let hashed = 0;
    for (;;) {
      const run = await t.services.pendingPasswordHashing.hashPending();
      hashed += run.hashed;
      if (run.claimed === 0) return hashed;
    }
  };

  it('answers every row with its 到達番号 and stores each password encrypted, not hashed, until the hasher runs', async () => {
    const answer = await fileRows(3);
    expect(answer.filed).toBe(3);
    expect(answer.results.map((r) => r.ok)).toEqual([true, true, true]);
    for (const r of answer.results) {
      const row = await stored(t, r.arrivalNumber);
      expect(row.password_hash).toBe('');
      expect(row.password_pending).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
      expect(row.password_pending).not.toContain(PASSWORD);
      // Under the key, with the row's id as associated data: another row's id does not open it.
      const cipher = makePendingPasswordCipher(KEY);
      expect(cipher.open(row.id, row.password_pending!)).toBe(PASSWORD);
      expect(cipher.open('another-id', row.password_pending!)).toBeNull();
      expect(makePendingPasswordCipher(`${KEY}-other`).open(row.id, row.password_pending!)).toBeNull();
    }
    expect(await t.services.pendingPasswordHashing.pendingCount()).toBe(3);
    expect((await t.services.operationalFigures()).passwordHashesPending).toBe(3);
    expect(await drain()).toBe(3);
    for (const r of answer.results) {
      const row = await stored(t, r.arrivalNumber);
      expect(row.password_pending).toBeNull();
      expect(row.password_claimed_until).toBeNull();
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(await argon2Hasher.verify(row.password_hash, PASSWORD)).toBe(true);
    }
    expect(await t.services.pendingPasswordHashing.pendingCount()).toBe(0);
  });

  it('logs the applicant in with the password before the hasher ran (the hash then written at once) and after', async () => {
    const [before, after] = (await fileRows(2)).results;
    const login = await applicantLogin(t, before!.arrivalNumber, PASSWORD);
    expect(login.status).toBe(303);
    const row = await stored(t, before!.arrivalNumber);
    expect(row.password_pending).toBeNull();
    expect(await argon2Hasher.verify(row.password_hash, PASSWORD)).toBe(true);
    expect(await drain()).toBe(1);
    expect((await applicantLogin(t, after!.arrivalNumber, PASSWORD)).status).toBe(303);
    expect((await applicantLogin(t, before!.arrivalNumber, PASSWORD)).status).toBe(303);
  });

  it('refuses a wrong password the same way before and after the hasher, and counts it toward the lock as a hashed one', async () => {
    const [hashed] = (await fileRows(1)).results;
    await drain();
    const [pending] = (await fileRows(1)).results;
    expect((await stored(t, pending!.arrivalNumber)).password_pending).not.toBeNull();
    expect((await stored(t, hashed!.arrivalNumber)).password_pending).toBeNull();
    const wrongPending = await applicantLogin(t, pending!.arrivalNumber, 'Wrong-pass-000');
    const wrongHashed = await applicantLogin(t, hashed!.arrivalNumber, 'Wrong-pass-000');
    expect(wrongPending).toEqual(wrongHashed);
    expect(wrongPending.status).toBe(401);
    expect(wrongPending.text).toContain(LOGIN_FAILED_MESSAGE);
    // Still pending after a wrong password; the same wrong ones lock both numbers at the same try, the right password then refused too.
    expect((await stored(t, pending!.arrivalNumber)).password_pending).not.toBeNull();
    const tries = async (number: string) => {
      const statuses: number[] = [];
      for (let i = 1; i <= 5; i++) statuses.push((await applicantLogin(t, number, `Wrong-pass-${i}`)).status);
      statuses.push((await applicantLogin(t, number, PASSWORD)).status);
      return statuses;
    };
    const pendingTries = await tries(pending!.arrivalNumber);
    expect(pendingTries).toEqual(await tries(hashed!.arrivalNumber));
    expect(pendingTries.at(-1)).toBe(429);
    expect(pendingTries.filter((s) => s === 401).length).toBeGreaterThan(1);
    expect((await stored(t, pending!.arrivalNumber)).password_pending).not.toBeNull();
    await drain();
  });

  it('adds a pending application to a 利用者ID’s list with its password (申請の追加), and refuses a wrong one', async () => {
    const other = await givenAccount(t.db.handle);
    const [row] = (await fileRows(1)).results;
    const number = asReceiptNumber(row!.arrivalNumber);
    const wrong = await t.services.accounts.addApplication(other.id, number, 'Wrong-pass-000', undefined, { clientAddress: null });
    expect(wrong.ok).toBe(false);
    expect((await stored(t, row!.arrivalNumber)).password_pending).not.toBeNull();
    const added = await t.services.accounts.addApplication(other.id, number, PASSWORD, undefined, { clientAddress: null });
    expect(added).toEqual({ ok: true, value: { added: true, number } });
    expect((await stored(t, row!.arrivalNumber)).password_pending).toBeNull();
  });

  it('never shows the pending value: not in API answers, the account’s CSV, the audit trail or the logs', async () => {
    logs.lines.length = 0;
    const secret = 'Never-shown-77q';
    const answer = await fileRows(2, secret);
    const sealed = (await stored(t, answer.results[0]!.arrivalNumber)).password_pending!;
    const query = await t.app.inject({ method: 'POST', url: '/api/v1/account/applications/query', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ numbers: answer.results.map((r) => r.arrivalNumber) }) });
    expect(query.statusCode).toBe(200);
    const changes = await t.app.inject({ method: 'GET', url: '/api/v1/account/changes', headers: { authorization: `Bearer ${token}` } });
    expect(changes.statusCode).toBe(200);
    const b = new TestBrowser(t.app);
    await b.get('/account/login');
    expect((await b.post('/account/login', { userId, password: ACCOUNT_PASSWORD, totpCode: '' })).statusCode).toBe(303);
    const csv = await b.get('/account/applications.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body.trim().split('\n').length).toBeGreaterThan(2);
    expect((await applicantLogin(t, answer.results[0]!.arrivalNumber, secret)).status).toBe(303);
    await drain();
    const audit = JSON.stringify(await t.db.handle.db.selectFrom('audit_log').selectAll().execute());
    for (const text of [query.body, changes.body, csv.body, audit, logs.raw]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(sealed);
      expect(text).not.toContain(sealed.slice(3, 30));
    }
    expect(logs.lines.some((l) => l.event === 'bulk-filing')).toBe(true);
  });

  it('picks up the leftovers of a process that died: a fresh app on the same database hashes them at start, a dead claim included', async () => {
    await drain();
    const answer = await fileRows(3);
    // A hasher claimed one row and died before writing its hash.
    const handle = t.db.reopen();
    try {
      const claimed = await t.db.handle.db.updateTable('applications').set({ password_claimed_until: new Date(t.clock.now().getTime() + 60_000).toISOString() }).where('arrival_number', '=', answer.results[0]!.arrivalNumber).executeTakeFirst();
      expect(Number(claimed.numUpdatedRows)).toBe(1);
      t.clock.advance(61_000);
      const deps: ServiceDeps = { ...t.deps, database: handle, pendingPasswords: makePendingPasswordCipher(KEY) };
      const fresh = createServices(deps, t.secrets);
      expect(await fresh.pendingPasswordHashing.pendingCount()).toBe(3);
      const hasher = startPasswordHasher(fresh.pendingPasswordHashing, silentLogger, 60_000);
      await hasher.idle();
      hasher.stop();
      expect(await fresh.pendingPasswordHashing.pendingCount()).toBe(0);
      for (const r of answer.results) expect(await argon2Hasher.verify((await stored(t, r.arrivalNumber)).password_hash, PASSWORD)).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('two hashers at once (two processes on the same database) hash each row once', async () => {
    await drain();
    const answer = await fileRows(12);
    let hashes = 0;
    // Only the filed rows' password counts (the services also hash their dummy passwords when built).
    const counting: PasswordHasher = { hash: (p) => ((hashes += p === PASSWORD ? 1 : 0), argon2Hasher.hash(p)), verify: (h, p) => argon2Hasher.verify(h, p) };
    const handle = t.db.reopen();
    try {
      const one = createServices({ ...t.deps, passwords: counting }, t.secrets).pendingPasswordHashing;
      const two = createServices({ ...t.deps, database: handle, passwords: counting }, t.secrets).pendingPasswordHashing;
      const run = async (h: typeof one) => {
        let hashed = 0;
        for (;;) {
          const r = await h.hashPending();
          hashed += r.hashed;
          if (r.claimed === 0) return hashed;
        }
      };
      expect(await one.pendingCount()).toBe(12);
      const [a, b] = await Promise.all([run(one), run(two)]);
      expect(a + b).toBe(12);
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
      expect(hashes).toBe(12);
      for (const r of answer.results) expect((await stored(t, r.arrivalNumber)).password_pending).toBeNull();
    } finally {
      await handle.close();
    }
  });
});

describe('PENDING_PASSWORD_KEY and the hasher of serve (decision 0017)', () => {
  it('is off by default, at least 32 characters, and a wrong value stops the start with a message naming it', () => {
    expect(loadConfig({}).pendingPasswordKey).toBeNull();
    expect(loadConfig({ PENDING_PASSWORD_KEY: KEY }).pendingPasswordKey).toBe(KEY);
    expect(() => loadConfig({ PENDING_PASSWORD_KEY: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ PENDING_PASSWORD_KEY: 'short' })).toThrow('PENDING_PASSWORD_KEY は32〜200文字の英数字・記号（空白を除く）で指定してください（例: openssl rand -hex 32）。');
  });

  it('a server started with the key hashes the leftovers of a process that died, at start', async () => {
    const first = await createTestApp({ pendingPasswordKey: KEY });
    try {
      const account = await givenAccount(first.db.handle);
      const tk = await first.services.accountApi.tokens.create(account.id, { name: 'x', scopes: ['file'], days: 30 });
      if (!tk.ok) throw new Error(tk.refusal.message);
      const res = await first.app.inject({ method: 'POST', url: '/api/v1/account/applications', headers: { authorization: `Bearer ${tk.value.token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ applications: [{ ...filing(), password: PASSWORD }, { ...filing(), password: PASSWORD }] }) });
      expect(res.json<FilingAnswer>().filed).toBe(2);
      expect(await first.services.pendingPasswordHashing.pendingCount()).toBe(2);
      const config = { ...loadConfig({ DEMO_DATA: 'off', SWEEP_INTERVAL_SECONDS: '0', MAIL_POLL_SECONDS: '0', PORT: '0', LOG_LEVEL: 'silent', PENDING_PASSWORD_KEY: KEY }), database: first.db.handle.location };
      const runtime = await createRuntime(config, silentLogger, fixedClock(TEST_NOW));
      try {
        for (let i = 0; i < 200 && (await runtime.services.pendingPasswordHashing.pendingCount()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
        expect(await runtime.services.pendingPasswordHashing.pendingCount()).toBe(0);
        const numbers = res.json<FilingAnswer>().results.map((r) => r.arrivalNumber);
        for (const n of numbers) expect(await argon2Hasher.verify((await stored(first, n)).password_hash, PASSWORD)).toBe(true);
      } finally {
        await runtime.stop();
      }
    } finally {
      await first.close();
    }
  });
});
