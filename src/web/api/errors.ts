import type { FastifyReply } from 'fastify';
import type { Refusal, RefusalCode } from '../../domain/result.js';

/**
 * HTTP status of each refusal: 400 bad input, 401 no credentials, 403 not this actor or office,
 * 404 no such application, 409 the application's state does not allow it now (wrong status,
 * stale version, already done, deadline), 422 the request cannot apply to this application at all.
 */
export const refusalStatus: Record<RefusalCode, number> = {
  invalidInput: 400,
  invalidCredentials: 401,
  actorNotAllowed: 403,
  otherOffice: 403,
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

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly fields?: Readonly<Record<string, string>> };
}

export function errorBody(code: string, message: string, fields?: Readonly<Record<string, string>>): ApiErrorBody {
  return { error: fields && Object.keys(fields).length > 0 ? { code, message, fields } : { code, message } };
}

export function refusalBody(refusal: Refusal): { status: number; body: ApiErrorBody } {
  return { status: refusalStatus[refusal.code] ?? 400, body: errorBody(refusal.code, refusal.message) };
}

export function sendApiError(reply: FastifyReply, status: number, code: string, message: string, fields?: Readonly<Record<string, string>>) {
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message, fields));
}
