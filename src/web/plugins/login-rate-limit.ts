import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOGIN_RATE_LIMIT, type LoginStep } from '../../services/login-throttle.js';
import type { Services } from '../../services/index.js';
import { sendErrorPage } from './errors.js';

export const LOGIN_RATE_LIMITED_TITLE = 'ログインの操作が集中しています';
export const LOGIN_RATE_LIMITED_MESSAGE = `同じ接続元から短時間に多くのログイン操作（1分間に${LOGIN_RATE_LIMIT}回を超える操作）が行われたため、一時的に受付を制限しています。1分ほど待ってから、もう一度操作してください。`;

/**
 * An onRequest hook for a login form's POST: counts the request against the client address
 * (`req.ip`, which believes X-Forwarded-For only from TRUST_PROXY) in the database, and answers
 * the 31st request within a minute with 429, a Japanese page and Retry-After, before the body is
 * read or a password is verified.
 */
export function loginRateLimit(services: Pick<Services, 'loginThrottle'>, step: LoginStep) {
  return async function loginRateLimitHook(req: FastifyRequest, reply: FastifyReply) {
    const check = await services.loginThrottle.checkAddress(step, req.ip, req.log);
    if (check.allowed) return;
    reply.header('retry-after', String(check.retryAfterSeconds));
    return sendErrorPage(req, reply, 429, LOGIN_RATE_LIMITED_TITLE, LOGIN_RATE_LIMITED_MESSAGE, 'tooManyRequests');
  };
}
