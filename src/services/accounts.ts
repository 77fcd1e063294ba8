import { createHash, randomBytes } from 'node:crypto';
import calculateLuhnModN from 'calculate-luhn-mod-n';
import type { Logger } from 'pino';
import { Secret, TOTP } from 'otpauth';
import { RECOVERY_CODE_COUNT, formatUserId, isAccountKind, normalizeRecoveryCode, recoveryCodeOf, mayDisableTwoFactor, noTwoFactorPolicy, parseAccountName, parseMailAddress, parseUserIdShape, twoFactorStanding, type AccountKind, type AccountLogAction, type TwoFactorStanding } from '../domain/accounts.js';
import { displayNumber } from '../domain/application.js';
import type { ReceiptNumber } from '../domain/receipt-number.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { accountRepository, type AccountLogRecord, type AccountRecord } from '../store/accounts.repository.js';
import { applicationRepository } from '../store/applications.repository.js';
import type { Tx } from '../store/database.js';
import { sessionRepository } from '../store/sessions.repository.js';
import { confirmationMail, issuedMail, passwordResetMail, recoveryCodeUsedMail } from './account-mail.js';
import { checkNewPassword } from './account-passwords.js';
import { verifyApplicationPassword } from './pending-passwords.js';
import { mailSettings, transaction, type ServiceDeps } from './context.js';
import { LOGIN_FAILURE_LIMIT, LOGIN_LOCK_MS, LOGIN_WARN_FROM, lockedLogin, type LockedLogin, type LoginThrottle } from './login-throttle.js';
import { enqueueMail } from './mail-outbox.js';
import type { Session, Sessions } from './sessions.js';

/** One message for an unknown 利用者ID, a wrong password and a wrong 確認コード: it never tells which. */
export const ACCOUNT_LOGIN_FAILED_MESSAGE = '利用者ID、パスワードまたは確認コードが正しくありません。入力内容をご確認ください。';
/** One message for an unknown number and a wrong 申請用パスワード when adding an application. */
export const ADD_APPLICATION_FAILED_MESSAGE = '受付番号（到達番号）または申請用パスワードが正しくありません。入力内容をご確認ください。';
export const NOT_CONFIRMED_MESSAGE = '連絡先メールアドレスの確認が完了していません。利用者IDの発行時にお送りしたメールのリンクを開いて、確認を完了してください。';
export const LINK_INVALID_MESSAGE = 'このリンクは無効です。有効期限が過ぎたか、すでに使用されています。';

const CONFIRM_LINK_MS = 24 * 60 * 60 * 1000;
const RESET_LINK_MS = 60 * 60 * 1000;
const TOTP_OPTIONS = { issuer: '軽自動車OSS', algorithm: 'SHA1', digits: 6, period: 30 } as const;

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
/** A リカバリーコード as stored: random 60-bit codes need no slow hash, and the account's id keeps one account's hashes from matching another's. */
const recoveryHash = (accountId: string, code: string) => sha256(`recovery:${accountId}:${code}`);
const luhnDigit = (digits: string) => calculateLuhnModN((c) => Number(c), (n) => String(n), 10, digits);

/** The 利用者ID typed at login: 12 digits whose check digit agrees, or null (answered like a wrong password). */
function parseUserId(input: string): string | null {
  const shape = parseUserIdShape(input);
  if (!shape.ok) return null;
  return luhnDigit(shape.value.slice(0, -1)) === shape.value.slice(-1) ? shape.value : null;
}

export interface Origin {
  readonly clientAddress: string | null;
}

export interface RegisterInput {
  readonly kind: string;
  readonly name: string;
  readonly mailAddress: string;
  readonly password: string;
}

/** A refused registration names the field to mark. */
export type RegisterResult = { readonly ok: true; readonly value: { userId: string; accountId: string } } | { readonly ok: false; readonly refusal: { code: 'invalidInput'; message: string; field: keyof RegisterInput } };
export type ResetResult = { readonly ok: true } | { readonly ok: false; readonly refusal: { code: 'invalidInput'; message: string; field: 'password' | null } };

export type AccountLoginResult = Result<{ token: string; accountId: string; twoFactor: TwoFactorStanding }> | LockedLogin;

