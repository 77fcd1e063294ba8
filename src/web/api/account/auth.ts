import type { FastifyReply, FastifyRequest } from 'fastify';
import { accountTokenScopes, type AccountTokenRecord, type AccountTokenScope } from '../../../domain/account-api.js';
import type { AccountApi } from '../../../services/account-api.js';
import { sendApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The 利用者ID's personal token of the request (set on /api/v1/account by its bearer check). */
    accountToken: AccountTokenRecord | null;
  }
}

export const ACCOUNT_UNAUTHORIZED_MESSAGE =
  '利用者IDのAPIトークンが指定されていないか、正しくないか、有効期限が過ぎているか、無効にされています。Authorization ヘッダーに「Bearer トークン」を指定してください（トークンは利用者IDのアカウントのページで発行します）。';

/** `Authorization: Bearer keioss_acct_…`; anything else is 401 with a WWW-Authenticate challenge. */
export function accountBearerAuth(api: AccountApi) {
  return async function checkAccountBearer(req: FastifyRequest, reply: FastifyReply) {
    // The CSV template is public (the portal's 一括申請 page links to it).
    if ((req.routeOptions.config as { public?: boolean } | undefined)?.public === true) return;
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ ]+([^\s]+)\s*$/i.exec(header) : null;
    const token = match?.[1] ? await api.tokens.authenticate(match[1]) : null;
    if (!token) {
      reply.header('www-authenticate', 'Bearer realm="kei-oss account"');
      return sendApiError(reply, 401, 'unauthorized', ACCOUNT_UNAUTHORIZED_MESSAGE);
    }
    req.accountToken = token;
    req.log.info({ accountTokenId: token.id }, 'account api token');
  };
}

/** The token of an authenticated request, if it holds the scope; else the answer is 403. */
export function requireScope(scope: AccountTokenScope) {
  return async function checkScope(req: FastifyRequest, reply: FastifyReply) {
    if (!accountTokenOf(req).scopes.includes(scope)) {
      return sendApiError(reply, 403, 'scopeMissing', `このトークンには「${accountTokenScopes[scope]}」（${scope}）の権限がありません。権限のあるトークンを発行してください。`);
    }
  };
}

export function accountTokenOf(req: FastifyRequest): AccountTokenRecord {
  if (!req.accountToken) throw new Error('route without account bearer authentication');
  return req.accountToken;
}
