import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMail } from '../../src/services/mail-outbox.js';
import { mailRepository } from '../../src/store/mail.repository.js';
import { createTestApp, type TestApp } from '../support/app.js';

describe('the mail outbox (enqueueMail in the caller’s transaction)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const repo = () => mailRepository(t.db.handle.db, t.db.handle.dialect);
  const mail = (dedupeKey: string, extra: Partial<Parameters<typeof enqueueMail>[2]> = {}) => ({
    kind: 'test',
    to: 'applicant@example.jp',
    subject: '件名',
    text: '本文',
    html: '<p>本文</p>',
    dedupeKey,
    ...extra,
  });

  it('writes the message with a stable Message-ID; a second enqueue with the same dedupeKey is a no-op', async () => {
    const first = await t.db.handle.db.transaction().execute((tx) => enqueueMail(t.deps, tx, mail('k-1', { accountId: 'acc-1' })));
    const second = await t.db.handle.db.transaction().execute((tx) => enqueueMail(t.deps, tx, mail('k-1', { accountId: 'acc-1', subject: '別の件名' })));
    expect([first, second]).toEqual([true, false]);
    const rows = await t.db.handle.db.selectFrom('mail_outbox').selectAll().where('dedupe_key', '=', 'k-1').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ subject: '件名', state: 'queued', attempts: 0, account_id: 'acc-1', application_id: null, seq: 1, to_address: 'applicant@example.jp' });
    expect(rows[0]!.message_id).toMatch(/^<[0-9a-f-]{36}@kei-oss\.localhost>$/);
  });

  it('a transaction that rolls back leaves no message', async () => {
    await expect(
      t.db.handle.db.transaction().execute(async (tx) => {
        await enqueueMail(t.deps, tx, mail('k-rollback'));
        throw new Error('the status change failed');
      }),
    ).rejects.toThrow('the status change failed');
    expect(await t.db.handle.db.selectFrom('mail_outbox').select('id').where('dedupe_key', '=', 'k-rollback').execute()).toEqual([]);
  });

  it('claims only the first unsent message of an owner, leases it, and counts states', async () => {
    await t.db.handle.db.transaction().execute(async (tx) => {
      await enqueueMail(t.deps, tx, mail('k-a2', { accountId: 'acc-2' }));
      await enqueueMail(t.deps, tx, mail('k-a2b', { accountId: 'acc-2' }));
    });
    const now = t.clock.now();
    const lease = new Date(now.getTime() + 60_000);
    const claimed = await t.db.handle.db.transaction().execute((tx) => mailRepository(tx, t.db.handle.dialect).claimDue(now, lease, 10));
    expect(claimed.map((m) => m.dedupeKey).sort()).toEqual(['k-1', 'k-a2']);
    expect(claimed.every((m) => m.attempts === 1)).toBe(true);
    // Leased: nothing more is due until the lease ends, and k-a2b waits for k-a2.
    expect(await t.db.handle.db.transaction().execute((tx) => mailRepository(tx, t.db.handle.dialect).claimDue(now, lease, 10))).toEqual([]);
    await repo().markSent(claimed.find((m) => m.dedupeKey === 'k-a2')!.id, now);
    await repo().markFailed(claimed.find((m) => m.dedupeKey === 'k-1')!.id, '550 no such user');
    const next = await t.db.handle.db.transaction().execute((tx) => mailRepository(tx, t.db.handle.dialect).claimDue(now, lease, 10));
    expect(next.map((m) => m.dedupeKey)).toEqual(['k-a2b']);
    expect(await repo().counts()).toEqual({ queued: 1, retrying: 1, sent: 1, failed: 1, oldestWaitingSince: now });
    expect(await repo().requeueFailed(now)).toBe(1);
    expect((await repo().counts()).failed).toBe(0);
  });
});
