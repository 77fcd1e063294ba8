import type { Logger } from 'pino';
import { isOfficeCode } from '../domain/offices.js';
import type { Actor } from '../domain/actors.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { inspectionOffices } from '../domain/offices.js';
import { staffRoles, type StaffRole, type StaffUser } from '../domain/agency.js';
import { staffUserRepository } from '../store/staff-users.repository.js';
import { recordAudit, type AuditActor } from './audit.js';
import type { Session } from './sessions.js';
import type { Sessions } from './sessions.js';
import type { ServiceDeps } from './context.js';
import { LOGIN_FAILURE_LIMIT, LOGIN_WARN_FROM, lockedLogin, staffLoginLockedMessage, staffLoginTriesLeftMessage, type LockedLogin, type LoginThrottle } from './login-throttle.js';

/** One message for an unknown login id, a wrong password and a disabled account. */
export const STAFF_LOGIN_FAILED_MESSAGE = 'ログインIDまたはパスワードが正しくありません。入力内容をご確認ください。';

/** Staff passwords: long enough to resist guessing; a passphrase is welcome. */
export const STAFF_PASSWORD_MIN = 12;
export const STAFF_PASSWORD_MAX = 128;

export function checkStaffPassword(password: string): string | null {
  if (password.length < STAFF_PASSWORD_MIN || password.length > STAFF_PASSWORD_MAX) return `パスワードは${STAFF_PASSWORD_MIN}文字以上${STAFF_PASSWORD_MAX}文字以内で指定してください。`;
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'パスワードに制御文字は使用できません。';
  return null;
}

/** ログインID: lower-case letters, digits, dot, hyphen and underscore. */
export function checkLoginId(loginId: string): string | null {
  return /^[a-z0-9][a-z0-9._-]{2,63}$/.test(loginId) ? null : 'ログインIDは半角英小文字・数字・記号（. _ -）の3〜64文字で指定してください。';
}

export interface NewStaffUser {
  readonly loginId: string;
  readonly password: string;
  readonly displayName: string;
  readonly officeCode: string;
  /** clerk (default), viewer (閲覧のみ) or supervisor (監督者). */
  readonly role?: string | undefined;
}

export const staffRoleLabels: Record<StaffRole, string> = { clerk: '職員', viewer: '閲覧のみ', supervisor: '監督者' };

/** Who a staff user is in the audit trail: the name and the login id (never the session). */
export function staffAuditActor(user: StaffUser): AuditActor {
  return { kind: 'staff', id: user.id, label: `${user.displayName}（${user.loginId}）` };
}

/** Where an action came from, for the audit trail. */
export interface AuditOrigin {
  readonly clientAddress: string | null;
}

/** The actor a clerk's decisions are recorded as, in the application's history. */
export function staffActor(user: StaffUser): Extract<Actor, { kind: 'inspectionOffice' }> {
  return { kind: 'inspectionOffice', officeCode: user.officeCode, id: user.id, label: user.displayName };
}

