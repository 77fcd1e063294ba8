import { sql } from 'kysely';
import type { ContactAddress, MailDraft, OutboxMessage, OutboxState } from '../domain/mail.js';
import type { Executor } from './database.js';
import type { ContactAddressesTable, MailOutboxTable } from './schema.js';

function toMessage(r: MailOutboxTable): OutboxMessage {
  return {
    id: r.id,
    applicationId: r.application_id,
    accountId: r.account_id,
    kind: r.kind,
    to: r.to_address,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    headers: JSON.parse(r.headers) as Record<string, string>,
    messageId: r.message_id,
    dedupeKey: r.dedupe_key,
    seq: Number(r.seq),
    state: r.state as OutboxState,
    attempts: Number(r.attempts),
    nextAttemptAt: new Date(r.next_attempt_at),
    lastError: r.last_error,
    createdAt: new Date(r.created_at),
    sentAt: r.sent_at === null ? null : new Date(r.sent_at),
  };
}

function toContact(r: ContactAddressesTable): ContactAddress {
  const date = (v: string | null) => (v === null ? null : new Date(v));
  return {
    applicationId: r.application_id,
    address: r.address,
    confirmedAt: date(r.confirmed_at),
    tokenHash: r.token_hash,
    tokenExpiresAt: date(r.token_expires_at),
    unsubscribedAt: date(r.unsubscribed_at),
    unsubscribeToken: r.unsubscribe_token,
    updatedAt: new Date(r.updated_at),
  };
}

export interface OutboxCounts {
  readonly queued: number;
  /** Queued after at least one failed attempt. */
  readonly retrying: number;
  readonly sent: number;
  readonly failed: number;
  readonly oldestWaitingSince: Date | null;
}

