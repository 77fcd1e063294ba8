/**
 * npm run bench:mail -- [--database sqlite|postgres] [--messages 100000] [--rate 1000] [--connections 4]
 *
 * The mail outbox drained to a local SMTP sink by a real server process: N queued messages (one per
 * application, as when the deadline sweep expires N applications at once after the new-year
 * holidays), sent by the server's own delivery worker (MAIL_POLL_SECONDS=1, nodemailer's pooled SMTP)
 * to an SMTP server in this process, while the status page is measured; the status page is also
 * measured without a drain, before and after it, in the same run and on the same data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { randomIds } from '../src/services/ids.js';
import type { DatabaseHandle } from '../src/store/database.js';
import { formatSummary, summariseProfile } from './lib/cpuprofile.js';
import { load, machineInfo, parseCount, round1, round2 } from './lib/common.js';
import { runMain } from './lib/cli.js';
import { createSessions, csrfPair, openBench, sampleApplications, viewEach } from './lib/fixtures.js';
import { generateSqlite } from './lib/generator.js';
import { measure, type PhaseResult } from './lib/load.js';
import { loadIntoPostgres } from './lib/postgres.js';
import { machineLines, save } from './lib/report.js';
import { statusPage } from './lib/scenarios.js';
import { buildIfNeeded, freePort, startHeapFlags, startServer, type ServerHandle } from './lib/server.js';

const HELP = `Usage: npm run bench:mail -- [options]

Builds dist/ if needed; generates a small database (--applications, for the status page's sessions),
on SQLite or loaded into PostgreSQL; queues N mails in its outbox (one per application, about 3 KB
each with both parts), due in a day; starts the production server (node dist/src/cli.js serve) with
its mail worker (MAIL_POLL_SECONDS=1) sending to an SMTP server (smtp-server) in this process that
counts what arrives by Message-ID. Then:

  1. the status page (GET /inquiry/status, --connections connections) for --duration seconds: no drain;
  2. the mails made due: the drain, timed until the last one arrives, with the server's RSS and heap
     (GET /__bench/memory) sampled each second, and the status page measured again meanwhile;
  3. the status page once more after the drain.

Prints and saves (bench/results/<time>-mail-<database>.json and .md) mails a second, the drain time,
the server's CPU seconds per 1,000 mails, the p99s, the memory samples, and whether any Message-ID
arrived twice.

Options:
  --database D     sqlite (default) or postgres
  --db URL         the PostgreSQL database (default postgres://postgres@127.0.0.1:5432/kei_bench_mail;
                   created if missing, its tables emptied)
  --messages N     queued mails (default 100000)
  --rate R         SMTP_RATE, messages a second (default 1000, the most the server accepts)
  --applications A applications and sessions for the status page (default 2000)
  --connections C  status page connections (default 4; 0: no status page measurement)
  --duration S     seconds of each status page measurement (default 15)
  --profile        run the server under node --cpu-prof and add a summary of its profile
  --no-build       do not rebuild dist/
  -h, --help       this help`;

const TEXT = `【軽自動車OSS】申請状況のお知らせ\n${'申請状況が「検査申請無効」になりました。納付期限日以内に手数料が納付されなかった状態です。\n'.repeat(20)}`;
const HTML = `<!DOCTYPE html><html lang="ja"><body>${'<p>申請状況が「検査申請無効」になりました。</p>'.repeat(20)}</body></html>`;

interface Sample {
  readonly second: number;
  readonly received: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
}

const toMiB = (b: number) => Math.round(b / 2 ** 20);

/** An SMTP server that counts what arrives by Message-ID (reading only a message's head). */
async function startSink() {
  const received = new Map<string, number>();
  let count = 0;
  let first = 0;
  let last = 0;
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
        count += 1;
        last = performance.now();
        if (first === 0) first = last;
        callback();
      });
    },
  });
  sink.on('error', () => undefined);
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  return {
    url: `smtp://127.0.0.1:${(sink.server.address() as AddressInfo).port}`,
    received,
    count: () => count,
    firstAt: () => first,
    lastAt: () => last,
    stop: () => new Promise<void>((r) => sink.close(() => r())),
  };
}

async function queueMails(handle: DatabaseHandle, messages: number, dueAt: string): Promise<void> {
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
        next_attempt_at: dueAt,
        last_error: null,
        created_at: now,
        sent_at: null,
      };
    });
    await handle.db.insertInto('mail_outbox').values(rows).execute();
  }
}

