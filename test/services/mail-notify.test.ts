import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFiling } from '../../src/domain/filing.js';
import { asJapanDate } from '../../src/domain/time.js';
import { defaultDeliveryPolicy, makeMailDelivery } from '../../src/services/mail-delivery.js';
import { createMailTransport } from '../../src/services/mail-transport.js';
import { createTestApp, silentLogger, type TestApp } from '../support/app.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { filing, office, payEasy } from './support.js';

/** What an applicant with a 連絡先メールアドレス receives, end to end: the use case, the outbox, SMTP, the parsed message. */
describe('mail to the applicant: 補正指示, 納付, receipts, reminders (over real SMTP)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let id: string;
  const ADDRESS = 'shinsei@example.jp';
  beforeAll(async () => {
    t = await createTestApp();
    sink = await startSmtpSink();
    const valid = validateFiling(filing());
    if (!valid.ok) throw new Error('filing');
    const r = await t.services.registerApplication(valid.value, 'demo1234pass', { kind: 'applicant' }, { contactAddress: ADDRESS });
    if (!r.ok) throw new Error(r.refusal.message);
    id = r.value.id;
  });
  afterAll(async () => {
    await sink.stop();
    await t.close();
  });

  const outbox = () => t.db.handle.db.selectFrom('mail_outbox').selectAll().where('application_id', '=', id).orderBy('seq').execute();
  const deliver = async () => {
    const tr = createMailTransport({ smtpUrl: sink.url, smtpRate: 1000, mailDir: '/nonexistent', from: '軽自動車OSS <noreply@kei-oss.localhost>' }, silentLogger);
    for (let i = 0; i < 10 && (await makeMailDelivery(t.deps, tr, defaultDeliveryPolicy).deliverDue()).claimed > 0; i++);
    tr.close();
  };
  const act = async (...args: Parameters<TestApp['services']['actOnApplication']>) => {
    const r = await t.services.actOnApplication(...args);
    if (!r.ok) throw new Error(r.refusal.message);
  };

  it('申請を行う with an address: a confirmation mail with its link; nothing else until it is confirmed', async () => {
    expect((await outbox()).map((m) => m.kind)).toEqual(['confirmAddress']);
    expect(await t.services.contactAddresses.panel(id)).toEqual({ address: ADDRESS, confirmed: false, unsubscribed: false, lastFailed: false });
    await act(id, { type: 'accept' }, office());
    await act(id, { type: 'issueFees', dueOn: asJapanDate('2026-12-10') }, office());
    expect((await outbox()).map((m) => m.kind)).toEqual(['confirmAddress']);
    await deliver();
    const mail = sink.received.at(-1)!;
    expect(mail.parsed.subject).toMatch(/^【軽自動車OSS】連絡先メールアドレスの確認（到達番号 \d{4} \d{4} \d{4} \d{5}）$/);
    const link = /http:\/\/127\.0\.0\.1:3000\/mail\/confirm\/([\w-]+)/.exec(mail.parsed.text ?? '');
    expect(link).not.toBeNull();
    expect((await t.services.contactAddresses.confirm('not-a-token')).ok).toBe(false);
    expect(await t.services.contactAddresses.confirm(link![1]!)).toEqual({ ok: true, value: { address: ADDRESS } });
    // A link works once.
    expect((await t.services.contactAddresses.confirm(link![1]!)).ok).toBe(false);
    expect((await t.services.contactAddresses.panel(id)).confirmed).toBe(true);
  });

  it('a change that asks the applicant to act is mailed: status, 受付番号, what is due, 納付期限, the login link, no personal data', async () => {
    await act(id, { type: 'recordPayment', stage: 'inspectionFees', paidOn: asJapanDate('2026-11-26') }, payEasy);
    await deliver();
    const mail = sink.received.at(-1)!;
    expect(mail.parsed.subject).toMatch(/^【軽自動車OSS】申請状況が「自動車重量税納付待ち」になりました：お客様の操作が必要です（受付番号 \d{4} \d{4} \d{4} \d{5}）$/);
    const text = mail.parsed.text ?? '';
    expect(text).toContain('申請状況：自動車重量税納付待ち');
    expect(text).toContain('納付期限：2026年12月10日（木）');
    expect(text).toContain('http://127.0.0.1:3000/inquiry/login');
    expect(mail.parsed.html).toContain('<html lang="ja">');
    expect(mail.parsed.html).toContain('<a href="http://127.0.0.1:3000/inquiry/login">申請状況の照会（ログイン）</a>');
    const headers = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ').split('\r\n');
    expect(headers.filter((h) => h.startsWith('List-Unsubscribe'))).toEqual([expect.stringMatching(/^List-Unsubscribe: <http:\/\/127\.0\.0\.1:3000\/mail\/unsubscribe\/[\w-]+>$/), 'List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
    expect(text).toMatch(/メールの配信を停止する：http:\/\/127\.0\.0\.1:3000\/mail\/unsubscribe\/[\w-]+/);
    for (const personal of ['大崎モータース', '大崎 一郎', '品川区大崎', 'demo1234pass', 'JF3-']) {
      expect(mail.raw).not.toContain(personal);
      expect(text).not.toContain(personal);
      expect(mail.parsed.html).not.toContain(personal);
    }
    expect(mail.messageId).toBe((await outbox()).at(-1)!.message_id);
  });

  it('a change that rolls back (its transaction fails after the history) mails nothing', async () => {
    const before = (await outbox()).length;
    const failing = { begin: async () => undefined, end: async () => Promise.reject(new Error('commit refused')) };
    await expect(t.services.actOnApplication(id, { type: 'recordPayment', stage: 'weightTax', paidOn: asJapanDate('2026-11-26') }, payEasy, { once: failing })).rejects.toThrow('commit refused');
    expect((await outbox()).length).toBe(before);
    // A refusal (stale version) writes nothing either.
    expect((await t.services.actOnApplication(id, { type: 'recordPayment', stage: 'weightTax', paidOn: asJapanDate('2026-11-26') }, payEasy, { expectedVersion: 1 })).ok).toBe(false);
    expect((await outbox()).length).toBe(before);
  });

  it('補正指示: the mail gives the reason and the 補正期限; 検査申請審査中 (nothing to do) is not mailed', async () => {
    await act(id, { type: 'recordPayment', stage: 'weightTax', paidOn: asJapanDate('2026-11-26') }, payEasy);
    const afterPayment = (await outbox()).length;
    // 検査申請審査中 asks nothing of the applicant: no mail.
    expect((await outbox()).at(-1)!.kind).toBe('actionRequired');
    await act(id, { type: 'requestCorrection', reasonTitle: '添付書類の不足', reasonDetail: '点検整備記録簿の写しを添付してください。', deadline: asJapanDate('2026-11-30') }, office());
    const rows = await outbox();
    expect(rows.length).toBe(afterPayment + 1);
    expect(rows.at(-1)!.subject).toContain('「検査申請補正待ち」');
    expect(rows.at(-1)!.text_body).toContain('理由：添付書類の不足');
    expect(rows.at(-1)!.text_body).toContain('詳細：点検整備記録簿の写しを添付してください。');
    expect(rows.at(-1)!.text_body).toContain('補正期限：2026年11月30日（月）');
  });

  it('reminders before the 補正期限 on business days: 3 business days before, then 1; once each', async () => {
    // Thursday 2026-11-26: Monday 30th is within 3 business days (Fri, Mon).
    expect(await t.services.sendReminders()).toBe(1);
    expect(await t.services.sendReminders()).toBe(0);
    t.clock.set('2026-11-28T01:00:00Z'); // Saturday: no reminder on a day off
    expect(await t.services.sendReminders()).toBe(0);
    t.clock.set('2026-11-27T01:00:00Z'); // Friday: 1 business day before
    expect(await t.services.sendReminders()).toBe(1);
    t.clock.set('2026-11-26T01:00:00Z');
    const reminders = (await outbox()).filter((m) => m.kind === 'reminder');
    expect(reminders.map((m) => m.dedupe_key)).toEqual([`reminder:${id}:correction:2026-11-30:3`, `reminder:${id}:correction:2026-11-30:1`]);
    expect(reminders[0]!.subject).toMatch(/^【軽自動車OSS】補正期限（2026年11月30日（月））が近づいています（受付番号 /);
  });

  it('取り下げ by the applicant: a receipt; after unsubscribing, nothing more', async () => {
    await act(id, { type: 'withdraw' }, { kind: 'applicant' });
    const receipt = (await outbox()).at(-1)!;
    expect(receipt.kind).toBe('receipt');
    expect(receipt.subject).toMatch(/^【軽自動車OSS】申請の取り下げを受け付けました（受付番号 /);
    const token = /unsubscribe\/([\w-]+)/.exec(receipt.text_body)![1]!;
    expect(await t.services.contactAddresses.unsubscribeTarget(token)).toEqual({ ok: true, value: { maskedAddress: 'sh***@example.jp', unsubscribed: false } });
    expect(await t.services.contactAddresses.unsubscribe(token)).toEqual({ ok: true, value: true });
    expect((await t.services.contactAddresses.panel(id)).unsubscribed).toBe(true);
    const count = (await outbox()).length;
    expect(await t.services.sendReminders()).toBe(0);
    expect((await outbox()).length).toBe(count);
  });
});