/** What the account page shows of the account. */
export interface AccountProfile {
  readonly userId: string;
  readonly kind: AccountKind;
  readonly name: string;
  readonly mailAddress: string;
  readonly totpEnabled: boolean;
  /** リカバリーコード not yet used (0 while two-factor is off). */
  readonly recoveryCodesLeft: number;
  /** The operator's two-factor rule for this account (decision 0013). */
  readonly twoFactor: TwoFactorStanding;
  readonly log: readonly AccountLogRecord[];
}

/**
 * 利用者ID (issue 16): issue (with a confirmation link by mail), confirm, log in (throttled and locked
 * like the applicant's login; a TOTP 確認コード when two-factor is on), reset the password by mail,
 * two-factor on and off, and the account's applications: added by 受付番号 + 申請用パスワード,
 * removed, owned. Every change is one transaction with its account log line and its mail.
 */
export function makeAccounts(deps: ServiceDeps, sessions: Sessions, throttle: LoginThrottle) {
  const repo = (db: Parameters<typeof accountRepository>[0] = deps.database.db) => accountRepository(db);
  const dummyHash = deps.passwords.hash(`dummy-account-${randomBytes(8).toString('hex')}`);
  const link = (path: string) => `${mailSettings(deps).baseUrl.replace(/\/+$/, '')}${path}`;
  const log = (tx: Tx, accountId: string, action: AccountLogAction, origin: Origin, receiptNumber: string | null = null) =>
    repo(tx).appendLog(deps.ids.id(), accountId, action, deps.clock.now(), receiptNumber, origin.clientAddress);

  async function newUserId(): Promise<string> {
    for (;;) {
      const body = `${1 + Number(deps.ids.digits(1)) % 9}${deps.ids.digits(10)}`;
      const id = body + luhnDigit(body);
      if (!(await repo().userIdTaken(id))) return id;
    }
  }

  async function issueToken(tx: Tx, accountId: string, purpose: 'confirm' | 'reset', ms: number): Promise<{ token: string; tokenId: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + ms);
    const hash = sha256(token);
    await repo(tx).insertToken(hash, accountId, purpose, expiresAt, now);
    return { token, tokenId: hash.slice(0, 32), expiresAt };
  }

  /** Where the account stands with the operator's two-factor rule (the domain decides; this reads the facts). */
  async function standingOf(db: Parameters<typeof accountRepository>[0], accountId: string): Promise<TwoFactorStanding | null> {
    const facts = await repo(db).twoFactorFacts(accountId);
    return facts ? twoFactorStanding(deps.twoFactorPolicy ?? noTwoFactorPolicy, facts.applications, facts.totpSet) : null;
  }

  function totpFor(account: Pick<AccountRecord, 'userId'>, secret: string): TOTP {
    return new TOTP({ ...TOTP_OPTIONS, label: formatUserId(account.userId), secret: Secret.fromBase32(secret) });
  }
  /**
   * A new set of リカバリーコード in place of the old (used or not), logged; the codes are returned to be
   * shown once, and only their hashes kept: SHA-256 of the account's id and the code (docs/accounts.md).
   */
  async function issueRecoveryCodes(tx: Tx, accountId: string, origin: Origin): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => recoveryCodeOf([...randomBytes(12)]));
    await repo(tx).replaceRecoveryCodes(accountId, codes.map((c) => recoveryHash(accountId, normalizeRecoveryCode(c)!)), deps.clock.now());
    await log(tx, accountId, 'recoveryCodesIssued', origin);
    return codes;
  }

  /**
   * The password typed again before a change of the second factor (リカバリーコードの再発行, 二要素認証の
   *再設定): a session taken over must not get a second factor of its own by a click. A wrong password
   * counts toward the login's lock of this 利用者ID (the same throttle and subject as ログイン) and is a
   * ログイン失敗 line of the account's log.
   */
  async function confirmPassword(account: AccountRecord, password: string, log_: Pick<Logger, 'warn'> | undefined, origin: Origin): Promise<Result<true>> {
    const attempt = await throttle.guardPassword('account', `account:${account.id}`, async () => ((await deps.passwords.verify(account.passwordHash, password)) ? account : null), log_);
    if (attempt.kind === 'locked') {
      return refuse('invalidCredentials', `パスワードの誤りが続いたため、この利用者IDではログインと二要素認証の変更ができないようにしています。しばらく（${LOGIN_LOCK_MS / 60_000}分程度）待ってから、もう一度お試しください。`);
    }
    if (attempt.kind === 'failed') {
      await transaction(deps, (tx) => log(tx, account.id, 'loginFailed', origin));
      return refuse('invalidCredentials', `パスワードが正しくありません。あと${attempt.remaining}回続けて誤ると、この利用者IDでは${LOGIN_LOCK_MS / 60_000}分間ログインできなくなります。`);
    }
    return ok(true);
  }

  /** A リカバリーコード typed at login in place of the 確認コード: used once, logged, and the account told by mail. */
  async function useRecoveryCode(account: AccountRecord, typed: string, origin: Origin): Promise<boolean> {
    const code = normalizeRecoveryCode(typed);
    if (!code) return false;
    return transaction(deps, async (tx) => {
      const now = deps.clock.now();
      if (!(await repo(tx).useRecoveryCode(account.id, recoveryHash(account.id, code), now))) return false;
      const logId = deps.ids.id();
      await repo(tx).appendLog(logId, account.id, 'recoveryCodeUsed', now, null, origin.clientAddress);
      const left = await repo(tx).recoveryCodesLeft(account.id);
      await enqueueMail(deps, tx, recoveryCodeUsedMail({ accountId: account.id, to: account.mailAddress, name: account.name, userId: account.userId }, now, left, link('/account'), logId));
      return true;
    });
  }

  const totpOk = (account: Pick<AccountRecord, 'userId'>, secret: string, code: string) => /^[0-9]{6}$/.test(code) && totpFor(account, secret).validate({ token: code, window: 1, timestamp: deps.clock.now().getTime() }) !== null;

  return {
    /** 利用者IDの発行: the ID is returned (shown once) and mailed with the confirmation link. */
    async register(input: RegisterInput, origin: Origin): Promise<RegisterResult> {
      const fail = (field: keyof RegisterInput, message: string) => ({ ok: false as const, refusal: { code: 'invalidInput' as const, message, field } });
      if (!isAccountKind(input.kind)) return fail('kind', '利用者の種別を選択してください。');
      const name = parseAccountName(input.name);
      if (!name.ok) return fail('name', name.refusal.message);
      const mail = parseMailAddress(input.mailAddress);
      if (!mail.ok) return fail('mailAddress', mail.refusal.message);
      const password = checkNewPassword(input.password, { mailAddress: mail.value });
      if (!password.ok) return fail('password', password.refusal.message);
      const passwordHash = await deps.passwords.hash(input.password);
      const userId = await newUserId();
      const kind = input.kind;
      return transaction(deps, async (tx): Promise<RegisterResult> => {
        const now = deps.clock.now();
        const account: AccountRecord = { id: deps.ids.id(), userId, kind, name: name.value, mailAddress: mail.value, confirmedAt: null, passwordHash, totpSecret: null, createdAt: now };
        await repo(tx).insert(account, now);
        await log(tx, account.id, 'registered', origin);
        const confirm = await issueToken(tx, account.id, 'confirm', CONFIRM_LINK_MS);
        const who = { accountId: account.id, to: account.mailAddress, name: account.name, userId };
        await enqueueMail(deps, tx, confirmationMail(who, link(`/account/confirm/${confirm.token}`), confirm.expiresAt, confirm.tokenId));
        await enqueueMail(deps, tx, issuedMail(who, link('/account/login')));
        return { ok: true, value: { userId, accountId: account.id } };
      });
    },

    /** メールアドレスの確認: the link's token, once; the 利用者ID works from then on. */
    async confirm(token: string, origin: Origin): Promise<Result<{ userId: string }>> {
      if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return refuse('invalidInput', LINK_INVALID_MESSAGE);
      return transaction(deps, async (tx) => {
        const now = deps.clock.now();
        const accountId = await repo(tx).useToken(sha256(token), 'confirm', now);
        const account = accountId ? await repo(tx).find(accountId) : null;
        if (!account) return refuse('invalidInput', LINK_INVALID_MESSAGE);
        if (!account.confirmedAt) {
          await repo(tx).update(account.id, { confirmedAt: now }, now);
          await log(tx, account.id, 'confirmed', origin);
        }
        return ok({ userId: account.userId });
      });
    },

    /**
     * ログイン: 利用者ID + パスワード (+ 確認コード when two-factor is on). Locked after 5 failures
     * in 15 minutes like the applicant's login; an unknown 利用者ID is counted alike. A new session.
     */
    async login(userIdInput: string, password: string, totpCode: string, log_: Pick<Logger, 'warn'> | undefined, origin: Origin): Promise<AccountLoginResult> {
      const userId = parseUserId(userIdInput);
      const found = userId ? await repo().findByUserId(userId) : null;
      const subject = found ? `account:${found.id}` : `account-id:${userId ?? userIdInput.slice(0, 60)}`;
      const attempt = await throttle.guardPassword(
        'account',
        subject,
        async () => {
          const passwordOk = await deps.passwords.verify(found?.passwordHash ?? (await dummyHash), password);
          if (!passwordOk || !found) return null;
          // The 確認コード, or else a リカバリーコード (each once): counted by the same throttle either way.
          if (found.totpSecret && !totpOk(found, found.totpSecret, totpCode.trim()) && !(await useRecoveryCode(found, totpCode, origin))) return null;
          return found;
        },
        log_,
      );
      if (attempt.kind === 'locked') {
        if (found) await transaction(deps, (tx) => log(tx, found.id, 'loginFailed', origin));
        const message = `パスワード等の誤りが続いたため、この利用者IDではログインできないようにしています。しばらく（${LOGIN_LOCK_MS / 60_000}分程度）待ってから、もう一度ログインしてください。`;
        return lockedLogin(message, attempt.until, deps.clock.now());
      }
      if (attempt.kind === 'failed') {
        if (found) await transaction(deps, (tx) => log(tx, found.id, 'loginFailed', origin));
        const warn = LOGIN_FAILURE_LIMIT - attempt.remaining >= LOGIN_WARN_FROM;
        return refuse('invalidCredentials', warn ? `${ACCOUNT_LOGIN_FAILED_MESSAGE}あと${attempt.remaining}回続けて誤ると、この利用者IDでは${LOGIN_LOCK_MS / 60_000}分間ログインできなくなります。` : ACCOUNT_LOGIN_FAILED_MESSAGE);
      }
      const account = attempt.value;
      if (!account.confirmedAt) return refuse('actorNotAllowed', NOT_CONFIRMED_MESSAGE);
      const { token } = await sessions.start('account', { accountId: account.id });
      await transaction(deps, (tx) => log(tx, account.id, 'login', origin));
      return ok({ token, accountId: account.id, twoFactor: (await standingOf(deps.database.db, account.id)) ?? 'optional' });
    },

    /** パスワードを忘れた方: a reset link by mail when the 利用者ID and address match; the same answer either way. */
    async requestPasswordReset(userIdInput: string, mailAddress: string): Promise<void> {
      const userId = parseUserId(userIdInput);
      const account = userId ? await repo().findByUserId(userId) : null;
      if (!account || account.mailAddress.toLowerCase() !== mailAddress.normalize('NFKC').trim().toLowerCase()) return;
      await transaction(deps, async (tx) => {
        const reset = await issueToken(tx, account.id, 'reset', RESET_LINK_MS);
        await enqueueMail(deps, tx, passwordResetMail({ accountId: account.id, to: account.mailAddress, name: account.name, userId: account.userId }, link(`/account/reset/${reset.token}`), reset.expiresAt, reset.tokenId));
      });
    },

    /** Whether a reset link is still usable (its form is shown only then). */
    async resetLinkLive(token: string): Promise<boolean> {
      return /^[A-Za-z0-9_-]{20,100}$/.test(token) && repo().tokenLive(sha256(token), 'reset', deps.clock.now());
    },

    /** パスワードの再設定: the link's token, once; every session of the account ends. */
    async resetPassword(token: string, password: string, origin: Origin): Promise<ResetResult> {
      const linkInvalid = { ok: false, refusal: { code: 'invalidInput', message: LINK_INVALID_MESSAGE, field: null } } as const;
      if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return linkInvalid;
      if (!(await repo().tokenLive(sha256(token), 'reset', deps.clock.now()))) return linkInvalid;
      const passwordHash = await deps.passwords.hash(password);
      return transaction(deps, async (tx): Promise<ResetResult> => {
        const live = await repo(tx).tokenLive(sha256(token), 'reset', deps.clock.now());
        const accountId = live ? await repo(tx).accountOfToken(sha256(token)) : null;
        const account = accountId ? await repo(tx).find(accountId) : null;
        if (!account) return linkInvalid;
        // A refused password leaves the link usable, so the user can try another one.
        const checked = checkNewPassword(password, { userId: account.userId, mailAddress: account.mailAddress });
        if (!checked.ok) return { ok: false, refusal: { code: 'invalidInput', message: checked.refusal.message, field: 'password' } };
        if (!(await repo(tx).useToken(sha256(token), 'reset', deps.clock.now()))) return linkInvalid;
        await repo(tx).update(account.id, { passwordHash, ...(account.confirmedAt ? {} : { confirmedAt: deps.clock.now() }) }, deps.clock.now());
        await sessionRepository(tx).deleteForAccount(account.id);
        await log(tx, account.id, 'passwordReset', origin);
        return { ok: true };
      });
    },

    /** The account page: who, two-factor on or off, and the newest 100 lines of the log. */
    async profile(accountId: string): Promise<AccountProfile | null> {
      const account = await repo().find(accountId);
      if (!account) return null;
      const twoFactor = (await standingOf(deps.database.db, accountId)) ?? 'optional';
      const recoveryCodesLeft = account.totpSecret ? await repo().recoveryCodesLeft(accountId) : 0;
      return { userId: account.userId, kind: account.kind, name: account.name, mailAddress: account.mailAddress, totpEnabled: account.totpSecret !== null, recoveryCodesLeft, twoFactor, log: await repo().log(accountId, 100) };
    },

    /** Where the account stands with the operator's two-factor rule (null: no such account). */
    twoFactorStanding(accountId: string): Promise<TwoFactorStanding | null> {
      return standingOf(deps.database.db, accountId);
    },

    /** 氏名又は名称 of the account (the 申請一覧's heading), or null. */
    async nameOf(accountId: string): Promise<string | null> {
      return (await repo().find(accountId))?.name ?? null;
    },

    /** A new TOTP secret and its otpauth:// URI (for the QR code); stored only once a code from it is confirmed. */
    async totpProposal(accountId: string, keep?: string): Promise<{ secret: string; uri: string; replacing: boolean } | null> {
      const account = await repo().find(accountId);
      if (!account) return null;
      // A proposal whose code was mistyped is shown again (the app has already scanned it).
      const secret = keep && /^[A-Z2-7]{32}$/.test(keep) ? keep : new Secret({ size: 20 }).base32;
      // Replacing a second factor already set asks for the password too (enableTotp).
      return { secret, uri: totpFor(account, secret).toString(), replacing: account.totpSecret !== null };
    },

    /**
     * 二要素認証の設定 (or set again with a new app): the proposed secret, confirmed by a current code
     * from the app; a new set of リカバリーコード, returned to be shown once.
     */
    async enableTotp(accountId: string, secret: string, code: string, password: string, log_: Pick<Logger, 'warn'> | undefined, origin: Origin): Promise<Result<{ recoveryCodes: string[] }>> {
      if (!/^[A-Z2-7]{32}$/.test(secret)) return refuse('invalidInput', '設定をやり直してください。');
      // Set again (a new phone): the password typed again, as for リカバリーコードの再発行.
      const before = await repo().find(accountId);
      if (before?.totpSecret) {
        const confirmed = await confirmPassword(before, password, log_, origin);
        if (!confirmed.ok) return confirmed;
      }
      return transaction(deps, async (tx) => {
        const account = await repo(tx).find(accountId);
        if (!account) return refuse('notFound', '利用者IDが見つかりません。');
        if (!totpOk(account, secret, code.trim())) return refuse('invalidInput', '確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。');
        await repo(tx).update(accountId, { totpSecret: secret }, deps.clock.now());
        await log(tx, accountId, 'totpEnabled', origin);
        return ok({ recoveryCodes: await issueRecoveryCodes(tx, accountId, origin) });
      });
    },

    /** 二要素認証の解除: with a current code. */
    async disableTotp(accountId: string, code: string, origin: Origin): Promise<Result<true>> {
      return transaction(deps, async (tx) => {
        const account = await repo(tx).find(accountId);
        if (!account?.totpSecret) return refuse('statusDoesNotAllow', '二要素認証は設定されていません。');
        // The operator's rule (decision 0013): not removed while the account holds more than one application.
        const allowed = mayDisableTwoFactor((await standingOf(tx, accountId)) ?? 'optional');
        if (!allowed.ok) return allowed;
        if (!totpOk(account, account.totpSecret, code.trim())) return refuse('invalidInput', '確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。');
        await repo(tx).update(accountId, { totpSecret: null }, deps.clock.now());
        await repo(tx).replaceRecoveryCodes(accountId, [], deps.clock.now());
        await log(tx, accountId, 'totpDisabled', origin);
        return ok(true);
      });
    },

    /**
     * リカバリーコードの再発行: a new set shown once; every earlier code stops working. Only with
     * two-factor on, and only with the account's password typed again: a session taken over must not
     * get codes of its own (a second factor for later) by a click. A wrong password counts toward the
     * login's lock of this 利用者ID (the same throttle and subject as ログイン).
     */
    async regenerateRecoveryCodes(accountId: string, password: string, log_: Pick<Logger, 'warn'> | undefined, origin: Origin): Promise<Result<{ recoveryCodes: string[] }>> {
      const account = await repo().find(accountId);
      if (!account?.totpSecret) return refuse('statusDoesNotAllow', 'リカバリーコードは、二要素認証を設定している場合に発行できます。');
      const confirmed = await confirmPassword(account, password, log_, origin);
      if (!confirmed.ok) return confirmed;
      return transaction(deps, async (tx) => {
        const current = await repo(tx).find(accountId);
        if (!current?.totpSecret) return refuse('statusDoesNotAllow', 'リカバリーコードは、二要素認証を設定している場合に発行できます。');
        return ok({ recoveryCodes: await issueRecoveryCodes(tx, accountId, origin) });
      });
    },

    /**
     * 申請の追加: proves the application is the user's by its 受付番号（到達番号） and 申請用パスワード.
     * A wrong password and an unknown number get one message; 5 failures in 15 minutes lock the
     * account's additions for 15 minutes.
     */
    async addApplication(accountId: string, number: ReceiptNumber, password: string, log_: Pick<Logger, 'warn'> | undefined, origin: Origin): Promise<Result<{ added: boolean; number: ReceiptNumber }> | LockedLogin> {
      const apps = applicationRepository(deps.database.db, deps.database.dialect);
      const found = await apps.findLogin(number);
      const attempt = await throttle.guardPassword('account', `account-add:${accountId}`, async () => ((await verifyApplicationPassword(deps, found, password, dummyHash)) && found ? found : null), log_);
      if (attempt.kind === 'locked') return lockedLogin(`受付番号（到達番号）または申請用パスワードの誤りが続いたため、申請の追加をしばらく（${LOGIN_LOCK_MS / 60_000}分程度）受け付けないようにしています。時間をおいて、もう一度お試しください。`, attempt.until, deps.clock.now());
      if (attempt.kind === 'failed') return refuse('invalidCredentials', ADD_APPLICATION_FAILED_MESSAGE);
      const applicationId = attempt.value.id;
      return transaction(deps, async (tx) => {
        const app = await applicationRepository(tx, deps.database.dialect).findNumbers(applicationId);
        if (!app) return refuse('invalidCredentials', ADD_APPLICATION_FAILED_MESSAGE);
        const added = await repo(tx).addApplication(accountId, applicationId, deps.clock.now());
        const shown = displayNumber(app);
        if (added) await log(tx, accountId, 'applicationAdded', origin, shown);
        return ok({ added, number: shown });
      });
    },

    /** 一覧から削除: the application leaves the list (it is not withdrawn); sessions that had it open close it. */
    async removeApplication(accountId: string, applicationId: string, origin: Origin): Promise<Result<{ number: ReceiptNumber }>> {
      return transaction(deps, async (tx) => {
        const app = await applicationRepository(tx, deps.database.dialect).findNumbers(applicationId);
        if (!app || !(await repo(tx).removeApplication(accountId, applicationId))) return refuse('notFound', 'この申請は申請一覧にありません。');
        await sessionRepository(tx).closeApplicationForAccount(accountId, applicationId);
        await log(tx, accountId, 'applicationRemoved', origin, displayNumber(app));
        return ok({ number: displayNumber(app) });
      });
    },

    /** Does the account hold the application? */
    accountOwnsApplication(accountId: string, applicationId: string): Promise<boolean> {
      return repo().owns(accountId, applicationId);
    },

    /** Opens an application of the list in the account's session (its status page and actions then work), after checking it is the account's. */
    async openApplication(session: Session, applicationId: string): Promise<Result<true>> {
      if (session.kind !== 'account' || !session.accountId) return refuse('actorNotAllowed', 'ログインしてください。');
      const accountId = session.accountId;
      return transaction(deps, async (tx) => {
        if (!(await repo(tx).owns(accountId, applicationId))) return refuse('notFound', 'この申請は申請一覧にありません。');
        await sessionRepository(tx).openApplication(session.idHash, applicationId);
        return ok(true);
      });
    },
  };
}

