import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { runMailRetry, runMailStatus } from '../../src/cli/mail-commands.js';
import { enqueueMail } from '../../src/services/mail-outbox.js';
import { mailRepository } from '../../src/store/mail.repository.js';
import { createTestApp, type TestApp } from '../support/app.js';

describe('kei-oss mail-status and mail-retry', () => {
  let t: TestApp;
  const lines: string[] = [];
  const io = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l) };
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts queued, retrying, sent and failed, with the oldest waiting; exit 1 while a message has failed; mail-retry queues failed ones again', async () => {
    for (const key of ['a', 'b', 'c']) {
      await t.db.handle.db.transaction().execute((tx) => enqueueMail(t.deps, tx, { kind: 'test', to: 'x@example.jp', subject: key, text: key, html: key, dedupeKey: `cli-${key}`, applicationId: `app-${key}` }));
    }
    const repo = mailRepository(t.db.handle.db, t.db.handle.dialect);
    const [a, b] = await t.db.handle.db.transaction().execute((tx) => mailRepository(tx, t.db.handle.dialect).claimDue(t.clock.now(), t.clock.now(), 2));
    await repo.markSent(a!.id, t.clock.now());
    await repo.markFailed(b!.id, '550 5.1.1 no such user');
    lines.length = 0;
    expect(await runMailStatus(t.services, {}, io)).toBe(1);
    expect(lines).toEqual(['mail outbox: 1 queued (0 retrying), 1 sent, 1 failed', 'oldest waiting since 2026年 11月 26日 10時 00分 00秒 (Japan time)']);
    lines.length = 0;
    expect(await runMailStatus(t.services, { json: true }, io)).toBe(1);
    expect(JSON.parse(lines[0]!)).toEqual({ queued: 1, retrying: 0, sent: 1, failed: 1, oldestWaitingSince: '2026-11-26T01:00:00.000Z' });
    lines.length = 0;
    expect(await runMailRetry(t.services, {}, io)).toBe(0);
    expect(lines).toEqual(["queued again: 1 failed message (the servers' delivery workers send them within MAIL_POLL_SECONDS)"]);
    expect(await runMailStatus(t.services, { json: true }, { out: () => undefined, err: () => undefined })).toBe(0);
  });

  it('both commands are listed with a --help of their own', () => {
    for (const name of ['mail-status', 'mail-retry']) {
      const c = commands.find((x) => x.name === name);
      expect(c?.help).toMatch(new RegExp(`^Usage: kei-oss ${name}`));
    }
  });
});
