/**
 * Mail outbox crash test (issue 15): a real server process sending mail to an SMTP server of this
 * script (smtp-server), status changes posted through the agency API by several clients (each with
 * an Idempotency-Key, retried after a kill), SIGKILL at random moments, restart, and at the end a
 * last server that drains the outbox — on a SQLite file and on a PostgreSQL schema. Then it checks:
 *   - every committed change that the domain mails has exactly one message in the outbox (the
 *     life of scripts/lib/crash-support.ts's STEPS mails versions 5, 6, 9 and 10: 検査手数料等納付待ち,
 *     自動車重量税納付待ち, 返付準備完了, 返付済), and no version that was never committed has one;
 *   - every application has one confirmation mail;
 *   - every message was delivered; a Message-ID arrives again only when its earlier copy reached the
 *     SMTP server in the moment around a SIGKILL, before the server could record it sent (SMTP cannot
 *     be undone: such a mail is resent with the same Message-ID), never otherwise; a mail in doubt at
 *     two kills arrives three times. The window is timed from the end of DATA, on both sides of the
 *     kill: the CI run of stop 21 timed copies after parsing (on a loaded machine, after the kill) and
 *     counted 5 in-doubt resends as unexplained; a fresh clone's run of this session saw a mail in doubt
 *     at two kills on PostgreSQL, which the earlier "never more than twice" check refused.
 *
 *   npx tsx scripts/crash-test-mail.ts   (per database: a SIGKILL every 1–3 s, at least CRASH_ROUNDS=4 of them and
 *   more until CRASH_MAIL_CHANGES=5000 status changes were posted, at most CRASH_MAX_ROUNDS=60 kills on a slow
 *   machine; CRASH_CLIENTS=8; CRASH_DATABASES=sqlite,postgres)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { STEPS, cleanUpRun, crashChecks, runOnDatabases, startServer, type Tokens } from './lib/crash-support.js';
import { startSmtpSink } from '../test/support/smtp-sink.js';
import { systemClock } from '../src/domain/time.js';
import type { ServiceDeps } from '../src/services/context.js';
import { randomIds } from '../src/services/ids.js';
import { createServices, loadServerSecrets } from '../src/services/index.js';
import { argon2Hasher } from '../src/services/passwords.js';
import { migrateToLatest, openDatabase, type DatabaseHandle, type DatabaseLocation } from '../src/store/database.js';

/** At least this many kills, and more until CHANGES status changes were posted (issue 15: "SIGKILL at random points while 5,000 status changes are posted"). */
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 4);
const CHANGES = Number(process.env.CRASH_MAIL_CHANGES ?? 5000);
/** A bound on the kills, so that a slow machine ends the run (the figures say how many changes it reached). */
const MAX_ROUNDS = Number(process.env.CRASH_MAX_ROUNDS ?? 60);
const CLIENTS = Number(process.env.CRASH_CLIENTS ?? 8);
const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
/** The versions the STEPS' changes make that the domain mails (see the header). */
const MAILED_VERSIONS = [5, 6, 9, 10];
/** How long before a SIGKILL a mail may have been accepted by the SMTP server and still be unrecorded (the commit of "sent", behind SQLite's write lock). */
const IN_DOUBT_MS = 1000;
/** How late this script's own event loop, busy with eight clients and the SMTP sink, may read the end of a mail written by a server just before its SIGKILL. */
const READ_AFTER_KILL_MS = 500;

const figures: Record<string, unknown> = {};
const { failures, log, check } = crashChecks('crash-mail');

async function post(base: string, token: string, path: string, key: string, body: unknown): Promise<{ status: number; text: string } | null> {
  try {
    const res = await fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, text: await res.text() };
  } catch {
    return null;
  }
}

interface Car {
  number: string | null;
  version: number;
  /** The request in flight (its key and body never change until it is answered). */
  pending: { key: string; token: string; path: string; body: Record<string, unknown> } | null;
}

let serial = 0;

