import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { pageContext, pageContextWith } from '../../src/web/page-context.js';

/** A request and a reply with what pageContext reads: the URL, the cookies, the protocol, and a counted generateCsrf. */
function fakeRequest(url: string, cookies: Record<string, string> = {}) {
  const made: unknown[] = [];
  const req = { url, cookies, protocol: 'http', applicantSession: { idHash: 'session-hash' } } as unknown as FastifyRequest;
  const reply = {
    generateCsrf: (options: unknown) => {
      made.push(options);
      return `token-${made.length}`;
    },
  } as unknown as FastifyReply;
  return { req, reply, made };
}

describe('the page context of a request', () => {
  it('makes the CSRF token at the first read only, bound to the session, and the same token at every read', () => {
    const { req, reply, made } = fakeRequest('/inquiry/status', { kei_font_size: 'large' });
    const ctx = pageContext(req, reply);
    expect(made).toEqual([]);
    expect(ctx.fontSize).toBe('large');
    expect(ctx.area).toBe('portal');
    expect(ctx.csrfToken).toBe('token-1');
    expect(ctx.csrfToken).toBe('token-1');
    expect(made).toEqual([{ userInfo: 'session-hash', secure: false }]);
  });

  it('gives the path of this site only', () => {
    expect(pageContext(fakeRequest('/inquiry/status?x=1').req, fakeRequest('/').reply).path).toBe('/inquiry/status?x=1');
    expect(pageContext(fakeRequest('//evil.example/').req, fakeRequest('/').reply).path).toBe('/');
  });

  // Issue 18, round six: getters of an object literal made per request kept every request's objects
  // through two young collections (docs/benchmarks.md). The lazy values are the class's, not the object's own.
  it('has no getter of its own (the lazy values are on the prototype)', () => {
    const { req, reply } = fakeRequest('/inquiry/status');
    const own = Object.values(Object.getOwnPropertyDescriptors(pageContext(req, reply, 'staff', '品川 太郎')));
    expect(own.filter((d) => d.get !== undefined || d.set !== undefined)).toEqual([]);
  });

  it('replaces the token without making one, and keeps every other value', () => {
    const { req, reply, made } = fakeRequest('/staff/applications', { kei_font_size: 'small' });
    const ctx = pageContextWith(pageContext(req, reply, 'staff', '品川 太郎'), { csrfToken: '' });
    expect(ctx).toEqual({ path: '/staff/applications', fontSize: 'small', csrfToken: '', area: 'staff', staffName: '品川 太郎', staffRole: undefined });
    expect(made).toEqual([]);
  });

  it('with a staff role keeps the token the page will use (made once)', () => {
    const { req, reply, made } = fakeRequest('/staff/applications');
    const ctx = pageContextWith(pageContext(req, reply, 'staff', '品川 太郎'), { staffRole: 'supervisor' });
    expect(ctx).toEqual({ path: '/staff/applications', fontSize: 'medium', csrfToken: 'token-1', area: 'staff', staffName: '品川 太郎', staffRole: 'supervisor' });
    expect(made).toHaveLength(1);
  });
});
