import { Signer, type UnsignResult } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';

export const APPLICANT_SESSION_COOKIE = 'kei_session';
export const STAFF_SESSION_COOKIE = 'kei_staff_session';
export const LOGIN_NUMBER_COOKIE = 'kei_login_number';

/** HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS (a trusted proxy's X-Forwarded-Proto included). */
export function cookieOptions(req: FastifyRequest, maxAgeSeconds?: number, path = '/') {
  return {
    path,
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: req.protocol === 'https',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

export function clearCookie(req: FastifyRequest, reply: FastifyReply, name: string, path = '/') {
  reply.clearCookie(name, cookieOptions(req, undefined, path));
}

/** Signed cookie values recently found valid, per process (a browser sends the same CSRF cookie at every request). */
const VALID_SIGNATURES_KEPT = 2000;

/**
 * @fastify/cookie's own signer (HMAC-SHA256), remembering the signed values it has found valid:
 * the CSRF cookie is checked at every page view (issue 18: one HMAC a request). Only a value the
 * HMAC accepted is remembered, as the exact string the browser sent, so nothing is accepted that
 * the signer itself would refuse; a value signed with an older secret (renew) is not remembered.
 */
export function rememberingSigner(secret: string): { sign(value: string): string; unsign(input: string): UnsignResult } {
  const signer = new Signer(secret);
  const valid = new LRUCache<string, string>({ max: VALID_SIGNATURES_KEPT });
  return {
    sign: (value) => signer.sign(value),
    unsign(input) {
      const value = valid.get(input);
      if (value !== undefined) return { valid: true, renew: false, value };
      const result = signer.unsign(input);
      if (result.valid && !result.renew && result.value !== null) valid.set(input, result.value);
      return result;
    },
  };
}
