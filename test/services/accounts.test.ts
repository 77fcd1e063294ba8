import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFiling } from '../../src/domain/filing.js';
import type { ReceiptNumber } from '../../src/domain/receipt-number.js';
import { ACCOUNT_LOGIN_FAILED_MESSAGE, ADD_APPLICATION_FAILED_MESSAGE, LINK_INVALID_MESSAGE, NOT_CONFIRMED_MESSAGE } from '../../src/services/accounts.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { filing, office } from './support.js';
import { asJapanDate } from '../../src/domain/time.js';

const PASSWORD = 'kei dealer passphrase 2026';
const origin = { clientAddress: '192.0.2.10' };

/** The outbox's mails of an account, oldest first. */
async function mailsOf(t: TestApp, accountId: string) {
  return t.db.handle.db.selectFrom('mail_outbox').selectAll().where('account_id', '=', accountId).orderBy('seq').execute();
}

function linkIn(text: string, path: string): string {
  const m = new RegExp(`${path}/([A-Za-z0-9_-]+)`).exec(text);
  if (!m?.[1]) throw new Error(`no ${path} link in ${text}`);
  return m[1];
}

async function fileOne(t: TestApp, password = 'demo1234pass'): Promise<{ id: string; number: ReceiptNumber }> {
  const valid = validateFiling(filing());
  if (!valid.ok) throw new Error('filing');
  const r = await t.services.registerApplication(valid.value, password, { kind: 'applicant' });
  if (!r.ok) throw new Error(r.refusal.message);
  return { id: r.value.id, number: r.value.arrivalNumber };
}

