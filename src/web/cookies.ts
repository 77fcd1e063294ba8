import type { FastifyReply, FastifyRequest } from 'fastify';

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
