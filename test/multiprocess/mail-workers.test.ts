import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDeliveryPolicy, makeMailDelivery, type MailDelivery } from '../../src/services/mail-delivery.js';
import { enqueueMail } from '../../src/services/mail-outbox.js';
import { createMailTransport } from '../../src/services/mail-transport.js';
import { createTestApp, silentLogger, type TestApp } from '../support/app.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

/** PostgreSQL only: two delivery workers (two connection pools, as two server processes have) on one outbox. */
describe('mail delivery from two workers at once (FOR UPDATE SKIP LOCKED)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  beforeAll(async () => {
    t = await createTestApp();
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.stop();
    await t.close();
  });

  it('never sends one message twice, and sends every one (counted by Message-ID at the SMTP server)', async () => {
    for (let i = 0; i < 200; i++) {
      await t.db.handle.db.transaction().execute((tx) =>
        enqueueMail(t.deps, tx, { kind: 'test', to: 'applicant@example.jp', subject: `件名 ${i}`, text: '本文', html: '<p>本文</p>', dedupeKey: `c-${i}`, applicationId: `conc-${i % 40}` }),
      );
    }
    const other = t.db.reopen();
    const transports = [0, 1].map(() => createMailTransport({ smtpUrl: sink.url, smtpRate: 1000, mailDir: '/nonexistent', from: 'noreply@kei-oss.localhost' }, silentLogger));
    const a = makeMailDelivery(t.deps, transports[0]!, defaultDeliveryPolicy);
    const b = makeMailDelivery({ ...t.deps, database: other }, transports[1]!, defaultDeliveryPolicy);
    const drain = async (d: MailDelivery) => {
      for (let idle = 0; idle < 3; ) {
        const run = await d.deliverDue();
        idle = run.claimed === 0 ? idle + 1 : 0;
      }
    };
    await Promise.all([drain(a), drain(b)]);
    for (const tr of transports) tr.close();
    await other.close();
    const ids = sink.received.map((m) => m.messageId);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    // In order per application: conc-0 got 件名 0, 40, 80, 120, 160 in that order.
    expect(sink.received.filter((m) => m.parsed.subject && Number(m.parsed.subject.split(' ')[1]) % 40 === 0).map((m) => m.parsed.subject)).toEqual(['件名 0', '件名 40', '件名 80', '件名 120', '件名 160']);
  });
});
