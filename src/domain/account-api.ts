import type { HistoryEntry } from './history.js';
import { ok, refuse, type Result } from './result.js';

/** What a personal API token of a 利用者ID may do (issue 17). */
export const accountTokenScopes = {
  read: '参照（申請状況・変更履歴）',
  file: '申請（一括申請）',
  act: '操作（Webhook の登録など）',
} as const;

export type AccountTokenScope = keyof typeof accountTokenScopes;

export function isAccountTokenScope(value: string): value is AccountTokenScope {
  return Object.hasOwn(accountTokenScopes, value);
}

export interface AccountTokenRecord {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly scopes: readonly AccountTokenScope[];
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

/** Token lifetimes offered on the account page, in days. */
export const accountTokenLifetimes = [30, 90, 365] as const;

/** A token's name: 1–60 characters, no control characters. */
export function parseTokenName(input: string): Result<string> {
  const name = input.normalize('NFKC').trim();
  if (name === '' || name.length > 60 || /[\u0000-\u001f\u007f]/.test(name)) return refuse('invalidInput', 'トークンの名前は1〜60文字で入力してください。');
  return ok(name);
}

export function parseScopes(input: readonly string[]): Result<AccountTokenScope[]> {
  const scopes = [...new Set(input)];
  if (scopes.length === 0) return refuse('invalidInput', 'トークンの権限（参照・申請・操作）を1つ以上選択してください。');
  const unknown = scopes.find((s) => !isAccountTokenScope(s));
  if (unknown !== undefined) return refuse('invalidInput', `不明な権限です（${unknown.slice(0, 20)}）。read, file, act から選択してください。`);
  return ok((Object.keys(accountTokenScopes) as AccountTokenScope[]).filter((s) => scopes.includes(s)));
}

/** A token is live until it is revoked or its expiry passes. */
export function tokenLive(token: Pick<AccountTokenRecord, 'expiresAt' | 'revokedAt'>, now: Date): boolean {
  return token.revokedAt === null && token.expiresAt.getTime() > now.getTime();
}

// ---- the changes feed ------------------------------------------------------------------------

/** A place in the changes feed: after the history row (position, application, seq). */
export interface FeedCursor {
  readonly position: number;
  readonly applicationId: string;
  readonly seq: number;
}

/** One change of the feed: a history row of one of the account's applications. */
export interface FeedRow {
  readonly cursor: FeedCursor;
  readonly arrivalNumber: string;
  readonly receiptNumber: string | null;
  readonly entry: HistoryEntry;
}

export const FEED_START: FeedCursor = { position: -1, applicationId: '', seq: 0 };
export const FEED_PAGE_DEFAULT = 100;
export const FEED_PAGE_MAX = 1000;

const CURSOR_MESSAGE = 'after には、前回の応答の nextCursor をそのまま指定してください。';

/** Opaque to clients: base64url of `position.applicationId.seq`. */
export function encodeCursor(c: FeedCursor): string {
  return Buffer.from(`${c.position}.${c.applicationId}.${c.seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(text: string | undefined): Result<FeedCursor> {
  if (text === undefined || text === '') return ok(FEED_START);
  if (text.length > 200 || !/^[A-Za-z0-9_-]+$/.test(text)) return refuse('invalidInput', CURSOR_MESSAGE);
  const m = /^(0|[1-9][0-9]{0,17})\.([A-Za-z0-9_-]{1,64})\.([1-9][0-9]{0,9})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!m) return refuse('invalidInput', CURSOR_MESSAGE);
  const position = Number(m[1]);
  if (!Number.isSafeInteger(position)) return refuse('invalidInput', CURSOR_MESSAGE);
  return ok({ position, applicationId: m[2]!, seq: Number(m[3]) });
}

export function parseFeedLimit(text: string | undefined): Result<number> {
  if (text === undefined || text === '') return ok(FEED_PAGE_DEFAULT);
  if (!/^[1-9][0-9]{0,3}$/.test(text) || Number(text) > FEED_PAGE_MAX) return refuse('invalidInput', `limit は1〜${FEED_PAGE_MAX}の整数で指定してください。`);
  return ok(Number(text));
}
