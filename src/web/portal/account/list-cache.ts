import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * The first page of 申請一覧 (no filter, the list's own order), rendered once per state of the
 * account's list and kept, per process (issue 16).
 *
 * The key is what the page depends on, as read by the request itself: the account, its list
 * version (bumped in the transaction of every change of its list: store/accounts.repository.ts),
 * its name, the Japan date (期限切れ marks) and the 文字サイズ. A page of an older version is never
 * sent, whichever process made the change. The one per-request piece, the CSRF token of the 終了
 * form, is rendered as a mark and filled at send time.
 */
export interface AccountListCache {
  /** The text to render in place of the CSRF token (letters and digits: preact leaves it as it is). */
  readonly csrfMark: string;
  /** The page kept under this key, with its token; null if none is kept. */
  get(key: string, csrfToken: string): Buffer | null;
  /** Keeps a page rendered with the mark (under `key`; null: not kept), and returns it with its token. */
  put(key: string | null, rendered: string, csrfToken: string): Buffer;
}

/** About 400 first pages of 40 KB a process. */
export const ACCOUNT_LIST_CACHE_BYTES = 16 * 1024 * 1024;

export function accountListKey(accountId: string, listVersion: string, name: string, japanDate: string, fontSize: string): string {
  return `${accountId}|${listVersion}|${japanDate}|${fontSize}|${name}`;
}

export function createAccountListCache(maxBytes = ACCOUNT_LIST_CACHE_BYTES): AccountListCache {
  // Random per process: no name or number of the page can contain it.
  const csrfMark = `keilist${randomBytes(12).toString('hex')}`;
  const cache = new LRUCache<string, readonly Buffer[]>({ maxSize: maxBytes, sizeCalculation: (parts, key) => parts.reduce((n, p) => n + p.length, 0) + key.length + 64 });
  const escaped = (token: string) => Buffer.from(token.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`), 'utf8');
  const fill = (parts: readonly Buffer[], token: string) => {
    const t = escaped(token);
    return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [t, p])));
  };
  return {
    csrfMark,
    get(key, csrfToken) {
      const parts = cache.get(key);
      return parts ? fill(parts, csrfToken) : null;
    },
    put(key, rendered, csrfToken) {
      const parts = rendered.split(csrfMark).map((p) => Buffer.from(p, 'utf8'));
      if (key !== null) cache.set(key, parts);
      return fill(parts, csrfToken);
    },
  };
}
