import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiTokenRecord, ApiTokens } from '../../services/api-tokens.js';
import { sendApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The agency API token of the request (set on /api/v1 by the bearer check). */
    apiToken: ApiTokenRecord | null;
  }
}

export const UNAUTHORIZED_MESSAGE = 'APIトークンが指定されていないか、正しくありません。Authorization ヘッダーに「Bearer トークン」を指定してください。';

/** `Authorization: Bearer <token>`; anything else is 401 with a WWW-Authenticate challenge. */
export function bearerAuth(tokens: ApiTokens) {
  return async function checkBearer(req: FastifyRequest, reply: FastifyReply) {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ ]+([^\s]+)\s*$/i.exec(header) : null;
    const token = match?.[1] ? await tokens.authenticate(match[1]) : null;
    if (!token) {
      reply.header('www-authenticate', 'Bearer realm="kei-oss"');
      return sendApiError(reply, 401, 'unauthorized', UNAUTHORIZED_MESSAGE);
    }
    req.apiToken = token;
    req.log.info({ apiTokenId: token.id, role: token.role }, 'api token');
  };
}

/** Writes are JSON only: a form or text body is refused before it is read. */
export async function jsonOnly(req: FastifyRequest, reply: FastifyReply) {
  if (req.method !== 'POST') return;
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    return sendApiError(reply, 415, 'unsupportedMediaType', '送信形式は application/json で指定してください。');
  }
}

/** The token of an authenticated request (the hook guarantees it). */
export function tokenOf(req: FastifyRequest): ApiTokenRecord {
  if (!req.apiToken) throw new Error('route without bearer authentication');
  return req.apiToken;
}