async function runOn(kind: 'sqlite' | 'postgres'): Promise<void> {
  const dir = mkdtempSync(join(process.env.CRASH_DIR ?? tmpdir(), 'kei-oss-mail-'));
  const schema = `crash_mail_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let location: DatabaseLocation;
  let serverUrl: string;
  if (kind === 'sqlite') {
    location = { kind: 'sqlite', path: join(dir, 'kei-oss.sqlite') };
    serverUrl = location.path;
  } else {
    location = { kind: 'postgres', url: PG_URL, schema };
    const u = new URL(PG_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    serverUrl = u.toString();
  }
  const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const sink = await startSmtpSink();
  const env = { SMTP_URL: sink.url, SMTP_RATE: '1000', MAIL_POLL_SECONDS: '1', BASE_URL: 'http://127.0.0.1:3000' };
  log(`${label}: ${kind === 'sqlite' ? serverUrl : `schema ${schema}`}, a SIGKILL every 1–3 s (at least ${ROUNDS}) until ${CHANGES} status changes were posted by ${CLIENTS} clients; mail to ${sink.url}`);
  const started = performance.now();
  let handle: DatabaseHandle | null = null;
  try {
    handle = openDatabase(location);
    await migrateToLatest(handle);
    const deps: ServiceDeps = { database: handle, clock: systemClock, ids: randomIds, passwords: argon2Hasher, logger: pino({ level: 'silent' }) };
    const services = createServices(deps, await loadServerSecrets(deps));
    const token = async (name: string, role: string, officeCode?: string) => {
      const r = await services.apiTokens.create({ name, role, officeCode });
      if (!r.ok) throw new Error(r.refusal.message);
      return r.value.token;
    };
    const tokens: Tokens = { office: await token('mail-office', 'inspectionOffice', 'tokyo'), payment: await token('mail-payment', 'paymentNetwork'), attachments: await token('mail-attachments', 'attachmentSource') };
    const db = handle;
    /** The applicant opens the confirmation link (done here in the database: the link's token is only in the mail). */
    const confirm = async (number: string) => {
      const app = await db.db.selectFrom('applications').select('id').where('arrival_number', '=', number).executeTakeFirstOrThrow();
      await db.db.updateTable('contact_addresses').set({ confirmed_at: new Date().toISOString(), token_hash: null, token_expires_at: null }).where('application_id', '=', app.id).execute();
    };

    const cars: Car[] = Array.from({ length: CLIENTS }, () => ({ number: null, version: 0, pending: null }));
    const unexpected: string[] = [];
    let changes = 0;
    const client = async (base: string, car: Car): Promise<void> => {
      for (;;) {
        if (!car.pending) {
          if (car.number === null || car.version >= STEPS.length) {
            serial += 1;
            car.number = null;
            car.version = 0;
            car.pending = {
              key: randomUUID(),
              token: tokens.office,
              path: '/applications',
              body: {
                procedure: 'continuousInspection',
                officeCode: 'tokyo',
                password: 'Crash-passw0rd',
                contactAddress: `applicant${serial}@example.jp`,
                applicantName: 'メール試験販売店',
                applicantAddress: '東京都品川区東大井1-1-1',
                userName: 'メール 太郎',
                userAddress: '東京都品川区南大井3-2-1',
                vehicleNumber: '品川 580 さ 1234',
                chassisNumber: `MAIL-${randomBytes(3).toString('hex').toUpperCase()}-${serial}`,
                vehicleModel: '5BA-JF3',
                weightTaxBand: 'standard',
              },
            };
          } else {
            const step = STEPS[car.version]!;
            car.pending = { key: randomUUID(), token: tokens[step.who], path: `/applications/${car.number}/events`, body: { ...step.body(), expectedVersion: car.version } };
          }
        }
        const r = await post(base, car.pending.token, car.pending.path, car.pending.key, car.pending.body);
        if (r === null) return; // the server died: retried with the same key after the restart
        if (r.status !== 200 && r.status !== 201) {
          unexpected.push(`${r.status} ${r.text.slice(0, 200)}`);
          return;
        }
        const answer = JSON.parse(r.text) as { application?: { arrivalNumber?: string; version?: number } };
        if (car.pending.path === '/applications') {
          car.number = answer.application!.arrivalNumber!;
          car.version = 1;
          await confirm(car.number);
        } else {
          car.version = answer.application?.version ?? car.version + 1;
          changes += 1;
        }
        car.pending = null;
      }
    };

    let kills = 0;
    const killedAt: number[] = [];
    for (let round = 0; round < ROUNDS || (changes < CHANGES && round < MAX_ROUNDS); round++) {
      const server = await startServer(serverUrl, 60, env);
      const clients = cars.map((car) => client(server.base, car));
      await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
      killedAt.push(Date.now());
      server.child.kill('SIGKILL');
      kills += 1;
      await Promise.all(clients);
      await server.exited;
    }
    // A last server: the answers the last kill lost are retried, then the outbox drains; a clean stop.
    const server = await startServer(serverUrl, 60, env);
    try {
      for (const car of cars) {
        if (!car.pending) continue;
        const r = await post(server.base, car.pending.token, car.pending.path, car.pending.key, car.pending.body);
        if (r === null || (r.status !== 200 && r.status !== 201)) unexpected.push(`last retry: ${r?.status ?? 'network'}`);
        else if (car.pending.path === '/applications') await confirm((JSON.parse(r.text) as { application: { arrivalNumber: string } }).application.arrivalNumber);
        car.pending = null;
      }
      // Up to the lease and more: a message claimed by a killed server is due again when its lease (60 s) ends.
      for (let i = 0; i < 1200; i++) {
        const waiting = await db.db.selectFrom('mail_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'queued').executeTakeFirstOrThrow();
        if (Number(waiting.n) === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }

    check(unexpected.length === 0, `${label}: every request and retry answered 200/201${unexpected.length ? ` (${unexpected.length} did not: ${unexpected.slice(0, 3).join('; ')})` : ''}`);
    const apps = await db.db.selectFrom('applications').select(['id', 'version']).execute();
    const rows = await db.db.selectFrom('mail_outbox').select(['application_id', 'kind', 'dedupe_key', 'message_id', 'state']).execute();
    const statusKeys = new Set(rows.filter((r) => r.dedupe_key.startsWith('status:')).map((r) => r.dedupe_key));
    const expected = apps.flatMap((a) => MAILED_VERSIONS.filter((v) => v <= a.version).map((v) => `status:${a.id}:${v}`));
    const missing = expected.filter((k) => !statusKeys.has(k));
    const extra = [...statusKeys].filter((k) => !expected.includes(k));
    check(missing.length === 0 && extra.length === 0, `${label}: ${expected.length} committed changes the domain mails have exactly one message each, and no other change has one${missing.length + extra.length ? ` (${missing.length} missing, ${extra.length} for changes never committed)` : ''}`);
    const confirmations = rows.filter((r) => r.kind === 'confirmAddress');
    check(confirmations.length === apps.length && new Set(confirmations.map((r) => r.application_id)).size === apps.length, `${label}: ${apps.length} applications, one confirmation mail each (${confirmations.length})`);
    const unsent = rows.filter((r) => r.state !== 'sent');
    check(unsent.length === 0, `${label}: all ${rows.length} messages were delivered (${unsent.length} not: ${[...new Set(unsent.map((r) => r.state))].join(', ')})`);
    const received = new Map<string, number>();
    for (const m of sink.received) received.set(m.messageId, (received.get(m.messageId) ?? 0) + 1);
    const twice = [...received].filter(([, n]) => n > 1).map(([id]) => id);
    const notArrived = rows.filter((r) => !received.has(r.message_id));
    check(notArrived.length === 0, `${label}: every message arrived at the SMTP server (${notArrived.length} did not)`);
    // SMTP cannot be undone: a server killed after the SMTP server had the whole of a mail and before
    // its commit of "sent" sends that mail again, with the same Message-ID. Every copy but the last
    // must be one of those: its DATA ended in the last moment before a SIGKILL, or was read by this
    // process's event loop just after it (bytes the killed server wrote before it died). A mail in
    // doubt at two kills in a row (claimed again after its lease, killed again) arrives three times;
    // no other resend is allowed.
    const copiesOf = (id: string) => sink.received.filter((m) => m.messageId === id);
    const offsetFromNearestKill = (at: number) => killedAt.map((k) => at - k).reduce((a, b) => (Math.abs(b) < Math.abs(a) ? b : a));
    const inDoubt = (at: number) => killedAt.some((k) => at - k > -IN_DOUBT_MS && at - k < READ_AFTER_KILL_MS);
    const earlierCopies = twice.flatMap((id) => copiesOf(id).slice(0, -1));
    const unexplained = earlierCopies.filter((m) => !inDoubt(m.dataEndedAt));
    if (earlierCopies.length > 0) log(`${label}: resent, each earlier copy's DATA ended this many ms from the nearest SIGKILL: ${earlierCopies.map((m) => offsetFromNearestKill(m.dataEndedAt)).join(', ')}`);
    const thrice = twice.filter((id) => received.get(id)! > 2).length;
    check(unexplained.length === 0, `${label}: ${twice.length} Message-ID(s) arrived more than once (${thrice} of them three times or more; ${sink.received.length} messages received, ${received.size} distinct), every earlier copy ending less than ${IN_DOUBT_MS} ms before a SIGKILL or read less than ${READ_AFTER_KILL_MS} ms after it (in doubt, resent with the same Message-ID); ${unexplained.length} otherwise`);
    figures[kind] = { kills, applications: apps.length, statusChanges: changes, messages: rows.length, received: sink.received.length, distinctMessageIds: received.size, resentAfterKill: twice.length, seconds: Math.round((performance.now() - started) / 1000) };
    log(`${label}: ${JSON.stringify(figures[kind])}`);
  } finally {
    await handle?.close();
    await sink.stop();
    await cleanUpRun(log, kind, dir, PG_URL, schema);
  }
}

runOnDatabases('crash-mail', runOn, figures, failures, 'after every SIGKILL each committed change had exactly one mail, delivered; resent only when in doubt at a kill');
