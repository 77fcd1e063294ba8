import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailDraft } from '../../../src/domain/mail.js';
import { mailRepository } from '../../../src/store/mail.repository.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const mail = (applicationId: string, key: string): MailDraft & { applicationId: string } => ({ kind: 'outcome', to: 'a@example.jp', subject: '件名', text: '本文', html: '<p>本文</p>', dedupeKey: key, applicationId });

describe('the mail outbox on PostgreSQL: the sweep’s mails (round seven)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('compresses the bodies with lz4 where the server offers it (migration 0028)', async () => {
    const { rows } = await sql<{ lz4: boolean }>`select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`.execute(db.handle.db);
    const { rows: columns } = await sql<{ attname: string; attcompression: string }>`
      select attname, attcompression from pg_attribute where attrelid = 'mail_outbox'::regclass and attname in ('text_body', 'html_body') order by attname`.execute(db.handle.db);
    expect(columns).toEqual([
      { attname: 'html_body', attcompression: rows[0]?.lz4 ? 'l' : '' },
      { attname: 'text_body', attcompression: rows[0]?.lz4 ? 'l' : '' },
    ]);
  });

  it('reads the last seq of a batch’s applications through the index, never by scanning the outbox, even with statistics older than the queue', async () => {
    // 20,000 queued mails the statistics do not know of (no ANALYZE, no autovacuum): the outbox after a sweep.
    await sql`alter table mail_outbox set (autovacuum_enabled = false)`.execute(db.handle.db);
    await sql`insert into mail_outbox (id, application_id, account_id, kind, to_address, subject, text_body, html_body, headers, message_id, dedupe_key, seq, state, attempts, next_attempt_at, last_error, created_at, sent_at)
      select 'old-' || n, 'app-' || n, null, 'outcome', 'a@example.jp', 's', repeat('本文', 200), repeat('<p>本文</p>', 200), '{}', '<old-' || n || '>', 'old-' || n, 1, 'queued', 0, '2026-12-01T00:00:00.000Z', null, '2026-12-01T00:00:00.000Z', null
      from generate_series(1, 20000) n`.execute(db.handle.db);
    // The outbox's sequential scans, from the server's statistics (each backend's counts flushed at the end of its transaction).
    const seqScans = async () => {
      const { rows } = await sql<{ n: string }>`select pg_stat_clear_snapshot(), (select seq_scan from pg_stat_user_tables where relid = 'mail_outbox'::regclass) as n`.execute(db.handle.db);
      return Number(rows[0]?.n ?? 0);
    };
    await sql`select pg_stat_force_next_flush()`.execute(db.handle.db);
    const before = await seqScans();
    await db.handle.db.transaction().execute(async (tx) => {
      await mailRepository(tx, 'postgres').enqueueMany(
        Array.from({ length: 500 }, (_, i) => ({ id: `new-${i}`, messageId: `<new-${i}>`, mail: mail(`app-${i * 40 + 1}`, `new-${i}`) })),
        new Date('2026-12-07T00:00:00.000Z'),
      );
      await sql`select pg_stat_force_next_flush()`.execute(tx);
    });
    const scans = (await seqScans()) - before;
    expect(scans).toBe(0);
    const seqs = await db.handle.db.selectFrom('mail_outbox').select(['application_id', 'seq']).where('id', 'like', 'new-%').orderBy('application_id').limit(3).execute();
    expect(seqs.every((r) => r.seq === 2)).toBe(true);
  });
});
