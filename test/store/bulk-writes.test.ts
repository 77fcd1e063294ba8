import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailDraft } from '../../src/domain/mail.js';
import { historyRepository } from '../../src/store/history.repository.js';
import { mailRepository } from '../../src/store/mail.repository.js';
import { TEST_NOW } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertDueApplications } from '../multiprocess/support/due-applications.js';

const mail = (applicationId: string, key: string, text = `本文 ${key} 'quoted' "double" \\ {brace} ,comma NULL`): MailDraft & { applicationId: string } => ({
  kind: 'outcome',
  to: `a-${key}@example.jp`,
  subject: `件名 ${key}`,
  text,
  html: `<p>${text}</p>`,
  dedupeKey: key,
  applicationId,
  headers: { 'List-Unsubscribe': `<https://example.jp/u/${key}>` },
});

describe('the sweep’s bulk writes (enqueueMany, appendMany): the same rows on both databases (PostgreSQL: unnest arrays)', () => {
  let db: TestDatabase;
  let ids: string[];
  beforeAll(async () => {
    db = await createTestDatabase();
    ids = (await insertDueApplications(db.handle, 3, TEST_NOW)).ids.sort();
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
  });

  it('enqueueMany numbers each application’s mails after its last one, in the order given, keeps the texts as given and skips a taken dedupe key', async () => {
    const [a, b, c] = ids as [string, string, string];
    const repo = mailRepository(db.handle.db, db.handle.dialect);
    const at = new Date(TEST_NOW.getTime() + 1000);
    await repo.enqueue('m-0', '<m-0@x>', mail(a, 'k-0'), at);
    await db.handle.db.transaction().execute((tx) =>
      mailRepository(tx, db.handle.dialect).enqueueMany(
        [
          { id: 'm-1', messageId: '<m-1@x>', mail: mail(a, 'k-1') },
          { id: 'm-2', messageId: '<m-2@x>', mail: mail(b, 'k-2') },
          { id: 'm-3', messageId: '<m-3@x>', mail: mail(a, 'k-3') },
          // Taken: skipped, as by enqueue.
          { id: 'm-4', messageId: '<m-4@x>', mail: mail(c, 'k-0') },
          { id: 'm-5', messageId: '<m-5@x>', mail: mail(c, 'k-5', '') },
        ],
        at,
      ),
    );
    const rows = await db.handle.db.selectFrom('mail_outbox').select(['id', 'application_id', 'account_id', 'seq', 'state', 'attempts', 'text_body', 'html_body', 'headers', 'dedupe_key', 'next_attempt_at', 'sent_at', 'last_error']).orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.application_id, r.seq])).toEqual([
      ['m-0', a, 1],
      ['m-1', a, 2],
      ['m-2', b, 1],
      ['m-3', a, 3],
      // The skipped mail took c's first number (as before: the numbers are only an order).
      ['m-5', c, 2],
    ]);
    const m1 = rows.find((r) => r.id === 'm-1')!;
    expect(m1).toMatchObject({ account_id: null, state: 'queued', attempts: 0, text_body: mail(a, 'k-1').text, html_body: mail(a, 'k-1').html, dedupe_key: 'k-1', next_attempt_at: at.toISOString(), sent_at: null, last_error: null });
    expect(JSON.parse(m1.headers)).toEqual({ 'List-Unsubscribe': '<https://example.jp/u/k-1>' });
    expect(rows.find((r) => r.id === 'm-5')!.text_body).toBe('');
  });

  it('appendMany writes the rows as given, in the order given, at one feed position a transaction on PostgreSQL (increasing on SQLite)', async () => {
    const [a, b] = ids as [string, string];
    const at = new Date(TEST_NOW.getTime() + 2000);
    const draft = (reason: string | null) => ({ event: 'expirePayment', fromStatus: null, toStatus: 'invalidated', actor: { kind: 'clock' } as const, reason, details: { note: "it's \"quoted\"" }, occurredAt: at }) as never;
    await db.handle.db.transaction().execute((tx) =>
      historyRepository(tx, db.handle.dialect).appendMany([
        { applicationId: b, seq: 100, draft: draft(null), id: 'h-z' },
        { applicationId: a, seq: 100, draft: draft('理由'), id: 'h-a' },
      ]),
    );
    const rows = await db.handle.db.selectFrom('status_history').select(['id', 'application_id', 'seq', 'event', 'from_status', 'to_status', 'actor_kind', 'actor_id', 'reason', 'details', 'occurred_at', 'feed_position']).where('seq', '=', 100).orderBy('feed_position').orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.application_id, r.reason])).toEqual(db.handle.dialect === 'postgres' ? [['h-a', a, '理由'], ['h-z', b, null]] : [['h-z', b, null], ['h-a', a, '理由']]);
    expect(rows[0]).toMatchObject({ seq: 100, event: 'expirePayment', from_status: null, to_status: 'invalidated', actor_kind: 'clock', occurred_at: at.toISOString() });
    expect(JSON.parse(rows[0]!.details)).toEqual({ note: "it's \"quoted\"" });
    const positions = rows.map((r) => Number(r.feed_position));
    if (db.handle.dialect === 'postgres') expect(positions[0]).toBe(positions[1]);
    else expect(positions[1]).toBeGreaterThan(positions[0]!);
    expect(positions[0]).toBeGreaterThan(0);
  });
});