/** Office clerks: created from the command line, argon2id passwords, sessions in the database. */
export function makeStaffAuth(deps: ServiceDeps, sessions: Sessions, throttle: LoginThrottle) {
  const repo = () => staffUserRepository(deps.database.db);
  const dummyHash = deps.passwords.hash('dummy-staff-password-for-timing');

  const auth = {
    /** `by`: who created the user (a supervisor in the staff UI, or the command line), recorded in the audit trail. */
    async createUser(input: NewStaffUser, options: { id?: string; by?: { actor: AuditActor; clientAddress: string | null } } = {}): Promise<Result<StaffUser>> {
      const role = input.role ?? 'clerk';
      if (!(staffRoles as readonly string[]).includes(role)) return refuse('invalidInput', `権限は clerk（職員）、viewer（閲覧のみ）、supervisor（監督者）のいずれかで指定してください（指定値: ${role}）。`);
      const loginError = checkLoginId(input.loginId);
      if (loginError) return refuse('invalidInput', loginError);
      const passwordError = checkStaffPassword(input.password);
      if (passwordError) return refuse('invalidInput', passwordError);
      const displayName = input.displayName.normalize('NFKC').trim();
      if (displayName === '' || displayName.length > 60 || /[\u0000-\u001f\u007f]/.test(displayName)) return refuse('invalidInput', '表示名は1〜60文字で指定してください。');
      if (!isOfficeCode(input.officeCode)) return refuse('invalidInput', `事務所等のコードが正しくありません: ${input.officeCode}`);
      const user = {
        id: options.id ?? deps.ids.id(),
        role: role as StaffRole,
        loginId: input.loginId,
        displayName,
        officeCode: input.officeCode,
        createdAt: deps.clock.now(),
        disabledAt: null,
        passwordHash: await deps.passwords.hash(input.password),
      };
      if (!(await repo().insert(user))) return refuse('alreadyDone', `ログインID「${input.loginId}」はすでに使われています。`);
      const { passwordHash: _hash, ...created } = user;
      if (options.by) {
        await recordAudit(deps, { action: 'staffUserCreated', actor: options.by.actor, clientAddress: options.by.clientAddress, detail: `${displayName}（${input.loginId}）、${inspectionOffices[created.officeCode].name}、${staffRoleLabels[created.role]}` });
      }
      return ok(created);
    },

    /**
     * Checks the login id and password; on success a new session (a new id at every login). Login
     * throttling (issue 5): 5 wrong passwords lock the login id for 15 minutes, checked before
     * the password is verified; `log` is the request's logger, so the lock's warning carries its id.
     */
    async login(loginId: string, password: string, origin: AuditOrigin = { clientAddress: null }, log?: Pick<Logger, 'warn'>): Promise<Result<{ token: string; user: StaffUser }> | LockedLogin> {
      const attempt = await throttle.guardPassword(
        'staff',
        loginId,
        async () => {
          const found = await repo().findByLoginId(loginId);
          const valid = await deps.passwords.verify(found?.passwordHash ?? (await dummyHash), password);
          return found && valid && found.disabledAt === null ? found : null;
        },
        log,
      );
      if (attempt.kind === 'locked') return lockedLogin(staffLoginLockedMessage(attempt.until), attempt.until, deps.clock.now());
      if (attempt.kind === 'failed') {
        // From the 3rd wrong password the clerk is told how many tries are left (issue 14).
        const warn = LOGIN_FAILURE_LIMIT - attempt.remaining >= LOGIN_WARN_FROM ? staffLoginTriesLeftMessage(attempt.remaining) : '';
        return refuse('invalidCredentials', `${STAFF_LOGIN_FAILED_MESSAGE}${warn}`);
      }
      const { token } = await sessions.start('staff', { staffUserId: attempt.value.id });
      const { passwordHash: _hash, ...user } = attempt.value;
      // Right after the session starts (its own transaction): see docs/deployment.md, "Audit trail".
      await recordAudit(deps, { action: 'staffLogin', actor: staffAuditActor(user), clientAddress: origin.clientAddress });
      return ok({ token, user });
    },

    /** ログアウト: ends the session, recorded in the audit trail when it belonged to a staff user. */
    async logout(session: Session, origin: AuditOrigin): Promise<void> {
      const user = await auth.userOf(session);
      await sessions.end(session);
      if (user) await recordAudit(deps, { action: 'staffLogout', actor: staffAuditActor(user), clientAddress: origin.clientAddress });
    },

    /** The clerk of a live staff session, or null (unknown or disabled since). */
    async userOf(session: Session | null): Promise<StaffUser | null> {
      if (!session || session.kind !== 'staff' || !session.staffUserId) return null;
      const found = await repo().findById(session.staffUserId);
      if (!found || found.disabledAt !== null) return null;
      const { passwordHash: _hash, ...user } = found;
      return user;
    },
  };
  return auth;
}