describe('利用者ID: issue, confirm, log in (issue 16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  async function registered(name = '大崎モータース株式会社') {
    const r = await t.services.accounts.register({ kind: 'business', name, mailAddress: 'office@osaki-motors.example.jp', password: PASSWORD }, origin);
    if (!r.ok) throw new Error(r.refusal.message);
    return r.value;
  }

  it('issues a 12-digit 利用者ID and mails the confirmation link and the ID to the account, not to an application', async () => {
    const { userId, accountId } = await registered();
    expect(userId).toMatch(/^[1-9][0-9]{11}$/);
    const mails = await mailsOf(t, accountId);
    expect(mails.map((m) => [m.kind, m.to_address, m.application_id, m.subject])).toEqual([
      ['accountConfirmation', 'office@osaki-motors.example.jp', null, '【軽自動車OSS】メールアドレスの確認のお願い'],
      ['accountIssued', 'office@osaki-motors.example.jp', null, '【軽自動車OSS】利用者IDを発行しました'],
    ]);
    expect(mails[1]!.text_body).toContain(`利用者ID　${userId.slice(0, 4)} ${userId.slice(4, 8)} ${userId.slice(8)}`);
    expect(mails[1]!.text_body).not.toContain(PASSWORD);
  });

  it('refuses short, common and repeated passwords (NIST SP 800-63B), naming the field', async () => {
    const attempt = (password: string) => t.services.accounts.register({ kind: 'individual', name: '山田 花子', mailAddress: 'hanako@example.jp', password }, origin);
    expect(await attempt('short pass')).toEqual({ ok: false, refusal: { code: 'invalidInput', field: 'password', message: 'パスワードは12文字以上で入力してください（入力されたのは10文字です）。覚えやすい複数の単語をつなげた文（パスフレーズ）もお使いいただけます。' } });
    expect(await attempt('passwordpassword')).toMatchObject({ ok: false, refusal: { field: 'password', message: expect.stringContaining('よく使われているか過去に漏えいしたパスワード') } });
    expect(await attempt('aaaaaaaaaaaaaa')).toMatchObject({ ok: false, refusal: { field: 'password', message: expect.stringContaining('同じ文字を繰り返した') } });
    expect(await attempt('hanako@example.jp!!')).toMatchObject({ ok: false, refusal: { field: 'password' } });
    expect(await t.services.accounts.register({ kind: 'other', name: 'x', mailAddress: 'x@example.jp', password: PASSWORD }, origin)).toMatchObject({ ok: false, refusal: { field: 'kind' } });
    expect(await t.services.accounts.register({ kind: 'individual', name: 'x', mailAddress: 'not-an-address', password: PASSWORD }, origin)).toMatchObject({ ok: false, refusal: { field: 'mailAddress' } });
  });

  it('logs in only after the mail address is confirmed; the link works once', async () => {
    const { userId, accountId } = await registered();
    expect(await t.services.accounts.login(userId, PASSWORD, '', undefined, origin)).toEqual({ ok: false, refusal: { code: 'actorNotAllowed', message: NOT_CONFIRMED_MESSAGE } });
    const token = linkIn((await mailsOf(t, accountId))[0]!.text_body, '/account/confirm');
    expect(await t.services.accounts.confirm(token, origin)).toEqual({ ok: true, value: { userId } });
    expect(await t.services.accounts.confirm(token, origin)).toEqual({ ok: false, refusal: { code: 'invalidInput', message: LINK_INVALID_MESSAGE } });
    const login = await t.services.accounts.login(`${userId.slice(0, 4)}-${userId.slice(4, 8)}-${userId.slice(8)}`, PASSWORD, '', undefined, origin);
    expect(login.ok).toBe(true);
    const session = login.ok ? await t.services.sessions.resolve(login.value.token) : null;
    expect(session).toMatchObject({ kind: 'account', accountId, applicationId: null });
    const profile = await t.services.accounts.profile(accountId);
    expect(profile?.log.map((l) => l.action)).toEqual(['login', 'confirmed', 'registered']);
  });

  it('answers an unknown 利用者ID and a wrong password alike, and locks the ID after 5 failures', async () => {
    const { userId, accountId } = await registered();
    await t.services.accounts.confirm(linkIn((await mailsOf(t, accountId))[0]!.text_body, '/account/confirm'), origin);
    expect(await t.services.accounts.login('999999999999', PASSWORD, '', undefined, origin)).toEqual({ ok: false, refusal: { code: 'invalidCredentials', message: ACCOUNT_LOGIN_FAILED_MESSAGE } });
    expect(await t.services.accounts.login(userId, 'wrong passphrase here', '', undefined, origin)).toEqual({ ok: false, refusal: { code: 'invalidCredentials', message: ACCOUNT_LOGIN_FAILED_MESSAGE } });
    for (let i = 0; i < 4; i++) await t.services.accounts.login(userId, 'wrong passphrase here', '', undefined, origin);
    const locked = await t.services.accounts.login(userId, PASSWORD, '', undefined, origin);
    expect(locked).toMatchObject({ ok: false, retryAfterSeconds: 900 });
    const log = (await t.services.accounts.profile(accountId))!.log;
    expect(log.filter((l) => l.action === 'loginFailed')).toHaveLength(6);
    t.clock.advance(15 * 60 * 1000 + 1000);
    expect((await t.services.accounts.login(userId, PASSWORD, '', undefined, origin)).ok).toBe(true);
  });

  it('asks for a TOTP code once two-factor is on, and only then', async () => {
    const { userId, accountId } = await registered();
    await t.services.accounts.confirm(linkIn((await mailsOf(t, accountId))[0]!.text_body, '/account/confirm'), origin);
    const proposal = (await t.services.accounts.totpProposal(accountId))!;
    expect(proposal.uri).toMatch(/^otpauth:\/\/totp\//);
    const code = () => new TOTP({ secret: Secret.fromBase32(proposal.secret), digits: 6, period: 30 }).generate({ timestamp: t.clock.now().getTime() });
    expect(proposal.replacing).toBe(false);
    expect(await t.services.accounts.enableTotp(accountId, proposal.secret, '000000', '', undefined, origin)).toMatchObject({ ok: false, refusal: { code: 'invalidInput' } });
    // The first setting needs no password (the user has just logged in with it).
    const enabled = await t.services.accounts.enableTotp(accountId, proposal.secret, code(), '', undefined, origin);
    expect(enabled.ok && enabled.value.recoveryCodes).toHaveLength(10);
    // Set again with a new app: the password typed again, or nothing changes.
    const again = (await t.services.accounts.totpProposal(accountId))!;
    expect(again.replacing).toBe(true);
    const codeOfAgain = () => new TOTP({ secret: Secret.fromBase32(again.secret), digits: 6, period: 30 }).generate({ timestamp: t.clock.now().getTime() });
    expect(await t.services.accounts.enableTotp(accountId, again.secret, codeOfAgain(), 'not-the-password', undefined, origin)).toEqual({
      ok: false,
      refusal: { code: 'invalidCredentials', message: 'パスワードが正しくありません。あと4回続けて誤ると、この利用者IDでは15分間ログインできなくなります。' },
    });
    expect((await t.services.accounts.login(userId, PASSWORD, code(), undefined, origin)).ok).toBe(true);
    expect((await t.services.accounts.login(userId, PASSWORD, codeOfAgain(), undefined, origin)).ok).toBe(code() === codeOfAgain());
    expect(await t.services.accounts.login(userId, PASSWORD, '', undefined, origin)).toMatchObject({ ok: false, refusal: { message: ACCOUNT_LOGIN_FAILED_MESSAGE } });
    expect((await t.services.accounts.login(userId, PASSWORD, code(), undefined, origin)).ok).toBe(true);
    expect(await t.services.accounts.disableTotp(accountId, code(), origin)).toEqual({ ok: true, value: true });
    expect((await t.services.accounts.login(userId, PASSWORD, '', undefined, origin)).ok).toBe(true);
  });

  it('resets the password by a mailed link, once, ending every session', async () => {
    const { userId, accountId } = await registered();
    await t.services.accounts.confirm(linkIn((await mailsOf(t, accountId))[0]!.text_body, '/account/confirm'), origin);
    const before = await t.services.accounts.login(userId, PASSWORD, '', undefined, origin);
    await t.services.accounts.requestPasswordReset(userId, 'someone@else.example.jp');
    expect(await mailsOf(t, accountId)).toHaveLength(2);
    await t.services.accounts.requestPasswordReset(userId, 'OFFICE@osaki-motors.example.jp');
    const mails = await mailsOf(t, accountId);
    expect(mails.map((m) => m.kind)).toEqual(['accountConfirmation', 'accountIssued', 'accountPasswordReset']);
    const token = linkIn(mails[2]!.text_body, '/account/reset');
    expect(await t.services.accounts.resetPassword(token, 'short', origin)).toMatchObject({ ok: false, refusal: { field: 'password' } });
    expect(await t.services.accounts.resetPassword(token, 'a new kei passphrase', origin)).toEqual({ ok: true });
    expect(await t.services.accounts.resetPassword(token, 'another kei passphrase', origin)).toMatchObject({ ok: false, refusal: { message: LINK_INVALID_MESSAGE } });
    expect(before.ok && (await t.services.sessions.resolve(before.value.token))).toBe(null);
    expect((await t.services.accounts.login(userId, 'a new kei passphrase', '', undefined, origin)).ok).toBe(true);
  });

  it('adds an application by its number and 申請用パスワード, with one answer for a wrong password and an unknown number, throttled', async () => {
    const { accountId } = await registered();
    const app = await fileOne(t);
    const other = await registered('別の販売店');
    expect(await t.services.accounts.addApplication(accountId, app.number, 'wrong-pass', undefined, origin)).toEqual({ ok: false, refusal: { code: 'invalidCredentials', message: ADD_APPLICATION_FAILED_MESSAGE } });
    expect(await t.services.accounts.addApplication(accountId, '99999999999999999' as ReceiptNumber, 'demo1234pass', undefined, origin)).toEqual({ ok: false, refusal: { code: 'invalidCredentials', message: ADD_APPLICATION_FAILED_MESSAGE } });
    expect(await t.services.accounts.addApplication(accountId, app.number, 'demo1234pass', undefined, origin)).toEqual({ ok: true, value: { added: true, number: app.number } });
    expect(await t.services.accounts.addApplication(accountId, app.number, 'demo1234pass', undefined, origin)).toEqual({ ok: true, value: { added: false, number: app.number } });
    expect(await t.services.accounts.accountOwnsApplication(accountId, app.id)).toBe(true);
    expect(await t.services.accounts.accountOwnsApplication(other.accountId, app.id)).toBe(false);
    // Five failures lock the account's additions, the right password included.
    for (let i = 0; i < 5; i++) await t.services.accounts.addApplication(other.accountId, app.number, `guess-${i}`, undefined, origin);
    expect(await t.services.accounts.addApplication(other.accountId, app.number, 'demo1234pass', undefined, origin)).toMatchObject({ ok: false, retryAfterSeconds: 900 });
    expect(await t.services.accounts.accountOwnsApplication(other.accountId, app.id)).toBe(false);
    // Removal: only from the account's own list; the sessions that had it open close it.
    const removedByOther = await t.services.accounts.removeApplication(other.accountId, app.id, origin);
    expect(removedByOther).toEqual({ ok: false, refusal: { code: 'notFound', message: 'この申請は申請一覧にありません。' } });
    expect(await t.services.accounts.removeApplication(accountId, app.id, origin)).toEqual({ ok: true, value: { number: app.number } });
    expect(await t.services.accounts.accountOwnsApplication(accountId, app.id)).toBe(false);
    const log = (await t.services.accounts.profile(accountId))!.log.map((l) => [l.action, l.receiptNumber]);
    expect(log.slice(0, 2)).toEqual([
      ['applicationRemoved', app.number],
      ['applicationAdded', app.number],
    ]);
  });
});

