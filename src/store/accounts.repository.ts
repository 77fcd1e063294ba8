import { sql, type Selectable } from 'kysely';
import type { AccountKind, AccountListSearch, AccountLogAction } from '../domain/accounts.js';
import type { OfficeCode } from '../domain/offices.js';
import type { ProcedureCode } from '../domain/procedures.js';
import type { ReceiptNumber } from '../domain/receipt-number.js';
import type { StatusCode } from '../domain/statuses.js';
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
  /** Ranks of the order: the statuses of rank 0, then of rank 1, …; every other status after them. */
  readonly ranks: readonly (readonly StatusCode[])[];
}

/** One row of the 申請一覧. */
export interface AccountListRow {
  readonly id: string;
  readonly procedure: ProcedureCode;
  readonly arrivalNumber: ReceiptNumber;
  readonly receiptNumber: ReceiptNumber | null;
  readonly status: StatusCode;
  readonly statusChangedAt: Date;
  readonly filedAt: Date;
  readonly officeCode: OfficeCode;
  readonly userName: string;
  readonly vehicleNumber: string | null;
  readonly chassisNumber: string;
  /** The instant the running deadline passes (the day after 期限日 in Japan), or null. */
  readonly deadlineAt: Date | null;
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
    let query = db
      .selectFrom('account_applications as aa')
      .innerJoin('applications as a', 'a.id', 'aa.application_id')
      .where('aa.account_id', '=', q.accountId);
    if (q.statuses) query = query.where('a.status', 'in', q.statuses.length > 0 ? [...q.statuses] : ['-']);
    if (q.procedure) query = query.where('a.procedure', '=', q.procedure);
    if (q.officeCode) query = query.where('a.office_code', '=', q.officeCode);
    if (q.filedFrom) query = query.where('a.filed_at', '>=', q.filedFrom.toISOString());
    if (q.filedBefore) query = query.where('a.filed_at', '<', q.filedBefore.toISOString());
    const s = q.search;
    if (s?.kind === 'number') query = query.where((eb) => eb.or([eb('a.arrival_number', '=', s.number), eb('a.receipt_number', '=', s.number), eb('a.chassis_number', '=', s.chassisNumber)]));
    if (s?.kind === 'vehicleNumber') query = query.where('a.vehicle_number', '=', s.vehicleNumber);
    if (s?.kind === 'chassisNumber') query = query.where((eb) => eb.or([eb('a.chassis_number', '=', s.chassisNumber), eb(sql`a.user_name`, 'like', sql`${likePattern(s.userName)} escape '\\'`)]));
    if (s?.kind === 'userName') query = query.where(sql<boolean>`a.user_name like ${likePattern(s.userName)} escape '\\'`);
    return query;
  }

  function rank(ranks: readonly (readonly StatusCode[])[]) {
    const cases = ranks.filter((r) => r.length > 0).map((statuses, i) => sql`when a.status in (${sql.join([...statuses])}) then ${sql.lit(i)}`);
    return cases.length > 0 ? sql<number>`case ${sql.join(cases, sql` `)} else ${sql.lit(ranks.length)} end` : sql<number>`0`;
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
      const result = await db
        .insertInto('account_applications')
        .values({ account_id: accountId, application_id: applicationId, added_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['account_id', 'application_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async removeApplication(accountId: string, applicationId: string): Promise<boolean> {
      const result = await db.deleteFrom('account_applications').where('account_id', '=', accountId).where('application_id', '=', applicationId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async owns(accountId: string, applicationId: string): Promise<boolean> {
      const r = await db.selectFrom('account_applications').select('added_at').where('account_id', '=', accountId).where('application_id', '=', applicationId).executeTakeFirst();
      return r !== undefined;
    },

    async count(q: AccountListQuery): Promise<number> {
      const row = await listed(q)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * A page of the list, through account_applications' primary key (account_id, application_id) and
     * the applications' primary key: the ranks first, within a rank the nearest running deadline
     * first (none last), then the most recently changed.
     */
    async page(q: AccountListQuery, limit: number, offset: number): Promise<AccountListRow[]> {
      const rows = await listed(q)
        .select(['a.id', 'a.procedure', 'a.arrival_number', 'a.receipt_number', 'a.status', 'a.status_changed_at', 'a.filed_at', 'a.office_code', 'a.user_name', 'a.vehicle_number', 'a.chassis_number', 'a.deadline_at'])
        .orderBy(rank(q.ranks))
        // Portable "nulls last": false (0) sorts before true (1) on both databases.
        .orderBy(sql`a.deadline_at is null`)
        .orderBy('a.deadline_at')
        .orderBy('a.status_changed_at', 'desc')
        .orderBy('a.id')
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map((r) => ({
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
      }));
    },

    async appendLog(id: string, accountId: string, action: AccountLogAction, at: Date, receiptNumber: string | null, clientAddress: string | null): Promise<void> {
      const last = await db.selectFrom('account_log').select((eb) => eb.fn.max('seq').as('seq')).where('account_id', '=', accountId).executeTakeFirst();
      await db.insertInto('account_log').values({ id, account_id: accountId, seq: Number(last?.seq ?? 0) + 1, occurred_at: at.toISOString(), action, receipt_number: receiptNumber, client_address: clientAddress }).execute();
    },

    /** The newest log lines first. */
    async log(accountId: string, limit: number): Promise<AccountLogRecord[]> {
      const rows = await db.selectFrom('account_log').selectAll().where('account_id', '=', accountId).orderBy('seq', 'desc').limit(limit).execute();
      return rows.map((r) => ({ occurredAt: new Date(r.occurred_at), action: r.action as AccountLogAction, receiptNumber: r.receipt_number, clientAddress: r.client_address }));
    },
  };
}