/** The mail outbox and the 連絡先メールアドレス. */
export function mailRepository(db: Executor, dialect: 'sqlite' | 'postgres') {
  async function markSentAll(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    // On SQLite `+state`: without it (and without ANALYZE's statistics) SQLite reads the rows through
    // mail_outbox_due_idx (state = 'queued': every queued row) instead of the primary key, a scan of
    // the whole queue at each commit (100,000 rows after the new-year sweep; docs/benchmarks.md).
    const state = dialect === 'sqlite' ? sql<string>`+state` : sql<string>`state`;
    await db.updateTable('mail_outbox').set({ state: 'sent', sent_at: at.toISOString(), last_error: null }).where('id', 'in', ids).where(state, '=', 'queued').execute();
  }

  const row = (id: string, messageId: string, mail: MailDraft, seq: number, at: Date) => ({
    id,
    application_id: mail.applicationId ?? null,
    account_id: mail.accountId ?? null,
    kind: mail.kind,
    to_address: mail.to,
    subject: mail.subject,
    text_body: mail.text,
    html_body: mail.html,
    headers: JSON.stringify(mail.headers ?? {}),
    message_id: messageId,
    dedupe_key: mail.dedupeKey,
    seq,
    state: 'queued',
    attempts: 0,
    next_attempt_at: at.toISOString(),
    last_error: null,
    created_at: at.toISOString(),
    sent_at: null,
  });

  /**
   * The last seq of each application (0 when it has no mail yet). PostgreSQL reads it one application
   * at a time through mail_outbox_application_idx (a subquery per id of an array):
   * `application_id IN (…500 ids…)` was planned as a scan of the whole outbox whenever its statistics
   * were older than the queue (100,000 mails queued by one sweep: 5.0 s of 26 in PostgreSQL,
   * docs/benchmarks.md round seven). SQLite: grouped over IN lists of 500.
   */
  async function lastSeqs(ids: readonly string[]): Promise<Map<string, number>> {
    const seqs = new Map<string, number>();
    if (dialect === 'postgres') {
      const last = await sql<{ application_id: string; seq: number | null }>`
        select v.id as application_id, (select max(m.seq) from mail_outbox m where m.application_id = v.id) as seq
        from unnest(${ids}::text[]) as v(id)`.execute(db);
      for (const r of last.rows) seqs.set(r.application_id, Number(r.seq ?? 0));
      return seqs;
    }
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db
        .selectFrom('mail_outbox')
        .select((eb) => ['application_id', eb.fn.max('seq').as('seq')])
        .where('application_id', 'in', ids.slice(i, i + 500))
        .groupBy('application_id')
        .execute();
      for (const r of rows) if (r.application_id) seqs.set(r.application_id, Number(r.seq ?? 0));
    }
    return seqs;
  }

  /**
   * The rows, a taken dedupe key skipped. PostgreSQL: one INSERT … SELECT FROM unnest(one array a
   * column): one parameter a column, nothing compiled by the row. SQLite: multi-row inserts of 200.
   */
  async function insertMany(rows: readonly ReturnType<typeof row>[]): Promise<void> {
    if (dialect === 'postgres') {
      const column = <K extends keyof ReturnType<typeof row>>(k: K) => rows.map((r) => r[k]);
      await sql`
        insert into mail_outbox (id, application_id, account_id, kind, to_address, subject, text_body, html_body, headers, message_id, dedupe_key, seq, state, attempts, next_attempt_at, last_error, created_at, sent_at)
        select * from unnest(${column('id')}::text[], ${column('application_id')}::text[], ${column('account_id')}::text[], ${column('kind')}::text[], ${column('to_address')}::text[],
          ${column('subject')}::text[], ${column('text_body')}::text[], ${column('html_body')}::text[], ${column('headers')}::text[], ${column('message_id')}::text[], ${column('dedupe_key')}::text[],
          ${column('seq')}::int4[], ${column('state')}::text[], ${column('attempts')}::int4[], ${column('next_attempt_at')}::text[], ${column('last_error')}::text[], ${column('created_at')}::text[], ${column('sent_at')}::text[])
        on conflict (dedupe_key) do nothing`.execute(db);
      return;
    }
    for (let i = 0; i < rows.length; i += 200) {
      await db
        .insertInto('mail_outbox')
        .values(rows.slice(i, i + 200))
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .execute();
    }
  }

  return {
    /**
     * Many messages about applications at once (a use case that moves many in one transaction): the
     * last seq of every application (`lastSeqs`), then the messages (`insertMany`). A message whose
     * dedupe key is taken is skipped, as by `enqueue`.
     */
    async enqueueMany(mails: readonly { id: string; messageId: string; mail: MailDraft & { applicationId: string } }[], at: Date): Promise<void> {
      const seqs = await lastSeqs([...new Set(mails.map((m) => m.mail.applicationId))]);
      await insertMany(
        mails.map((m) => {
          const seq = (seqs.get(m.mail.applicationId) ?? 0) + 1;
          seqs.set(m.mail.applicationId, seq);
          return row(m.id, m.messageId, m.mail, seq, at);
        }),
      );
    },

    /** The 連絡先メールアドレス of many applications at once (those without one are absent). */
    async contacts(applicationIds: readonly string[]): Promise<Map<string, ContactAddress>> {
      const out = new Map<string, ContactAddress>();
      for (let i = 0; i < applicationIds.length; i += 500) {
        const rows = await db.selectFrom('contact_addresses').selectAll().where('application_id', 'in', applicationIds.slice(i, i + 500)).execute();
        for (const r of rows) out.set(r.application_id, toContact(r));
      }
      return out;
    },

    /** Adds a message; false (and nothing written) when its dedupe key is taken. */
    async enqueue(id: string, messageId: string, mail: MailDraft, at: Date): Promise<boolean> {
      const owner = mail.applicationId ? { column: 'application_id' as const, value: mail.applicationId } : mail.accountId ? { column: 'account_id' as const, value: mail.accountId } : null;
      let seq = 0;
      if (owner) {
        const last = await db.selectFrom('mail_outbox').select((eb) => eb.fn.max('seq').as('seq')).where(owner.column, '=', owner.value).executeTakeFirst();
        seq = Number(last?.seq ?? 0) + 1;
      }
      const result = await db
        .insertInto('mail_outbox')
        .values(row(id, messageId, mail, seq, at))
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    /**
     * Inside a transaction: takes up to `limit` due messages and leases them until `leaseUntil`
     * (next_attempt_at moves there and attempts counts one), so that no other worker takes them
     * while they are being sent. Only the first unsent message of an application (or account) is
     * due: mails go out in order. PostgreSQL: `FOR UPDATE SKIP LOCKED`, several workers take
     * different rows; SQLite: the caller's `BEGIN IMMEDIATE` is the write lock.
     */
    async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<OutboxMessage[]> {
      let query = db
        .selectFrom('mail_outbox as m')
        .selectAll('m')
        .where('m.state', '=', 'queued')
        .where('m.next_attempt_at', '<=', now.toISOString())
        // Two plain NOT EXISTS (not one with an OR), so that each uses its (owner, seq) index.
        .where((eb) => eb.not(eb.exists(eb.selectFrom('mail_outbox as e').select('e.id').whereRef('e.application_id', '=', 'm.application_id').whereRef('e.seq', '<', 'm.seq').where('e.state', '=', 'queued'))))
        .where((eb) => eb.not(eb.exists(eb.selectFrom('mail_outbox as e').select('e.id').whereRef('e.account_id', '=', 'm.account_id').whereRef('e.seq', '<', 'm.seq').where('e.state', '=', 'queued'))))
        // next_attempt_at alone, the order of mail_outbox_due_idx: the scan stops after `limit` rows.
        // Adding seq here (the order within an application, which the NOT EXISTS already keeps) made
        // SQLite sort every due row at each claim: 0.45 s a claim with 100,000 queued (docs/benchmarks.md).
        .orderBy('m.next_attempt_at')
        .limit(limit);
      if (dialect === 'postgres') query = query.forUpdate().skipLocked();
      const rows = await query.execute();
      if (rows.length === 0) return [];
      await db
        .updateTable('mail_outbox')
        .set((eb) => ({ next_attempt_at: leaseUntil.toISOString(), attempts: eb('attempts', '+', 1) }))
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.map((r) => ({ ...toMessage(r), attempts: Number(r.attempts) + 1, nextAttemptAt: leaseUntil }));
    },

    markSent: (id: string, at: Date): Promise<void> => markSentAll([id], at),

    markSentAll,

    async markRetry(id: string, nextAttemptAt: Date, error: string): Promise<void> {
      await db.updateTable('mail_outbox').set({ next_attempt_at: nextAttemptAt.toISOString(), last_error: error }).where('id', '=', id).where('state', '=', 'queued').execute();
    },

    async markFailed(id: string, error: string): Promise<void> {
      await db.updateTable('mail_outbox').set({ state: 'failed', last_error: error }).where('id', '=', id).where('state', '=', 'queued').execute();
    },

    /** Failed messages queued again (all, or those of one application); how many. */
    async requeueFailed(now: Date, applicationId?: string): Promise<number> {
      let q = db.updateTable('mail_outbox').set({ state: 'queued', attempts: 0, next_attempt_at: now.toISOString() }).where('state', '=', 'failed');
      if (applicationId) q = q.where('application_id', '=', applicationId);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async counts(): Promise<OutboxCounts> {
      const rows = await db
        .selectFrom('mail_outbox')
        .select((eb) => ['state', sql<number>`case when attempts > 0 then 1 else 0 end`.as('tried'), eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
        .groupBy(['state', sql`case when attempts > 0 then 1 else 0 end`])
        .execute();
      let queued = 0;
      let retrying = 0;
      let sent = 0;
      let failed = 0;
      let oldest: string | null = null;
      for (const r of rows) {
        const n = Number(r.n);
        if (r.state === 'sent') sent += n;
        else if (r.state === 'failed') failed += n;
        else {
          queued += n;
          if (Number(r.tried) === 1) retrying += n;
          if (r.oldest !== null && (oldest === null || r.oldest < oldest)) oldest = r.oldest;
        }
      }
      return { queued, retrying, sent, failed, oldestWaitingSince: oldest === null ? null : new Date(oldest) };
    },

    /** The mails of an application, oldest first. */
    async forApplication(applicationId: string): Promise<OutboxMessage[]> {
      const rows = await db.selectFrom('mail_outbox').selectAll().where('application_id', '=', applicationId).orderBy('seq').execute();
      return rows.map(toMessage);
    },

    /** The newest mail of an application (its state shows on the status page). */
    async latestForApplication(applicationId: string): Promise<OutboxMessage | null> {
      const row = await db.selectFrom('mail_outbox').selectAll().where('application_id', '=', applicationId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row ? toMessage(row) : null;
    },

    async contact(applicationId: string): Promise<ContactAddress | null> {
      const row = await db.selectFrom('contact_addresses').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
      return row ? toContact(row) : null;
    },

    /** Sets (or replaces) the address, unconfirmed, with a new confirmation token (the unsubscribe token is kept once made). */
    async setContact(applicationId: string, address: string, tokenHash: string, tokenExpiresAt: Date, unsubscribeToken: string, at: Date): Promise<void> {
      const values = { address, confirmed_at: null, token_hash: tokenHash, token_expires_at: tokenExpiresAt.toISOString(), unsubscribed_at: null, updated_at: at.toISOString() };
      await db
        .insertInto('contact_addresses')
        .values({ application_id: applicationId, unsubscribe_token: unsubscribeToken, ...values })
        .onConflict((oc) => oc.column('application_id').doUpdateSet(values))
        .execute();
    },

    async removeContact(applicationId: string): Promise<void> {
      await db.deleteFrom('contact_addresses').where('application_id', '=', applicationId).execute();
    },

    async contactByToken(tokenHash: string): Promise<ContactAddress | null> {
      const row = await db.selectFrom('contact_addresses').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? toContact(row) : null;
    },

    async contactByUnsubscribeToken(token: string): Promise<ContactAddress | null> {
      const row = await db.selectFrom('contact_addresses').selectAll().where('unsubscribe_token', '=', token).executeTakeFirst();
      return row ? toContact(row) : null;
    },

    /** Applications with a confirmed, subscribed address whose running deadline passes before `until` (the reminders' candidates). */
    async subscribedWithDeadlineBefore(now: Date, until: Date): Promise<string[]> {
      const rows = await db
        .selectFrom('applications as a')
        .innerJoin('contact_addresses as c', 'c.application_id', 'a.id')
        .select('a.id')
        .where('a.deadline_at', '>', now.toISOString())
        .where('a.deadline_at', '<=', until.toISOString())
        .where('c.confirmed_at', 'is not', null)
        .where('c.unsubscribed_at', 'is', null)
        .orderBy('a.deadline_at')
        .execute();
      return rows.map((r) => r.id);
    },

    async confirmContact(applicationId: string, at: Date): Promise<void> {
      await db.updateTable('contact_addresses').set({ confirmed_at: at.toISOString(), token_hash: null, token_expires_at: null, updated_at: at.toISOString() }).where('application_id', '=', applicationId).execute();
    },

    async unsubscribe(applicationId: string, at: Date): Promise<void> {
      await db.updateTable('contact_addresses').set({ unsubscribed_at: at.toISOString(), updated_at: at.toISOString() }).where('application_id', '=', applicationId).where('unsubscribed_at', 'is', null).execute();
    },
  };
}
