import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearCookie, cookieOptions } from '../../cookies.js';

/**
 * Where the two-step login leads after it succeeds. Only names from this fixed table travel (in a
 * signed cookie), never a URL, so the login can never be turned into an open redirect.
 */
export const LOGIN_NEXT_COOKIE = 'kei_login_next';

const destinations = {
  /** 画面申請 → 納付を行う: the payment information of the application. */
  payment: '/inquiry/payments',
} as const;

export type LoginDestination = keyof typeof destinations;
export const DEFAULT_DESTINATION = '/inquiry/status';

/** The first login page with a destination: `/inquiry/login?next=payment`. */
export function loginUrlFor(next: LoginDestination): string {
  return `/inquiry/login?next=${next}`;
}

/**
 * Called when the first login step is shown: remembers a known `next`, and forgets any earlier one
 * otherwise (a login started from 状況の照会 leads to the status page).
 */
export function rememberLoginDestination(req: FastifyRequest, reply: FastifyReply): void {
  const next = (req.query as Record<string, unknown> | undefined)?.next;
  if (typeof next === 'string' && Object.hasOwn(destinations, next)) {
    reply.setCookie(LOGIN_NEXT_COOKIE, next, { ...cookieOptions(req, 30 * 60), signed: true });
  } else if (req.cookies[LOGIN_NEXT_COOKIE] !== undefined) {
    clearCookie(req, reply, LOGIN_NEXT_COOKIE);
  }
}

/** Called when the login succeeds: the path to go to, and the cookie is cleared. */
export function takeLoginDestination(req: FastifyRequest, reply: FastifyReply): string {
  const raw = req.cookies[LOGIN_NEXT_COOKIE];
  if (raw === undefined) return DEFAULT_DESTINATION;
  clearCookie(req, reply, LOGIN_NEXT_COOKIE);
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null || !Object.hasOwn(destinations, unsigned.value)) return DEFAULT_DESTINATION;
  return destinations[unsigned.value as LoginDestination];
}
