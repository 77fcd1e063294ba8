import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDeps } from '../../src/services/context.js';
import { defaultDeliveryPolicy, makeMailDelivery, retryDelayMs, type DeliveryPolicy } from '../../src/services/mail-delivery.js';
import { enqueueMail } from '../../src/services/mail-outbox.js';
import { createMailTransport } from '../../src/services/mail-transport.js';
import { createTestApp, silentLogger, type TestApp } from '../support/app.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const policy: DeliveryPolicy = { ...defaultDeliveryPolicy, random: () => 0.5 };

describe('the delivery worker, over real SMTP to smtp-server', () => {
  let t: TestApp;
  let sink: SmtpSink;
  beforeAll(async () => {
    t = await createTestApp();
    sink = await startSmtpSink({ refuse: (to) => to.startsWith('nobody@') });
  });
  afterAll(async () => {
    await sink.stop();
    await t.close();
  });

  const transport = () => createMailTransport({ smtpUrl: sink.url, smtpRate: 1000, mailDir: '/nonexistent', from: '軽自動車OSS <noreply@kei-oss.localhost>' }, silentLogger);
  const put = (deps: ServiceDeps, key: string, extra: { to?: string; applicationId?: string } = {}) =>
    t.db.handle.db.transaction().execute((tx) =>
      enqueueMail(deps, tx, {
        kind: 'test',
        to: extra.to ?? 'applicant@example.jp',
        subject: `件名 ${key}`,
        text: `本文 ${key}`,
        html: `<p>本文 ${key}</p>`,
        dedupeKey: key,
        applicationId: extra.applicationId ?? null,
        headers: { 'List-Unsubscribe': '<http://127.0.0.1:3000/mail/unsubscribe/x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      }),
    );
  const row = (key: string) => t.db.handle.db.selectFrom('mail_outbox').selectAll().where('dedupe_key', '=', key).executeTakeFirstOrThrow();

  it('sends a queued message with its Message-ID, both parts and the extra headers, then marks it sent', async () => {
    await put(t.deps, 'd-1');
    const tr = transport();
    const run = await makeMailDelivery(t.deps, tr, policy).deliverDue();
    tr.close();
    expect(run).toEqual({ claimed: 1, sent: 1, retrying: 0, failed: 0 });
    const r = await row('d-1');
    expect(r.state).toBe('sent');
    const got = sink.received.filter((m) => m.messageId === r.message_id);
    expect(got).toHaveLength(1);
    expect(got[0]!.parsed.subject).toBe('件名 d-1');
    expect(got[0]!.parsed.text?.trim()).toBe('本文 d-1');
    expect(got[0]!.parsed.html).toContain('<p>本文 d-1</p>');
    expect(got[0]!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    expect(got[0]!.raw).toMatch(/^List-Unsubscribe: <http:\/\/127\.0\.0\.1:3000\/mail\/unsubscribe\/x>$/m);
  });

  it('each outcome is committed with the others that end meanwhile, not with the batch: a slow send does not keep the fast ones unrecorded', async () => {
    const keys = ['g-1', 'g-2', 'g-3', 'g-4', 'g-slow'];
    for (const key of keys) await put(t.deps, key, { applicationId: `app-${key}` });
    const slowId = (await row('g-slow')).message_id;
    const smtp = transport();
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    const tr = {
      ...smtp,
      async send(message: Parameters<typeof smtp.send>[0]) {
        if (message.messageId === slowId) await held;
        await smtp.send(message);
      },
    };
    const running = makeMailDelivery(t.deps, tr, policy).deliverDue();
    const states = async () => Promise.all(keys.map(async (k) => (await row(k)).state));
    let now = await states();
    for (let i = 0; i < 100 && now.slice(0, 4).some((s) => s !== 'sent'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      now = await states();
    }
    expect(now).toEqual(['sent', 'sent', 'sent', 'sent', 'queued']);
    release();
    expect(await running).toEqual({ claimed: 5, sent: 5, retrying: 0, failed: 0 });
    smtp.close();
    expect(await states()).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    expect(sink.received.filter((m) => m.messageId === slowId)).toHaveLength(1);
  });

  it('a permanent refusal (SMTP 550) is not retried: failed after one attempt', async () => {
    await put(t.deps, 'd-550', { to: 'nobody@example.jp' });
    const tr = transport();
    const run = await makeMailDelivery(t.deps, tr, policy).deliverDue();
    tr.close();
    expect(run).toEqual({ claimed: 1, sent: 0, retrying: 0, failed: 1 });
    expect(await row('d-550')).toMatchObject({ state: 'failed', attempts: 1 });
    expect((await row('d-550')).last_error).toContain('550');
  });

  it('SMTP down for an hour, then back: every message delivered once, in order per application', async () => {
    const { fixedClock } = await import('../../src/domain/time.js');
    const clock = fixedClock(new Date('2026-11-26T01:00:00Z'));
    const deps: ServiceDeps = { ...t.deps, clock };
    for (const [key, app] of [['o-a1', 'app-a'], ['o-b1', 'app-b'], ['o-a2', 'app-a'], ['o-a3', 'app-a'], ['o-b2', 'app-b']] as const) await put(deps, key, { applicationId: app });
    await sink.stop();
    const tr = transport();
    const delivery = makeMailDelivery(deps, tr, policy);
    // An hour of outage, the worker trying each minute: only the first message of each application is ever attempted.
    for (let minute = 0; minute < 60; minute++) {
      const run = await delivery.deliverDue();
      expect(run.sent).toBe(0);
      clock.advance(60_000);
    }
    const waiting = await t.db.handle.db.selectFrom('mail_outbox').select(['dedupe_key', 'attempts', 'state']).where('dedupe_key', 'like', 'o-%').orderBy('dedupe_key').execute();
    expect(waiting.map((w) => [w.dedupe_key, w.state])).toEqual([['o-a1', 'queued'], ['o-a2', 'queued'], ['o-a3', 'queued'], ['o-b1', 'queued'], ['o-b2', 'queued']]);
    // Backoff 30 s, 1, 2, 4, 8, 16 min… (jitter 0.5: three quarters of each), tried each minute: attempts at 0, 1, 2, 4, 7, 13, 25, 49 min.
    expect(waiting.find((w) => w.dedupe_key === 'o-a1')!.attempts).toBe(8);
    expect(waiting.find((w) => w.dedupe_key === 'o-a2')!.attempts).toBe(0);
    await sink.start();
    const before = sink.received.length;
    for (let i = 0; i < 10; i++) {
      await delivery.deliverDue();
      clock.advance(3_600_000);
    }
    tr.close();
    const got = sink.received.slice(before).map((m) => m.parsed.subject);
    expect(got.filter((s) => s?.includes('o-a'))).toEqual(['件名 o-a1', '件名 o-a2', '件名 o-a3']);
    expect(got.filter((s) => s?.includes('o-b'))).toEqual(['件名 o-b1', '件名 o-b2']);
    expect(got).toHaveLength(5);
  });

  it('retry delays grow exponentially with jitter, capped at an hour', () => {
    expect([1, 2, 3, 7, 8, 12].map((n) => retryDelayMs(policy, n))).toEqual([22_500, 45_000, 90_000, 1_440_000, 2_700_000, 2_700_000]);
    expect(retryDelayMs({ ...policy, random: () => 0 }, 1)).toBe(15_000);
  });
});