async function memory(server: ServerHandle): Promise<{ heapUsed: number; heapTotal: number; external: number }> {
  try {
    return (await (await fetch(`${server.baseUrl}/__bench/memory`)).json()) as { heapUsed: number; heapTotal: number; external: number };
  } catch {
    return { heapUsed: 0, heapTotal: 0, external: 0 };
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      database: { type: 'string' },
      db: { type: 'string' },
      messages: { type: 'string' },
      rate: { type: 'string' },
      applications: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      profile: { type: 'boolean' },
      'no-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const database = values.database ?? 'sqlite';
  if (database !== 'sqlite' && database !== 'postgres') throw new Error(`--database: sqlite or postgres, not ${database}`);
  const messages = parseCount(values.messages ?? '100000', '--messages');
  const rate = parseCount(values.rate ?? '1000', '--rate');
  const applications = parseCount(values.applications ?? '2000', '--applications');
  const connections = Number(values.connections ?? '4');
  const duration = parseCount(values.duration ?? '15', '--duration');
  if (!values['no-build']) buildIfNeeded((l) => console.log(l));

  const dir = mkdtempSync(join(tmpdir(), 'kei-oss-bench-mail-'));
  const file = join(dir, 'mail.sqlite');
  console.log(`generating ${applications.toLocaleString('en')} applications`);
  await generateSqlite({ applications, due: 0, out: file, seed: 'kei-oss-bench-mail', now: new Date(), cacheMb: 64, writers: 1, deferIndexes: false, check: false, log: () => undefined });
  let url = file;
  if (database === 'postgres') {
    url = values.db ?? 'postgres://postgres@127.0.0.1:5432/kei_bench_mail';
    await loadIntoPostgres(file, url, { replace: true, log: () => undefined });
  }
  const handle = openBench(url);
  const sink = await startSink();
  let server: ServerHandle | null = null;
  try {
    await handle.db.deleteFrom('mail_outbox').execute();
    const apps = await sampleApplications(handle, applications);
    const tokens = await createSessions(handle, apps);
    console.log(`queueing ${messages.toLocaleString('en')} mails`);
    await queueMails(handle, messages, new Date().toISOString());
    if (handle.dialect === 'postgres') await handle.pool!.query('analyze mail_outbox');
    // The queued mails' pages out of the write-ahead log first, as a checkpoint after the sweep would.
    else handle.sqlite!.pragma('wal_checkpoint(TRUNCATE)');

    const profileName = 'mail-server.cpuprofile';
    const start = async (worker: boolean) =>
      startServer({
        databaseUrl: url,
        port: await freePort(),
        workers: 1,
        env: { SMTP_URL: sink.url, SMTP_RATE: String(rate), MAIL_POLL_SECONDS: worker ? '1' : '0' },
        ...(worker && values.profile ? { nodeArgs: [...startHeapFlags(), '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', profileName] } : {}),
      });
    const csrf = { cookie: '' };
    const phases: { phase: string; result: PhaseResult }[] = [];
    const status = (s: ServerHandle, warmupSeconds: number) => measure(s, statusPage(tokens, csrf.cookie), { connections, seconds: duration, warmupSeconds });
    if (connections > 0) {
      // The same data, the same pages: first a server without a mail worker (MAIL_POLL_SECONDS=0).
      console.log('status page without a drain');
      server = await start(false);
      csrf.cookie = (await csrfPair(server.baseUrl)).cookie;
      await viewEach(server.baseUrl, tokens, csrf.cookie);
      phases.push({ phase: 'no drain (a server without the mail worker)', result: await status(server, 3) });
      await server.stop();
      server = null;
    }

    console.log('the drain: a server with the mail worker');
    const loadBefore = load();
    const started = performance.now();
    server = await start(true);
    const s = server;
    const cpu0 = s.cpuSeconds();
    const selfCpu0 = process.cpuUsage();
    const samples: Sample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const m = await memory(s);
        samples.push({ second: Math.round((performance.now() - started) / 1000), received: sink.count(), rssMiB: toMiB(s.rss()), heapUsedMiB: toMiB(m.heapUsed), heapTotalMiB: toMiB(m.heapTotal), externalMiB: toMiB(m.external) });
        const last = samples.at(-1)!;
        if (last.second % 10 === 0) console.log(`  ${last.second} s: ${last.received.toLocaleString('en')} received, RSS ${last.rssMiB} MiB, heap ${last.heapUsedMiB}/${last.heapTotalMiB} MiB`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    if (connections > 0) {
      await viewEach(s.baseUrl, tokens, csrf.cookie);
      if (sink.count() < messages) phases.push({ phase: 'during the drain', result: await status(s, 0) });
    }
    const deadline = performance.now() + 3_600_000;
    while (sink.received.size < messages && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const seconds = (sink.lastAt() - sink.firstAt()) / 1000;
    const cpu = s.cpuSeconds() - cpu0;
    const selfCpu = process.cpuUsage(selfCpu0);
    const loadAfter = load();
    sampling = false;
    await sampler;
    // The outbox empties with the last commits of "sent" (milliseconds after the last arrival).
    let queued = -1;
    for (let i = 0; i < 50 && queued !== 0; i++) {
      queued = Number((await handle.db.selectFrom('mail_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'queued').executeTakeFirstOrThrow()).n);
      if (queued !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    if (connections > 0) {
      console.log('status page after the drain');
      phases.push({ phase: 'after the drain (the same server)', result: await status(s, 3) });
    }
    await s.stop();
    server = null;
    const profile = values.profile ? formatSummary(summariseProfile(join(dir, profileName), [/^deliverDue$/, /^sendMail$/, /^transaction$/], 25)) : null;

    const twice = [...sink.received.values()].filter((n) => n > 1).length;
    const during = phases.find((p) => p.phase === 'during the drain')?.result;
    const without = phases.filter((p) => p.phase !== 'during the drain').map((p) => p.result.latencyMs.p99);
    const rss = samples.map((x) => x.rssMiB);
    const heap = samples.map((x) => x.heapUsedMiB);
    const result = {
      database,
      messages,
      rate,
      received: sink.count(),
      receivedDistinct: sink.received.size,
      receivedTwice: twice,
      queuedAfter: queued,
      seconds: round1(seconds),
      messagesPerSecond: Math.round(sink.received.size / seconds),
      serverCpuSeconds: round1(cpu),
      serverCpuMsPerMail: round2((cpu * 1000) / Math.max(1, sink.received.size)),
      serverCores: round2(cpu / seconds),
      benchCpuSeconds: round1((selfCpu.user + selfCpu.system) / 1e6),
      loadAverage: { before: loadBefore, after: loadAfter },
      statusPage: phases.map((p) => ({ phase: p.phase, connections, requestsPerSecond: p.result.requestsPerSecond, p50: p.result.latencyMs.p50, p99: p.result.latencyMs.p99, unexpected: p.result.unexpected, loadBefore: p.result.loadBefore })),
      p99Ratio: during && without.length > 0 ? round2(during.latencyMs.p99 / Math.max(...without)) : null,
      memory: {
        rssMiB: { first: rss[0] ?? 0, min: Math.min(...rss), max: Math.max(...rss), last: rss.at(-1) ?? 0 },
        heapUsedMiB: { first: heap[0] ?? 0, min: Math.min(...heap), max: Math.max(...heap), last: heap.at(-1) ?? 0 },
        samples: samples.filter((x, i) => i % 10 === 0 || i === samples.length - 1),
      },
      machine: machineInfo(),
    };
    const md = [
      `# Mail outbox drain: ${messages.toLocaleString('en')} mails, ${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
      '',
      ...machineLines(result.machine),
      `- load average before the drain ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`,
      `- ${result.receivedDistinct.toLocaleString('en')} mails at the SMTP server in ${result.seconds} s (first to last arrival): **${result.messagesPerSecond} mails/s** (SMTP_RATE ${rate}); ${twice} Message-IDs twice; ${queued} still queued after`,
      `- the server's CPU during the drain: ${result.serverCpuSeconds} s (${result.serverCpuMsPerMail} ms a mail, ${result.serverCores} cores; includes the status page requests of the measurement during the drain); this process (the SMTP server, the load generator): ${result.benchCpuSeconds} s`,
      `- the server's RSS sampled each second: first ${result.memory.rssMiB.first} MiB, min ${result.memory.rssMiB.min}, max ${result.memory.rssMiB.max}, last ${result.memory.rssMiB.last}; heap used first ${result.memory.heapUsedMiB.first}, min ${result.memory.heapUsedMiB.min}, max ${result.memory.heapUsedMiB.max}, last ${result.memory.heapUsedMiB.last}`,
      '',
      ...(phases.length > 0
        ? [
            `Status page (GET /inquiry/status, ${connections} connections, ${duration} s each, ${tokens.length.toLocaleString('en')} sessions):`,
            '',
            '| phase | req/s | p50 ms | p99 ms | not 200 | load before |',
            '| --- | ---: | ---: | ---: | ---: | --- |',
            ...result.statusPage.map((p) => `| ${p.phase} | ${p.requestsPerSecond} | ${p.p50} | ${p.p99} | ${p.unexpected} | ${p.loadBefore.join(' ')} |`),
            '',
            `p99 during the drain / the larger p99 without: **${result.p99Ratio ?? 'n/a'}**`,
            '',
          ]
        : []),
      'Memory samples (every 10 s):',
      '',
      '| s | received | RSS MiB | heap used MiB | heap total MiB | external MiB |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      ...result.memory.samples.map((x) => `| ${x.second} | ${x.received} | ${x.rssMiB} | ${x.heapUsedMiB} | ${x.heapTotalMiB} | ${x.externalMiB} |`),
      ...(profile ? ['', '## The server\'s CPU profile (the whole run)', '', profile] : []),
    ].join('\n');
    console.log(md);
    const files = save(`mail-${database}`, result, md);
    console.log(`saved ${files.md}`);
    return result.receivedDistinct === messages && twice === 0 && queued === 0 ? 0 : 1;
  } finally {
    await server?.stop();
    await handle.close();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain('bench:mail', main);