describe('申請を行う while logged in with a 利用者ID (issue 16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('puts the filed application in the account’s list, in the filing’s transaction, with a log line', async () => {
    const r = await t.services.accounts.register({ kind: 'business', name: '申請する販売店', mailAddress: 'files@example.jp', password: PASSWORD }, origin);
    if (!r.ok) throw new Error(r.refusal.message);
    const valid = validateFiling(filing());
    if (!valid.ok) throw new Error('filing');
    const filed = await t.services.registerApplication(valid.value, 'demo1234pass', { kind: 'applicant' }, { accountId: r.value.accountId, clientAddress: '192.0.2.20' });
    if (!filed.ok) throw new Error(filed.refusal.message);
    expect(await t.services.accounts.accountOwnsApplication(r.value.accountId, filed.value.id)).toBe(true);
    const log = (await t.services.accounts.profile(r.value.accountId))!.log[0]!;
    expect([log.action, log.receiptNumber, log.clientAddress]).toEqual(['applicationFiled', filed.value.arrivalNumber, '192.0.2.20']);
    const page = await t.services.accountList.page(r.value.accountId, { status: 'all', procedure: null, officeCode: null, filedFrom: null, filedTo: null, search: null, page: 1 });
    expect(page.items.map((i) => [i.id, i.status, i.group])).toEqual([[filed.value.id, 'awaitingAcceptance', 'inProgress']]);
    // Every later event keeps the list's order in step: accepted, then fees due (needs the user, with its 納付期限).
    for (const event of [{ type: 'accept' }, { type: 'issueFees', dueOn: asJapanDate('2026-12-10') }] as const) {
      const moved = await t.services.actOnApplication(filed.value.id, event, office());
      expect(moved.ok).toBe(true);
    }
    const row = await t.db.handle.db.selectFrom('account_applications').select(['status', 'list_rank', 'sort_deadline']).where('application_id', '=', filed.value.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'inspectionFeesDue', list_rank: 0, sort_deadline: '2026-12-10T15:00:00.000Z' });
    const after = await t.services.accountList.page(r.value.accountId, { status: 'needsUser', procedure: null, officeCode: null, filedFrom: null, filedTo: null, search: null, page: 1 });
    expect(after.items.map((i) => [i.status, i.deadline])).toEqual([['inspectionFeesDue', { kind: 'payment', date: '2026-12-10' }]]);
  });
});
