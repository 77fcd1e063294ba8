import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StaffRole } from '../domain/agency.js';

export type FontSize = 'small' | 'medium' | 'large';
export const FONT_SIZE_COOKIE = 'kei_font_size';

/** What every page needs to know about the request it answers. */
export interface PageContext {
  readonly path: string;
  readonly fontSize: FontSize;
  /** A CSRF token for the page's forms (generated on demand). */
  readonly csrfToken: string;
  /** Which header to show: the applicants' portal or the offices' staff UI. */
  readonly area: 'portal' | 'staff';
  /** The staff user's display name when logged in (staff UI). */
  readonly staffName?: string | undefined;
  /** The staff user's role (clerk, viewer: 閲覧のみ, supervisor: 監督者): which menu items and forms a page shows. */
  readonly staffRole?: StaffRole | undefined;
}

export function fontSizeOf(req: FastifyRequest): FontSize {
  const value = req.cookies[FONT_SIZE_COOKIE];
  return value === 'small' || value === 'large' ? value : 'medium';
}

/** Only local paths are followed back (no open redirect): `/x?y`, never `//host` or `http:`. */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 500) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || /[\u0000-\u001f]/.test(value)) return fallback;
  return value;
}

/** What a CSRF token is bound to: the session it was made in, or none. */
export function csrfUserInfo(req: FastifyRequest): string {
  return req.applicantSession?.idHash ?? req.staffSession?.idHash ?? 'anonymous';
}

export function pageContext(req: FastifyRequest, reply: FastifyReply, area: 'portal' | 'staff' = 'portal', staffName?: string): PageContext {
  let token: string | undefined;
  return {
    path: safeReturnPath(req.url),
    fontSize: fontSizeOf(req),
    get csrfToken() {
      token ??= reply.generateCsrf({ userInfo: csrfUserInfo(req), secure: req.protocol === 'https' });
      return token;
    },
    area,
    staffName,
  };
}
