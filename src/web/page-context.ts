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

/**
 * A request's PageContext. The path and the CSRF token are computed when a page first asks for
 * them (a kept status page asks for neither the path nor, before send time, the token), by getters
 * of the class, not of an object literal: an object literal with getters gives every request's
 * object fresh accessor closures that hold the request, and the young generation then kept each
 * request's objects through two collections (issue 18, round six: about 380 KB promoted a young
 * collection under the status page's load, 10 KB with the class; docs/benchmarks.md).
 */
class RequestPageContext implements PageContext {
  readonly fontSize: FontSize;
  #path: string | undefined;
  #token: string | undefined;

  constructor(
    private readonly req: FastifyRequest,
    private readonly reply: FastifyReply,
    readonly area: 'portal' | 'staff',
    readonly staffName: string | undefined,
  ) {
    this.fontSize = fontSizeOf(req);
  }

  /** Only a rendered page links it (文字サイズ): a kept status page never parses the URL. */
  get path(): string {
    this.#path ??= safeReturnPath(this.req.url);
    return this.#path;
  }

  get csrfToken(): string {
    this.#token ??= this.reply.generateCsrf({ userInfo: csrfUserInfo(this.req), secure: this.req.protocol === 'https' });
    return this.#token;
  }
}

export function pageContext(req: FastifyRequest, reply: FastifyReply, area: 'portal' | 'staff' = 'portal', staffName?: string): PageContext {
  return new RequestPageContext(req, reply, area, staffName);
}

/**
 * The context with some of its values replaced, as plain values (what `{ ...ctx, … }` gave when
 * the context was an object literal; a class's getters are not copied by a spread). The CSRF token
 * is made only when it is not replaced.
 */
export function pageContextWith(ctx: PageContext, changes: Partial<Pick<PageContext, 'csrfToken' | 'staffRole'>>): PageContext {
  return {
    path: ctx.path,
    fontSize: ctx.fontSize,
    csrfToken: changes.csrfToken ?? ctx.csrfToken,
    area: ctx.area,
    staffName: ctx.staffName,
    staffRole: changes.staffRole ?? ctx.staffRole,
  };
}
