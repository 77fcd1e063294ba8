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

const OWN_ORIGIN = 'http://kei-oss.invalid';

/**
 * Only paths of this site are followed back (no open redirect): `/x?y`, never `//host`, `/\\host`,
 * `/%2F…`, `http:` or any other scheme. The result is normalised and percent-encoded by the WHATWG URL
 * parser, so it is printable ASCII and safe in a `Location` header; anything else is the fallback.
 */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 500) return fallback;
  if (!value.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(value) || /^\/(?:\/|%2f|%5c)/i.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, OWN_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== OWN_ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith('/') || /^\/(?:\/|%2f|%5c)/i.test(path) || !/^[\x21-\x7e]+$/.test(path)) return fallback;
  return path;
}

/** What a CSRF token is bound to: the session it was made in, or none. */
export function csrfUserInfo(req: FastifyRequest): string {
  return req.applicantSession?.idHash ?? req.accountSession?.idHash ?? req.staffSession?.idHash ?? 'anonymous';
}

export function pageContext(req: FastifyRequest, reply: FastifyReply, area: 'portal' | 'staff' = 'portal', staffName?: string): PageContext {
  let token: string | undefined;
  let path: string | undefined;
  return {
    // Only a rendered page links it (文字サイズ): a kept status page never parses the URL.
    get path() {
      path ??= safeReturnPath(req.url);
      return path;
    },
    fontSize: fontSizeOf(req),
    get csrfToken() {
      token ??= reply.generateCsrf({ userInfo: csrfUserInfo(req), secure: req.protocol === 'https' });
      return token;
    },
    area,
    staffName,
  };
}
