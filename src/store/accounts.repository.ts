import { sql, type Selectable } from 'kysely';
import type { AccountKind, AccountListSearch, AccountLogAction } from '../domain/accounts.js';
import type { OfficeCode } from '../domain/offices.js';
import type { ProcedureCode } from '../domain/procedures.js';
import type { ReceiptNumber } from '../domain/receipt-number.js';
import { listGroupOf, listGroupOrder } from '../domain/status-view.js';
import type { StatusCode } from '../domain/statuses.js';
import type { ApplicationListRow } from './application-list-row.js';
import type { Executor } from './database.js';
import type { AccountsTable } from './schema.js';

export interface AccountRecord {
  readonly id: string;
  readonly userId: string;
  readonly kind: AccountKind;
  readonly name: string;
  readonly mailAddress: string;
  readonly confirmedAt: Date | null;
  readonly passwordHash: string;
  readonly totpSecret: string | null;
  readonly createdAt: Date;
}

export interface AccountLogRecord {
  readonly occurredAt: Date;
  readonly action: AccountLogAction;
  readonly receiptNumber: string | null;
  readonly clientAddress: string | null;
  /** The API token's name or the webhook endpoint's address (issue 17). */
  readonly detail: string | null;
}

export interface AccountListQuery {
  readonly accountId: string;
  /** Only these statuses (null: all). */
  readonly statuses: readonly StatusCode[] | null;
  readonly procedure: ProcedureCode | null;
  readonly officeCode: OfficeCode | null;
  /** filed_at in [filedFrom, filedBefore). */
  readonly filedFrom: Date | null;
  readonly filedBefore: Date | null;
  readonly search: AccountListSearch | null;
}

/** One row of the 申請一覧: the list's columns and 申請先. */
export type AccountListRow = ApplicationListRow & { readonly officeCode: OfficeCode };

/**
 * The list's order of an application, kept on each account_applications row: its status, its group
 * (the domain's listGroupOf: 0 needs the user, 1 in progress, 2 finished), its running deadline
 * ('9999' when none, so that those come last) and 状況更新日時.
 */
export function accountListing(status: StatusCode, deadlineAt: string | null, statusChangedAt: string) {
  return { status, list_rank: listGroupOrder.indexOf(listGroupOf(status)), sort_deadline: deadlineAt ?? '9999', status_changed_at: statusChangedAt };
}

/** The columns of applications that 申請一覧 shows or orders by: a save changing one bumps the list version of the accounts holding it. */
export const LISTED_APPLICATION_COLUMNS: ReadonlySet<string> = new Set(['procedure', 'arrival_number', 'receipt_number', 'status', 'status_changed_at', 'filed_at', 'office_code', 'user_name', 'vehicle_number', 'chassis_number', 'deadline_at']);

/**
 * The list-version bumps a transaction owes, written by `flushListBumps` as its last statement:
 * a bump locks the account's row until the commit, so written at once it would make every other
 * change of that account's applications (another server's, the sweep's batch) wait for the whole of
 * this transaction; written last, only for its commit. Outside a transaction a bump is written at once.
 */
const owedBumps = new WeakMap<object, { applicationIds: Set<string>; accountIds: Set<string> }>();

function oweBumps(db: Executor, owed: { applicationIds?: readonly string[]; accountId?: string }): Promise<void> {
  if (!db.isTransaction) return owed.accountId !== undefined ? bumpListVersion(db, owed.accountId) : bumpListVersions(db, owed.applicationIds ?? []);
  let entry = owedBumps.get(db);
  if (!entry) owedBumps.set(db, (entry = { applicationIds: new Set(), accountIds: new Set() }));
  for (const id of owed.applicationIds ?? []) entry.applicationIds.add(id);
  if (owed.accountId !== undefined) entry.accountIds.add(owed.accountId);
  return Promise.resolve();
}

