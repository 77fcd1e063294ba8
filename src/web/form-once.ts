import { createHash, randomUUID } from 'node:crypto';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requestFingerprint, type Answer, type IdempotentOutcome, type Once } from '../services/idempotency.js';
import type { Services } from '../services/index.js';

/**
 * One-time form tokens: the forms that create or move things (申請を行う's final 申請する, each staff
 * decision) carry a random token in a hidden field. The first post of a token does the work and its
 * answer (where to go next) is stored in the same transaction as the write; a replayed or retried
 * post of the same form — a double click, the browser's 再送信, a retry after a crash — gets that
 * answer again and never acts twice. The token is bound to the session (or, before a login, to the
 * browser's CSRF secret): the same token from another session is a different key.
 */
export const FORM_TOKEN_FIELD = 'formToken';
export const FormTokenField = Type.Optional(Type.String({ pattern: '^[0-9a-f-]{36}$' }));

export function newFormToken(): string {
  return randomUUID();
}

/** Whose form tokens these are: the session, or the browser's CSRF secret before any login. */
function formScope(req: FastifyRequest): string {
  const session = req.staffSession?.idHash ?? req.applicantSession?.idHash;
  if (session) return `form:${session}`;
  const raw = req.cookies.kei_csrf;
  const secret = raw ? req.unsignCookie(raw) : null;
  const basis = secret?.valid && secret.value ? secret.value : 'anonymous';
  return `form:${createHash('sha256').update(basis).digest('hex').slice(0, 32)}`;
}

/** The form's own fields make its fingerprint (the CSRF token, new at every page, does not). */
function formFingerprint(req: FastifyRequest): string {
  const body = { ...((req.body as Record<string, unknown> | undefined) ?? {}) };
  delete body._csrf;
  return requestFingerprint(req.method, req.url.split('?')[0] ?? req.url, body);
}

/** Work without a token: no hook in the use case's transaction. */
export const withoutToken: Once = { within: () => undefined };

export type FormOutcome =
  | { readonly kind: 'answer'; readonly status: number; readonly body: unknown; readonly replayed: boolean }
  | { readonly kind: 'noToken' }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'inProgress' };

function formOutcome(o: IdempotentOutcome): FormOutcome {
  if (o.kind === 'fresh') return { kind: 'answer', status: o.status, body: o.body, replayed: false };
  if (o.kind === 'replay') return { kind: 'answer', status: o.status, body: JSON.parse(o.body) as unknown, replayed: true };
  return o;
}

/**
 * Runs the form's work once per token: the first answer, or the stored one for a replay.
 * `noToken` when the form carries none (an old page): the caller decides (show the form again, or
 * rely on the version check alone).
 */
export async function runFormOnce(services: Services, req: FastifyRequest, work: (once: Once) => Promise<Answer>): Promise<FormOutcome> {
  const token = (req.body as Record<string, unknown> | undefined)?.[FORM_TOKEN_FIELD];
  if (typeof token !== 'string' || !/^[0-9a-f-]{36}$/.test(token)) return { kind: 'noToken' };
  return formOutcome(await services.idempotency.run({ scope: formScope(req), key: token, fingerprint: formFingerprint(req) }, work));
}
