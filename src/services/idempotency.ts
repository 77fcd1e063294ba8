import { createHash } from 'node:crypto';
import { IN_PROGRESS, idempotencyRepository } from '../store/idempotency.repository.js';
import type { ServiceDeps } from './context.js';

/** A stored result answers retries for a day; then the key may be used again. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A request that has held its key this long without a result is taken to have died with its process. */
export const IDEMPOTENCY_STALE_MS = 5 * 60 * 1000;

/** `Idempotency-Key`: 1–200 printable ASCII characters (a UUID is the usual choice). */
export function isValidIdempotencyKey(key: string): boolean {
  return /^[\x21-\x7e]{1,200}$/.test(key);
}

/** JSON with keys in a fixed order, so that the same request always has the same fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What identifies "the same request": method, path and body (key order and spacing ignored). */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${path}\n${canonical(body ?? null)}`).digest('hex');
}

export type IdempotentOutcome =
  | { readonly kind: 'fresh'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'replay'; readonly status: number; readonly body: string }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'inProgress' };

/**
 * Safe retries for the agency API: the first result of a request (status and body) is stored per
 * token and key, and returned again for a retry with the same key. The key is reserved before the
 * work starts, so two requests racing with one key never both run it.
 */
export function makeIdempotency(deps: ServiceDeps) {
  const repo = () => idempotencyRepository(deps.database.db);
  return {
    async run(tokenId: string, key: string, fingerprint: string, work: () => Promise<{ status: number; body: unknown }>): Promise<IdempotentOutcome> {
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = deps.clock.now();
        const existing = await repo().find(tokenId, key);
        if (existing) {
          const expired = existing.createdAt.getTime() <= now.getTime() - IDEMPOTENCY_TTL_MS;
          const stale = existing.statusCode === IN_PROGRESS && existing.createdAt.getTime() <= now.getTime() - IDEMPOTENCY_STALE_MS;
          if (expired || stale) {
            await repo().release(tokenId, key, new Date(existing.createdAt.getTime() + 1));
            continue;
          }
          if (existing.requestHash !== fingerprint) return { kind: 'mismatch' };
          if (existing.statusCode === IN_PROGRESS) return { kind: 'inProgress' };
          return { kind: 'replay', status: existing.statusCode, body: existing.responseBody };
        }
        if (!(await repo().reserve(tokenId, key, fingerprint, now))) continue;
        let result: { status: number; body: unknown };
        try {
          result = await work();
        } catch (err) {
          await repo().release(tokenId, key);
          throw err;
        }
        // A server error is not a result: the key is freed so that a retry does the work.
        if (result.status >= 500) await repo().release(tokenId, key);
        else await repo().complete(tokenId, key, result.status, JSON.stringify(result.body));
        return { kind: 'fresh', status: result.status, body: result.body };
      }
      return { kind: 'inProgress' };
    },

    async purgeExpired(): Promise<number> {
      return repo().purge(new Date(deps.clock.now().getTime() - IDEMPOTENCY_TTL_MS));
    },
  };
}