/** Writes the bumps this transaction owes (see `owedBumps`); the services' `transaction` calls it last, before the commit. */
export async function flushListBumps(tx: Executor): Promise<void> {
  const entry = owedBumps.get(tx);
  if (!entry) return;
  owedBumps.delete(tx);
  if (entry.accountIds.size > 0) {
    await tx
      .updateTable('accounts')
      .set((eb) => ({ list_version: eb('list_version', '+', 1) }))
      .where('id', 'in', [...entry.accountIds].sort())
      .execute();
  }
  if (entry.applicationIds.size > 0) await bumpListVersions(tx, [...entry.applicationIds].sort());
}

/**
 * Bumps the list version of every account holding one of these applications, in the caller's
 * transaction: the kept first page of their 申請一覧 is then never sent again (it is keyed by the version).
 * At once; a repository's save owes it instead (`flushListBumps`).
 */
export async function bumpListVersions(db: Executor, applicationIds: readonly string[]): Promise<void> {
  for (let i = 0; i < applicationIds.length; i += 500) {
    const ids = applicationIds.slice(i, i + 500);
    await db
      .updateTable('accounts')
      .set((eb) => ({ list_version: eb('list_version', '+', 1) }))
      .where('id', 'in', db.selectFrom('account_applications').select('account_id').where('application_id', 'in', ids))
      .execute();
  }
}

/** Keeps the list's order of an application in step with it, in every account that holds it (called by every save). */
export function oweListBumps(db: Executor, applicationIds: readonly string[]): Promise<void> {
  return oweBumps(db, { applicationIds });
}

export async function updateAccountListing(db: Executor, applicationId: string, status: StatusCode, deadlineAt: string | null, statusChangedAt: string): Promise<void> {
  await db.updateTable('account_applications').set(accountListing(status, deadlineAt, statusChangedAt)).where('application_id', '=', applicationId).execute();
}

async function bumpListVersion(db: Executor, accountId: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set((eb) => ({ list_version: eb('list_version', '+', 1) }))
    .where('id', '=', accountId)
    .execute();
}

