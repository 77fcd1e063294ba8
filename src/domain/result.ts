/**
 * A refusal is a value, not an exception: the domain says *why* something cannot happen
 * (in Japanese, for the person who asked) and the web layer decides how to show it.
 */
export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
}

export type RefusalCode =
  | 'invalidInput'
  | 'notFound'
  | 'statusDoesNotAllow'
  | 'actorNotAllowed'
  | 'otherOffice'
  | 'deadlinePassed'
  | 'deadlineNotPassed'
  | 'attachmentsIncomplete'
  | 'alreadyDone'
  | 'procedureDoesNotAllow'
  | 'paymentNumberTaken'
  | 'versionConflict'
  | 'vehicleNumberTaken'
  | 'invalidCredentials'
  /** 二要素認証 is required by the operator and not set (issue 16). */
  | 'twoFactorRequired';

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: Refusal };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function refuse<T = never>(code: RefusalCode, message: string): Result<T> {
  return { ok: false, refusal: { code, message } };
}
