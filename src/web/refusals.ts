import type { RefusalCode } from '../domain/result.js';

/**
 * The one table from a refusal of the domain or a service to its HTTP status, for the portal, the
 * staff UI and the agency API alike: 400 bad input, 401 wrong or missing credentials, 403 not this
 * actor or office, 404 no such application, 409 the application's state does not allow it now
 * (wrong status, stale version, already done, deadline), 422 the request cannot apply to this
 * application at all (its procedure has no such thing).
 */
const statusOfRefusal: Record<RefusalCode, number> = {
  invalidInput: 400,
  invalidCredentials: 401,
  actorNotAllowed: 403,
  otherOffice: 403,
  twoFactorRequired: 403,
  notFound: 404,
  statusDoesNotAllow: 409,
  versionConflict: 409,
  alreadyDone: 409,
  paymentNumberTaken: 409,
  deadlinePassed: 409,
  deadlineNotPassed: 409,
  attachmentsIncomplete: 409,
  vehicleNumberTaken: 409,
  procedureDoesNotAllow: 422,
};

export function refusalStatus(code: RefusalCode): number {
  return statusOfRefusal[code] ?? 400;
}
