import { randomBytes } from 'node:crypto';
import {
  FEED_START,
  encodeCursor,
  parseScopes,
  parseTokenName,
  tokenLive,
  accountTokenLifetimes,
  type AccountTokenRecord,
  type FeedCursor,
  type FeedRow,
} from '../domain/account-api.js';
import { mayIssueApiToken, noTwoFactorPolicy, twoFactorStanding } from '../domain/accounts.js';
import type { Application } from '../domain/application.js';
import { parseReceiptNumber } from '../domain/receipt-number.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { accountApiRepository } from '../store/account-api.repository.js';
import { accountRepository } from '../store/accounts.repository.js';
import { hashToken } from '../store/sessions.repository.js';
import { transaction, type ServiceDeps } from './context.js';

/** Where a change of the account's tokens or webhooks came from (its account log line). */
export interface Origin {
  readonly clientAddress: string | null;
}
export const NO_ORIGIN: Origin = { clientAddress: null };

/** Personal tokens of a 利用者ID start with this (the agency's start with keioss_), so that a leaked one is easy to find. */
export const ACCOUNT_TOKEN_PREFIX = 'keioss_acct_';

/** Numbers in one bulk status request. */
export const BULK_QUERY_MAX = 1000;

export interface NewAccountToken {
  readonly name: string;
  readonly scopes: readonly string[];
  /** Days until it expires: one of accountTokenLifetimes. */
  readonly days: number;
}

export interface ChangesPage {
  readonly changes: readonly FeedRow[];
  /** Where the next request starts: the last change's cursor, or the one given when nothing is new. */
  readonly nextCursor: string;
}

/** One number of a bulk status request: the application, or not found (unknown and not the account's alike). */
export type QueryAnswer = { readonly number: string; readonly application: Application } | { readonly number: string; readonly application: null; readonly message: string };

export const QUERY_NOT_FOUND_MESSAGE = 'この利用者IDの申請に、この受付番号（到達番号）の申請は見つかりません。';

/** The 一括申請 API of a 利用者ID (issue 17): its tokens, its changes feed and its bulk status. */
export function makeAccountApi(deps: ServiceDeps) {
  const repo = (db = deps.database.db) => accountApiRepository(db, deps.database.dialect);
  return {
    /** The service's clock (a page shows which tokens have expired). */
    now: () => deps.clock.now(),

    tokens: {
      /** Issues a token; the token itself is returned once and only its SHA-256 is kept. */
      async create(accountId: string, input: NewAccountToken, origin: Origin = NO_ORIGIN): Promise<Result<{ token: string; record: AccountTokenRecord }>> {
        const name = parseTokenName(input.name);
        if (!name.ok) return name;
        const scopes = parseScopes(input.scopes);
        if (!scopes.ok) return scopes;
        if (!(accountTokenLifetimes as readonly number[]).includes(input.days)) return refuse('invalidInput', `有効期間は ${accountTokenLifetimes.join('・')} 日から選択してください。`);
        // The operator's two-factor rule (decision 0013): no new token while two-factor is missing; issued ones keep working.
        const facts = await accountRepository(deps.database.db).twoFactorFacts(accountId);
        const allowed = mayIssueApiToken(facts ? twoFactorStanding(deps.twoFactorPolicy ?? noTwoFactorPolicy, facts.applications, facts.totpSet) : 'optional');
        if (!allowed.ok) return allowed;
        const now = deps.clock.now();
        const token = `${ACCOUNT_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
        const record: AccountTokenRecord = { id: deps.ids.id(), accountId, name: name.value, scopes: scopes.value, createdAt: now, expiresAt: new Date(now.getTime() + input.days * 86_400_000), revokedAt: null, lastUsedAt: null };
        await transaction(deps, async (tx) => {
          await repo(tx).insertToken(record, hashToken(token));
          await accountRepository(tx).appendLog(deps.ids.id(), accountId, 'apiTokenIssued', now, null, origin.clientAddress, record.name);
        });
        return ok({ token, record });
      },

      list: (accountId: string) => repo().tokens(accountId),

      /** Revokes a live token of the account (in its log, with the token's name); false when there was none. */
      revoke: (accountId: string, id: string, origin: Origin = NO_ORIGIN) =>
        transaction(deps, async (tx) => {
          const now = deps.clock.now();
          const token = (await repo(tx).tokens(accountId)).find((t) => t.id === id);
          if (!token || !(await repo(tx).revokeToken(accountId, id, now))) return false;
          await accountRepository(tx).appendLog(deps.ids.id(), accountId, 'apiTokenRevoked', now, null, origin.clientAddress, token.name);
          return true;
        }),

      /** The live token a bearer value names (its use recorded), or null: unknown, revoked, expired or malformed. */
      async authenticate(bearer: string): Promise<AccountTokenRecord | null> {
        if (!bearer.startsWith(ACCOUNT_TOKEN_PREFIX) || bearer.length > 200 || !/^[\x21-\x7e]+$/.test(bearer)) return null;
        const found = await repo().tokenByHash(hashToken(bearer));
        const now = deps.clock.now();
        if (!found || !tokenLive(found, now)) return null;
        await repo().touchToken(found.id, now);
        return found;
      },
    },

    /** The changes feed: the account's history rows after the cursor, in commit order (decision 0011). */
    async changes(accountId: string, after: FeedCursor, limit: number): Promise<ChangesPage> {
      const changes = await repo().changes(accountId, after, limit);
      const last = changes.at(-1)?.cursor ?? after;
      return { changes, nextCursor: last === FEED_START ? '' : encodeCursor(last) };
    },

    /**
     * Bulk status: each number as given, in order, with its application if it is the account's.
     * Numbers in any spacing (parseReceiptNumber); a malformed one is answered as not found too.
     */
    async query(accountId: string, numbers: readonly string[]): Promise<{ answers: QueryAnswer[]; now: Date }> {
      const parsed = numbers.map((n) => parseReceiptNumber(n));
      const valid = [...new Set(parsed.flatMap((p) => (p.ok ? [p.value as string] : [])))];
      const owned = valid.length > 0 ? await repo().ownedByNumbers(accountId, valid) : new Map<string, string>();
      const apps = owned.size > 0 ? await repo().loadMany([...new Set(owned.values())]) : new Map<string, Application>();
      const answers = numbers.map((number, i): QueryAnswer => {
        const p = parsed[i]!;
        const app = p.ok ? apps.get(owned.get(p.value) ?? '') : undefined;
        return app ? { number, application: app } : { number, application: null, message: p.ok ? QUERY_NOT_FOUND_MESSAGE : p.refusal.message };
      });
      return { answers, now: deps.clock.now() };
    },
  };
}

export type AccountApi = ReturnType<typeof makeAccountApi>;