function toAccount(r: Selectable<AccountsTable>): AccountRecord {
  return {
    id: r.id,
    userId: r.user_id,
    kind: r.kind as AccountKind,
    name: r.name,
    mailAddress: r.mail_address,
    confirmedAt: r.confirmed_at ? new Date(r.confirmed_at) : null,
    passwordHash: r.password_hash,
    totpSecret: r.totp_secret,
    createdAt: new Date(r.created_at),
  };
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** 利用者ID accounts, their one-time mail tokens, their applications (申請一覧) and their log. */
export function accountRepository(db: Executor) {
  function listed(q: AccountListQuery) {
    let query = db.selectFrom('account_applications as aa').where('aa.account_id', '=', q.accountId);
    if (q.statuses) query = query.where('aa.status', 'in', q.statuses.length > 0 ? [...q.statuses] : ['-']);
    if (q.procedure) query = query.where('aa.procedure', '=', q.procedure);
    if (q.officeCode) query = query.where('aa.office_code', '=', q.officeCode);
    if (q.filedFrom) query = query.where('aa.filed_at', '>=', q.filedFrom.toISOString());
    if (q.filedBefore) query = query.where('aa.filed_at', '<', q.filedBefore.toISOString());
    // A number, a 車両番号 or a 車台番号: the few applications that have it, through their own indexes, then
    // only those the account holds (its primary key).
    const s = q.search;
    if (s && s.kind !== 'userName') {
      const found = db.selectFrom('applications').select('id');
      const matching =
        s.kind === 'number'
          ? found.where((eb) => eb.or([eb('arrival_number', '=', s.number), eb('receipt_number', '=', s.number), eb('chassis_number', '=', s.chassisNumber)]))
          : s.kind === 'vehicleNumber'
            ? found.where('vehicle_number', '=', s.vehicleNumber)
            : found.where('chassis_number', '=', s.chassisNumber);
      query = query.where('aa.application_id', 'in', matching);
    }
    if (s?.kind !== 'userName') return query;
    // Only part of a 使用者名 needs the applications' rows.
    const joined = query.innerJoin('applications as a', 'a.id', 'aa.application_id').where(sql<boolean>`a.user_name like ${likePattern(s.userName)} escape '\\'`);
    // The same shape as the unjoined query for the caller (only aa's columns are selected).
    return joined as unknown as typeof query;
  }

  return {
    async insert(a: AccountRecord, now: Date): Promise<void> {
      await db
        .insertInto('accounts')
        .values({
          id: a.id,
          user_id: a.userId,
          kind: a.kind,
          name: a.name,
          mail_address: a.mailAddress,
          confirmed_at: a.confirmedAt?.toISOString() ?? null,
          password_hash: a.passwordHash,
          totp_secret: a.totpSecret,
          created_at: a.createdAt.toISOString(),
          updated_at: now.toISOString(),
        })
        .execute();
    },

    async userIdTaken(userId: string): Promise<boolean> {
      return (await db.selectFrom('accounts').select('id').where('user_id', '=', userId).executeTakeFirst()) !== undefined;
    },

    async findByUserId(userId: string): Promise<AccountRecord | null> {
      const r = await db.selectFrom('accounts').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return r ? toAccount(r) : null;
    },

    async find(id: string): Promise<AccountRecord | null> {
      const r = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toAccount(r) : null;
    },

    async update(id: string, set: { confirmedAt?: Date; passwordHash?: string; totpSecret?: string | null }, now: Date): Promise<void> {
      await db
        .updateTable('accounts')
        .set({
          ...(set.confirmedAt ? { confirmed_at: set.confirmedAt.toISOString() } : {}),
          ...(set.passwordHash ? { password_hash: set.passwordHash } : {}),
          ...(set.totpSecret !== undefined ? { totp_secret: set.totpSecret } : {}),
          updated_at: now.toISOString(),
        })
        .where('id', '=', id)
        .execute();
    },

    async insertToken(tokenHash: string, accountId: string, purpose: 'confirm' | 'reset', expiresAt: Date, now: Date): Promise<void> {
      await db.insertInto('account_tokens').values({ token_hash: tokenHash, account_id: accountId, purpose, expires_at: expiresAt.toISOString(), used_at: null, created_at: now.toISOString() }).execute();
    },

    /** Uses a live token once: the account it belongs to, or null (unknown, used, expired or of another purpose). */
    async useToken(tokenHash: string, purpose: 'confirm' | 'reset', now: Date): Promise<string | null> {
      const row = await db
        .updateTable('account_tokens')
        .set({ used_at: now.toISOString() })
        .where('token_hash', '=', tokenHash)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now.toISOString())
        .returning('account_id')
        .executeTakeFirst();
      return row?.account_id ?? null;
    },

    async accountOfToken(tokenHash: string): Promise<string | null> {
      return (await db.selectFrom('account_tokens').select('account_id').where('token_hash', '=', tokenHash).executeTakeFirst())?.account_id ?? null;
    },

    /** Is the token live (for showing its form before it is used)? */
    async tokenLive(tokenHash: string, purpose: 'confirm' | 'reset', now: Date): Promise<boolean> {
      const row = await db.selectFrom('account_tokens').select('account_id').where('token_hash', '=', tokenHash).where('purpose', '=', purpose).where('used_at', 'is', null).where('expires_at', '>', now.toISOString()).executeTakeFirst();
      return row !== undefined;
    },

    async addApplication(accountId: string, applicationId: string, now: Date): Promise<boolean> {
      const app = await db.selectFrom('applications').select(['status', 'deadline_at', 'status_changed_at', 'procedure', 'office_code', 'filed_at']).where('id', '=', applicationId).executeTakeFirst();
      if (!app) return false;
      const result = await db
        .insertInto('account_applications')
        .values({
          account_id: accountId,
          application_id: applicationId,
          added_at: now.toISOString(),
          ...accountListing(app.status as StatusCode, app.deadline_at, app.status_changed_at),
          procedure: app.procedure,
          office_code: app.office_code,
          filed_at: app.filed_at,
        })
        .onConflict((oc) => oc.columns(['account_id', 'application_id']).doNothing())
        .executeTakeFirst();
      const added = Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
      if (added) await oweBumps(db, { accountId });
      return added;
    },

    async removeApplication(accountId: string, applicationId: string): Promise<boolean> {
      const result = await db.deleteFrom('account_applications').where('account_id', '=', accountId).where('application_id', '=', applicationId).executeTakeFirst();
      const removed = Number(result.numDeletedRows) > 0;
      if (removed) await oweBumps(db, { accountId });
      return removed;
    },

    /**
     * What the two-factor rule needs (decision 0013): whether TOTP is set, and how many applications the
     * account holds, counted up to `upTo` only (the rule asks "more than one"; an account of 10,000
     * applications costs two index entries, not 10,000). Null for an unknown account.
     */
    async twoFactorFacts(accountId: string, upTo = 2): Promise<{ totpSet: boolean; applications: number } | null> {
      const account = await db.selectFrom('accounts').select('totp_secret').where('id', '=', accountId).executeTakeFirst();
      if (!account) return null;
      const held = await db.selectFrom('account_applications').select('application_id').where('account_id', '=', accountId).limit(upTo).execute();
      return { totpSet: account.totp_secret !== null, applications: held.length };
    },

    /** How many of these applications the account holds (one query per 500). */
    async ownedAmong(accountId: string, applicationIds: readonly string[]): Promise<number> {
      let held = 0;
      for (let i = 0; i < applicationIds.length; i += 500) {
        const rows = await db.selectFrom('account_applications').select('application_id').where('account_id', '=', accountId).where('application_id', 'in', applicationIds.slice(i, i + 500)).execute();
        held += rows.length;
      }
      return held;
    },

    async owns(accountId: string, applicationId: string): Promise<boolean> {
      const r = await db.selectFrom('account_applications').select('added_at').where('account_id', '=', accountId).where('application_id', '=', applicationId).executeTakeFirst();
      return r !== undefined;
    },

    /** A new set of リカバリーコード (their hashes) in place of every earlier one, used or not. */
    async replaceRecoveryCodes(accountId: string, codeHashes: readonly string[], now: Date): Promise<void> {
      await db.deleteFrom('account_recovery_codes').where('account_id', '=', accountId).execute();
      if (codeHashes.length > 0) await db.insertInto('account_recovery_codes').values(codeHashes.map((code_hash) => ({ account_id: accountId, code_hash, created_at: now.toISOString(), used_at: null }))).execute();
    },

    /** Uses a リカバリーコード once: true only for an unused code of the account (the update is the check, so two logins cannot both use it). */
    async useRecoveryCode(accountId: string, codeHash: string, now: Date): Promise<boolean> {
      const r = await db.updateTable('account_recovery_codes').set({ used_at: now.toISOString() }).where('account_id', '=', accountId).where('code_hash', '=', codeHash).where('used_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async recoveryCodesLeft(accountId: string): Promise<number> {
      const r = await db.selectFrom('account_recovery_codes').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).where('used_at', 'is', null).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** What the kept first page of 申請一覧 depends on besides the date: the account's name and list version (one read by primary key). */
    async listStamp(accountId: string): Promise<{ name: string; listVersion: string } | null> {
      const r = await db.selectFrom('accounts').select(['name', 'list_version', 'created_at']).where('id', '=', accountId).executeTakeFirst();
      // With the account's creation time: an account removed and made again with the same id (the demo's) starts at 0 again.
      return r ? { name: r.name, listVersion: `${Number(r.list_version)}@${r.created_at}` } : null;
    },

    async count(q: AccountListQuery): Promise<number> {
      const row = await listed(q)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * A page of the list in the order kept on account_applications (list_rank, sort_deadline, the most
     * recently changed first): without filters on the application itself, straight from
     * account_applications_list_idx; then the page's 50 applications by their primary key.
     */
    async page(q: AccountListQuery, limit: number, offset: number): Promise<AccountListRow[]> {
      const ids = (
        await listed(q)
          .select('aa.application_id')
          .orderBy('aa.list_rank')
          .orderBy('aa.sort_deadline')
          .orderBy('aa.status_changed_at', 'desc')
          .orderBy('aa.application_id')
          .limit(limit)
          .offset(offset)
          .execute()
      ).map((r) => r.application_id);
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('applications')
        .select(['id', 'procedure', 'arrival_number', 'receipt_number', 'status', 'status_changed_at', 'filed_at', 'office_code', 'user_name', 'vehicle_number', 'chassis_number', 'deadline_at'])
        .where('id', 'in', ids)
        .execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.flatMap((id) => {
        const r = byId.get(id);
        if (!r) return [];
        return [
          {
            id: r.id,
            procedure: r.procedure as ProcedureCode,
            arrivalNumber: r.arrival_number as ReceiptNumber,
            receiptNumber: r.receipt_number as ReceiptNumber | null,
            status: r.status as StatusCode,
            statusChangedAt: new Date(r.status_changed_at),
            filedAt: new Date(r.filed_at),
            officeCode: r.office_code as OfficeCode,
            userName: r.user_name,
            vehicleNumber: r.vehicle_number,
            chassisNumber: r.chassis_number,
            deadlineAt: r.deadline_at ? new Date(r.deadline_at) : null,
          },
        ];
      });
    },

    async appendLog(id: string, accountId: string, action: AccountLogAction, at: Date, receiptNumber: string | null, clientAddress: string | null, detail: string | null = null): Promise<void> {
      const last = await db.selectFrom('account_log').select((eb) => eb.fn.max('seq').as('seq')).where('account_id', '=', accountId).executeTakeFirst();
      await db.insertInto('account_log').values({ id, account_id: accountId, seq: Number(last?.seq ?? 0) + 1, occurred_at: at.toISOString(), action, receipt_number: receiptNumber, client_address: clientAddress, detail }).execute();
    },

    /**
     * Several lines of one account's log at once, numbered on from its last (a bulk filing's batch).
     * `lock` (PostgreSQL): the account's row is locked first (FOR NO KEY UPDATE: not against the key-share
     * locks of rows that reference the account, which would deadlock two batches), so that two transactions writing lines
     * at once (two batches of one request) never take the same numbers.
     */
    async appendLogLines(accountId: string, lines: readonly { id: string; action: AccountLogAction; at: Date; receiptNumber: string | null; clientAddress: string | null }[], lock: boolean): Promise<void> {
      if (lines.length === 0) return;
      if (lock) await sql`select id from accounts where id = ${accountId} for no key update`.execute(db);
      const last = await db.selectFrom('account_log').select((eb) => eb.fn.max('seq').as('seq')).where('account_id', '=', accountId).executeTakeFirst();
      const first = Number(last?.seq ?? 0) + 1;
      await db
        .insertInto('account_log')
        .values(lines.map((l, i) => ({ id: l.id, account_id: accountId, seq: first + i, occurred_at: l.at.toISOString(), action: l.action, receipt_number: l.receiptNumber, client_address: l.clientAddress, detail: null })))
        .execute();
    },

    /** The newest log lines first. */
    async log(accountId: string, limit: number): Promise<AccountLogRecord[]> {
      const rows = await db.selectFrom('account_log').selectAll().where('account_id', '=', accountId).orderBy('seq', 'desc').limit(limit).execute();
      return rows.map((r) => ({ occurredAt: new Date(r.occurred_at), action: r.action as AccountLogAction, receiptNumber: r.receipt_number, clientAddress: r.client_address, detail: r.detail }));
    },
  };
}
