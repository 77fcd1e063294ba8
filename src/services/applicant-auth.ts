import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { ProcedureCode } from '../domain/procedures.js';
import type { ReceiptNumber } from '../domain/receipt-number.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { applicationRepository } from '../store/applications.repository.js';
import type { ServiceDeps } from './context.js';
import type { Sessions } from './sessions.js';
import { LOGIN_WARN_FROM, LOGIN_FAILURE_LIMIT, lockedLogin, loginLockedMessage, loginTriesLeftMessage, makeLoginThrottle, type LockedLogin, type LoginThrottle } from './login-throttle.js';
import { recordAudit } from './audit.js';
import { verifyApplicationPassword } from './pending-passwords.js';

/** One message for an unknown number and a wrong password: it never tells which was wrong. */
export const LOGIN_FAILED_MESSAGE = '受付番号（到達番号）または申請用パスワードが正しくありません。入力内容をご確認ください。';

export interface ApplicantAuthSecrets {
  /** Keys the procedure shown for numbers that do not exist (see procedureForLogin). */
  readonly disguiseKey: string;
}

/** A refused login; `lockedUntil` when the number is locked after repeated wrong passwords (issue 5). */
export type LoginResult = Result<{ token: string; applicationId: string }> | LockedLogin;

export function makeApplicantAuth(deps: ServiceDeps, sessions: Sessions, secrets: ApplicantAuthSecrets, throttle: LoginThrottle = makeLoginThrottle(deps, secrets.disguiseKey)) {
  const repo = () => applicationRepository(deps.database.db, deps.database.dialect);
  // Verified against when the number is unknown, so that both failures take the same time.
  const dummyHash = deps.passwords.hash(`dummy-${secrets.disguiseKey}`);

  return {
    /**
     * The procedure that titles the second login step (状況照会 ログイン 継続検査 / 新車). For a
     * number that does not exist, a keyed hash picks one, stable for that number, so the title
     * does not tell whether an application exists.
     */
    async procedureForLogin(number: ReceiptNumber): Promise<ProcedureCode> {
      const found = await repo().findLogin(number);
      if (found) return found.procedure;
      const byte = createHmac('sha256', secrets.disguiseKey).update(number).digest()[0] ?? 0;
      return byte % 2 === 0 ? 'continuousInspection' : 'newVehicle';
    },

    /**
     * Checks the number and password; on success starts a new session holding that one application.
     * A locked number (5 wrong passwords in 15 minutes, existing or not) is refused before the
     * password is verified; `log` is the request's logger, so the lock's warning carries its id.
     */
    async login(number: ReceiptNumber, password: string, log?: Pick<Logger, 'warn'>, origin: { clientAddress: string | null } = { clientAddress: null }): Promise<LoginResult> {
      const found = await repo().findLogin(number);
      // One counter and one lock per application, whichever of its two numbers is typed; per number when none exists.
      const attempt = await throttle.guardPassword(
        'applicant',
        found ? `application:${found.id}` : number,
        async () => ((await verifyApplicationPassword(deps, found, password, dummyHash)) && found ? found : null),
        log,
      );
      if (attempt.kind === 'locked') return lockedLogin(loginLockedMessage(attempt.until), attempt.until, deps.clock.now());
      if (attempt.kind === 'failed') {
        const warn = LOGIN_FAILURE_LIMIT - attempt.remaining >= LOGIN_WARN_FROM;
        return refuse('invalidCredentials', warn ? `${LOGIN_FAILED_MESSAGE}${loginTriesLeftMessage(attempt.remaining)}` : LOGIN_FAILED_MESSAGE);
      }
      if (!found) return refuse('invalidCredentials', LOGIN_FAILED_MESSAGE);
      const { token } = await sessions.start('applicant', { applicationId: found.id });
      // The audit trail names the application the session holds, never the session (issue 19).
      await recordAudit(deps, { action: 'applicantLogin', actor: { kind: 'applicant', applicationId: found.id }, clientAddress: origin.clientAddress, receiptNumber: number });
      return ok({ token, applicationId: found.id });
    },
  };
}
