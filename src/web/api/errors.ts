import type { FastifyReply } from 'fastify';
import type { Refusal } from '../../domain/result.js';
import { refusalStatus } from '../refusals.js';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly fields?: Readonly<Record<string, string>> };
}

export function errorBody(code: string, message: string, fields?: Readonly<Record<string, string>>): ApiErrorBody {
  return { error: fields && Object.keys(fields).length > 0 ? { code, message, fields } : { code, message } };
}

export function refusalBody(refusal: Refusal, fields?: Readonly<Record<string, string>>): { status: number; body: ApiErrorBody } {
  return { status: refusalStatus(refusal.code), body: errorBody(refusal.code, refusal.message, fields) };
}

export function sendApiError(reply: FastifyReply, status: number, code: string, message: string, fields?: Readonly<Record<string, string>>) {
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message, fields));
}
