/**
 * Exactly-once crash test (issue 12): a real server process, keyed writes (registrations and
 * events, every one with an `Idempotency-Key`) in flight from several clients, SIGKILL at a random
 * moment, restart, retry of every request whose answer was lost (same key, same body), and so on
 * for several rounds — on a SQLite file and on a PostgreSQL schema. Then it checks:
 *   - every request acted exactly once (one history entry per event request, one application per
 *     registration request: never two applications, never two 到達番号 from one request);
 *   - every retry got the answer of the one execution (2xx, the same 到達番号 / seq as the database),
 *     and a second replay of every request is byte for byte its first answer;
 *   - nothing was half-applied (the consistency report of `kei-oss check-db`).
 *
 *   npx tsx scripts/crash-test-idempotency.ts   (CRASH_ROUNDS=4 kills per database; CRASH_DATABASES=sqlite,postgres)
 *
 * PostgreSQL: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), a schema of its
 * own, dropped afterwards. Exit code 0 when every check passed; otherwise 1, with the failures.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { STEPS, cleanUpRun, crashChecks, runOnDatabases, startServer, type Tokens } from './lib/crash-support.js';
import { systemClock } from '../src/domain/time.js';
import type { ServiceDeps } from '../src/services/context.js';
import { randomIds } from '../src/services/ids.js';
import { createServices, loadServerSecrets } from '../src/services/index.js';
import { argon2Hasher } from '../src/services/passwords.js';
import { migrateToLatest, openDatabase, type DatabaseLocation } from '../src/store/database.js';
import { consistencyReport } from '../src/store/maintenance.js';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 4);
const CLIENTS = Number(process.env.CRASH_CLIENTS ?? 8);
const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

const figures: Record<string, unknown> = {};
const { failures, log, check } = crashChecks('crash-once');

// ---- server -------------------------------------------------------------------------------


// ---- requests -----------------------------------------------------------------------------

type Reply = { status: number; text: string; replayed: boolean } | { status: 'network' };

async function send(base: string, token: string, path: string, key: string, body: unknown): Promise<Reply> {
  try {
    const res = await fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, text: await res.text(), replayed: res.headers.get('idempotent-replayed') === 'true' };
  } catch {
    return { status: 'network' };
  }
}

/** One logical request: its key and body never change, however often it is sent. */
interface Request {
  readonly key: string;
  readonly token: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** For a registration: its 車台番号, unique to the request. For an event: the application and the version it makes. */
  readonly chassis?: string;
  readonly number?: string;
  readonly seq?: number;
  readonly event?: string;
  /** Every answer it got (the first is the one execution's; later ones are retries or replays). */
  readonly answers: { status: number; text: string; replayed: boolean; afterCrash: boolean }[];
  lost: number;
}

interface Car {
  number: string | null;
  version: number;
  pending: Request | null;
}

let serial = 0;
function registration(tokens: Tokens): Request {
  serial += 1;
  const chassis = `ONCE-${randomBytes(3).toString('hex').toUpperCase()}-${serial}`;
  return {
    key: randomUUID(),
    token: tokens.office,
    path: '/applications',
    chassis,
    body: {
      procedure: 'continuousInspection',
      officeCode: 'tokyo',
      password: 'Crash-passw0rd',
      applicantName: '一度だけ試験販売店',
      applicantAddress: '東京都品川区東大井1-1-1',
      userName: '一度 太郎',
      userAddress: '東京都品川区南大井3-2-1',
      vehicleNumber: '品川 580 さ 1234',
      chassisNumber: chassis,
      vehicleModel: '5BA-JF3',
      weightTaxBand: 'standard',
    },
    answers: [],
    lost: 0,
  };
}

function eventRequest(tokens: Tokens, car: Car): Request {
  const step = STEPS[car.version] as (typeof STEPS)[number];
  const body: Record<string, unknown> = { ...step.body(), expectedVersion: car.version };
  return { key: randomUUID(), token: tokens[step.who], path: `/applications/${car.number}/events`, number: car.number!, seq: car.version + 1, event: String(body.type), body, answers: [], lost: 0 };
}

/** What a request's answer says it did: the 到達番号 of a registration, the seq of an event. */
function outcome(text: string): { number?: string; seq?: number } {
  const b = JSON.parse(text) as { application?: { arrivalNumber?: string }; event?: { seq?: number } };
  return { number: b.application?.arrivalNumber, seq: b.event?.seq };
}

