/**
 * npm run bench:mail -- [--messages 100000] [--batch 50] [--rate 1000]
 *
 * The mail outbox drained to a local SMTP sink: N queued messages (one per application, as when the
 * deadline sweep expires N applications at once after the new-year holidays) sent by the product's
 * delivery step (makeMailDelivery over nodemailer's pooled SMTP transport) until none is left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { systemClock } from '../src/domain/time.js';
import type { ServiceDeps } from '../src/services/context.js';
import { randomIds } from '../src/services/ids.js';
import { defaultDeliveryPolicy, makeMailDelivery } from '../src/services/mail-delivery.js';
import { createMailTransport } from '../src/services/mail-transport.js';
import { argon2Hasher } from '../src/services/passwords.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';
import { machineInfo, parseCount, round1 } from './lib/common.js';
import { runMain } from './lib/cli.js';
import { machineLines, save } from './lib/report.js';

const HELP = `Usage: npm run bench:mail -- [options]

Queues N mails in a new SQLite outbox (one per application, about 3 KB each with both parts),
starts an SMTP server (smtp-server) on loopback in this process that counts what arrives by
Message-ID, and runs the product's delivery step (claim, send over pooled SMTP, mark sent) until
the outbox is empty. Prints and saves (bench/results/) messages a second, the time to drain, the
process's memory (RSS) during the drain, and whether any Message-ID arrived twice.

Options:
  --messages N   queued mails (default 100000)
  --batch B      mails claimed at once (default: the product's, ${defaultDeliveryPolicy.batchSize})
  --rate R       SMTP_RATE, messages a second (default 1000)
  -h, --help     this help`;

const TEXT = `【軽自動車OSS】申請状況のお知らせ\n${'申請状況が「検査申請無効」になりました。納付期限日以内に手数料が納付されなかった状態です。\n'.repeat(20)}`;
const HTML = `<!DOCTYPE html><html lang="ja"><body>${'<p>申請状況が「検査申請無効」になりました。</p>'.repeat(20)}</body></html>`;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { messages: { type: 'string' }, batch: { type: 'string' }, rate: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const messages = parseCount(values.messages ?? '100000', '--messages');
  const batchSize = parseCount(values.batch ?? String(defaultDeliveryPolicy.batchSize), '--batch');
  const rate = parseCount(values.rate ?? '1000', '--rate');
  const dir = mkdtempSync(join(tmpdir(), 'kei-oss-bench-mail-'));
  const received = new Map<string, number>();
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 4096) head += c.toString('latin1');
      });
      stream.on('end', () => {
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '';
        received.set(id, (received.get(id) ?? 0) + 1);
        callback();
      });
    },
  });
  sink.on('error', () => undefined);
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const port = (sink.server.address() as AddressInfo).port;
  const handle = openDatabase({ kind: 'sqlite', path: join(dir, 'mail.sqlite') });
  try {
    await migrateToLatest(handle);
    console.log(`queueing ${messages.toLocaleString('en')} mails`);
    const now = new Date().toISOString();
    for (let start = 0; start < messages; start += 1000) {
      const rows = Array.from({ length: Math.min(1000, messages - start) }, (_, i) => {
        const id = randomIds.id();
        return {
          id,
          application_id: `bench-${start + i}`,
          account_id: null,
          kind: 'outcome',
          to_address: `applicant${start + i}@example.jp`,
          subject: `【軽自動車OSS】申請状況が「検査申請無効」になりました（受付番号 ${String(start + i).padStart(17, '0')}）`,
          text_body: TEXT,
          html_body: HTML,
          headers: JSON.stringify({ 'List-Unsubscribe': '<http://127.0.0.1:3000/mail/unsubscribe/x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
          message_id: `<${id}@kei-oss.localhost>`,
          dedupe_key: `bench:${id}`,
          seq: 1,
          state: 'queued',
          attempts: 0,
          next_attempt_at: now,
          last_error: null,
          created_at: now,
          sent_at: null,
        };
      });
      await handle.db.insertInto('mail_outbox').values(rows).execute();
    }
    const deps: ServiceDeps = { database: handle, clock: systemClock, ids: randomIds, passwords: argon2Hasher, logger: pino({ level: 'silent' }) };
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, smtpRate: rate, mailDir: dir, from: 'noreply@kei-oss.localhost' }, deps.logger);
    const delivery = makeMailDelivery(deps, transport, { ...defaultDeliveryPolicy, batchSize });
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
    const started = performance.now();
    let sent = 0;
    let failed = 0;
    let lastReport = started;
    for (;;) {
      const run = await delivery.deliverDue();
      sent += run.sent;
      failed += run.failed;
      if (run.claimed === 0) break;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        console.log(`  ${sent.toLocaleString('en')} sent, ${Math.round(sent / ((lastReport - started) / 1000))}/s, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    transport.close();
    const twice = [...received.values()].filter((n) => n > 1).length;
    const mib = (b: number) => Math.round(b / 2 ** 20);
    const result = {
      messages,
      batchSize,
      rate,
      sent,
      failed,
      seconds: round1(seconds),
      messagesPerSecond: Math.round(sent / seconds),
      receivedDistinct: received.size,
      receivedTwice: twice,
      rssMiB: { first: mib(rss[0] ?? 0), min: mib(Math.min(...rss)), max: mib(Math.max(...rss)), last: mib(rss.at(-1) ?? 0) },
      machine: machineInfo(),
    };
    const md = [
      `# Mail outbox drain: ${messages.toLocaleString('en')} mails`,
      '',
      ...machineLines(result.machine),
      `- ${sent.toLocaleString('en')} sent in ${result.seconds} s: **${result.messagesPerSecond} mails/s** (batch ${batchSize}, SMTP_RATE ${rate}), ${failed} failed`,
      `- at the SMTP server: ${received.size.toLocaleString('en')} distinct Message-IDs, ${twice} twice`,
      `- RSS during the drain: first ${result.rssMiB.first} MiB, min ${result.rssMiB.min}, max ${result.rssMiB.max}, last ${result.rssMiB.last}`,
    ].join('\n');
    console.log(md);
    const files = save('mail', result, md);
    console.log(`saved ${files.md}`);
    return sent === messages && twice === 0 ? 0 : 1;
  } finally {
    await handle.close();
    await new Promise<void>((r) => sink.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain('bench:mail', main);