// ---- one database -------------------------------------------------------------------------

async function runOn(kind: 'sqlite' | 'postgres'): Promise<void> {
  const dir = mkdtempSync(join(process.env.CRASH_DIR ?? tmpdir(), 'kei-oss-once-'));
  const schema = `crash_once_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
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
  log(`${label}: ${kind === 'sqlite' ? serverUrl : `schema ${schema}`}, ${ROUNDS} SIGKILLs under keyed writes from ${CLIENTS} clients`);
  const started = performance.now();
  try {
    const handle = openDatabase(location);
    await migrateToLatest(handle);
    const deps: ServiceDeps = { database: handle, clock: systemClock, ids: randomIds, passwords: argon2Hasher, logger: pino({ level: 'silent' }) };
    const services = createServices(deps, await loadServerSecrets(deps));
    const token = async (name: string, role: string, officeCode?: string) => {
      const r = await services.apiTokens.create({ name, role, officeCode });
      if (!r.ok) throw new Error(r.refusal.message);
      return r.value.token;
    };
    const tokens: Tokens = { office: await token('once-office', 'inspectionOffice', 'tokyo'), payment: await token('once-payment', 'paymentNetwork'), attachments: await token('once-attachments', 'attachmentSource') };
    await handle.close();

    const requests: Request[] = [];
    const cars: Car[] = Array.from({ length: CLIENTS }, () => ({ number: null, version: 0, pending: null }));
    const unexpected: string[] = [];

    /** Sends a request until it has an answer from a live server; false if the server died meanwhile. */
    const deliver = async (base: string, req: Request, afterCrash: boolean): Promise<boolean> => {
      const r = await send(base, req.token, req.path, req.key, req.body);
      if (r.status === 'network') {
        req.lost += 1;
        return false;
      }
      req.answers.push({ ...r, afterCrash });
      return true;
    };

    /** A client: drives its own applications step by step until the server dies. */
    const client = async (base: string, car: Car, afterCrash: boolean): Promise<void> => {
      for (;;) {
        let req = car.pending;
        const retry = req !== null;
        if (!req) {
          if (car.number === null || car.version >= STEPS.length) {
            car.number = null;
            car.version = 0;
            req = registration(tokens);
          } else req = eventRequest(tokens, car);
          requests.push(req);
          car.pending = req;
        }
        if (!(await deliver(base, req, retry && afterCrash))) return;
        car.pending = null;
        const a = req.answers[req.answers.length - 1]!;
        if (a.status !== 200 && a.status !== 201) {
          unexpected.push(`${req.event ?? 'register'}${retry ? ' (retry)' : ''}: ${a.status} ${a.text.slice(0, 200)}`);
          return;
        }
        const o = outcome(a.text);
        if (req.chassis) {
          car.number = o.number ?? null;
          car.version = 1;
        } else car.version = o.seq ?? car.version;
        afterCrash = false;
      }
    };

    let kills = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      const server = await startServer(serverUrl, 60);
      const last = round === ROUNDS;
      // The requests whose answer the previous kill lost are retried first, by their clients, as the load restarts.
      const clients = cars.map((car) => client(server.base, car, true));
      if (last) {
        // The last round: no kill; let the retries land and some more work happen, then stop cleanly.
        await new Promise((r) => setTimeout(r, 1500));
        server.child.kill('SIGTERM');
      } else {
        await new Promise((r) => setTimeout(r, 400 + Math.random() * 1600));
        server.child.kill('SIGKILL');
        kills += 1;
      }
      await Promise.all(clients);
      await server.exited;
    }

    // Every request whose answer was lost at the last (graceful) stop is delivered now, as a client would.
    const server = await startServer(serverUrl, 60);
    try {
      for (const car of cars) if (car.pending) await deliver(server.base, car.pending, true);
      // Every request once more: each must be a replay, byte for byte its first answer.
      const replays: { req: Request; text: string; status: number; replayed: boolean }[] = [];
      for (const req of requests) {
        const r = await send(server.base, req.token, req.path, req.key, req.body);
        if (r.status !== 'network') replays.push({ req, ...r });
      }
      const notReplayed = replays.filter((r) => !r.replayed || r.status !== r.req.answers[0]?.status || r.text !== r.req.answers[0]?.text);
      check(replays.length === requests.length && notReplayed.length === 0, `${label}: a replay of each of the ${requests.length} requests is its first answer, byte for byte${notReplayed.length ? ` (${notReplayed.length} differ, e.g. ${notReplayed[0]!.status} ${notReplayed[0]!.text.slice(0, 120)})` : ''}`);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }

    check(unexpected.length === 0, `${label}: every request and every retry answered 200/201${unexpected.length ? ` (${unexpected.length} did not: ${unexpected.slice(0, 3).join('; ')})` : ''}`);
    const unanswered = requests.filter((r) => r.answers.length === 0);
    check(unanswered.length === 0, `${label}: every request got an answer in the end (${unanswered.length} without)`);
    const inconsistent = requests.filter((r) => r.answers.some((a) => a.status !== r.answers[0]!.status || a.text !== r.answers[0]!.text));
    check(inconsistent.length === 0, `${label}: every request's answers (first and retries) are identical${inconsistent.length ? ` (${inconsistent.length} differ)` : ''}`);

    // The database: one application per registration request, one history entry per event request.
    const db = openDatabase(location);
    try {
      const report = await consistencyReport(db);
      check(report.integrity === 'ok' && report.problems.length === 0, `${label}: nothing half-applied in ${report.applications} applications / ${report.historyEntries} history entries (${report.integrity}${report.problems.length ? `; ${report.problems.slice(0, 3).join('; ')}` : ''})`);
      const apps = await db.db.selectFrom('applications').select(['arrival_number', 'chassis_number']).execute();
      const byChassis = new Map<string, string[]>();
      for (const a of apps) byChassis.set(a.chassis_number, [...(byChassis.get(a.chassis_number) ?? []), a.arrival_number]);
      const registrations = requests.filter((r) => r.chassis);
      const wrongCount = registrations.filter((r) => (byChassis.get(r.chassis!)?.length ?? 0) !== 1);
      check(apps.length === registrations.length && wrongCount.length === 0, `${label}: ${registrations.length} registration requests made exactly ${apps.length} applications, one each${wrongCount.length ? ` (${wrongCount.length} made ${wrongCount.map((r) => byChassis.get(r.chassis!)?.length ?? 0).join(',')})` : ''}`);
      const wrongNumber = registrations.filter((r) => r.answers.length > 0 && outcome(r.answers[0]!.text).number !== byChassis.get(r.chassis!)?.[0]);
      check(wrongNumber.length === 0, `${label}: every registration's answers name the 到達番号 of its one application`);

      const history = await db.db
        .selectFrom('status_history as h')
        .innerJoin('applications as a', 'a.id', 'h.application_id')
        .select(['a.arrival_number', 'h.seq', 'h.event'])
        .execute();
      const entries = new Map<string, number>();
      for (const h of history) entries.set(`${h.arrival_number}/${h.seq}/${h.event}`, (entries.get(`${h.arrival_number}/${h.seq}/${h.event}`) ?? 0) + 1);
      const events = requests.filter((r) => r.event);
      const notOnce = events.filter((r) => entries.get(`${r.number}/${r.seq}/${r.event}`) !== 1);
      check(notOnce.length === 0, `${label}: each of the ${events.length} event requests is in the history exactly once`);
      check(history.length === registrations.length + events.length, `${label}: the history has ${history.length} entries = ${registrations.length} arrivals + ${events.length} events (nothing else, nothing twice)`);
      const seqMismatch = events.filter((r) => r.answers.length > 0 && outcome(r.answers[0]!.text).seq !== r.seq);
      check(seqMismatch.length === 0, `${label}: every event's answers name the version its one execution made`);
    } finally {
      await db.close();
    }

    const lost = requests.filter((r) => r.lost > 0);
    const lostCommitted = lost.filter((r) => r.answers[0]?.replayed).length;
    figures[kind] = {
      kills,
      requests: requests.length,
      registrations: requests.filter((r) => r.chassis).length,
      events: requests.filter((r) => r.event).length,
      answersLostAtAKill: lost.length,
      ofWhichHadCommitted: lostCommitted,
      ofWhichHadNot: lost.length - lostCommitted,
      seconds: Math.round((performance.now() - started) / 1000),
    };
    log(`${label}: ${JSON.stringify(figures[kind])}`);
  } finally {
    await cleanUpRun(log, kind, dir, PG_URL, schema);
  }
}

runOnDatabases('crash-once', runOn, figures, failures, 'after every SIGKILL each keyed request acted exactly once and every retry got its one answer');
