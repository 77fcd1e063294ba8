/**
 * Crash test (issue 5): real server processes on a SQLite file on disk, a write load through the
 * agency API, SIGKILL in the middle, restart, and checks that nothing acknowledged was lost and
 * nothing was half-applied. Also: a race between two server processes on one file, an online
 * backup taken under the write load, and the cost of synchronous=FULL against NORMAL.
 *
 *   npx tsx scripts/crash-test.ts            (CRASH_WRITES=5000 by default; CRASH_KEEP=1 keeps the files)
 *
 * Exit code 0 when every check passed; otherwise 1, with the failures printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pino from 'pino';
import { ROOT, STEPS, crashChecks, startServer, type Server, type Tokens } from './lib/crash-support.js';
import { systemClock } from '../src/domain/time.js';
import type { ServiceDeps } from '../src/services/context.js';
import { randomIds } from '../src/services/ids.js';
import { createServices, loadServerSecrets } from '../src/services/index.js';
import { argon2Hasher } from '../src/services/passwords.js';
import { migrateToLatest, openDatabase } from '../src/store/database.js';
import { consistencyReport } from '../src/store/maintenance.js';

const WRITES = Number(process.env.CRASH_WRITES ?? 5000);
const CLIENTS = Number(process.env.CRASH_CLIENTS ?? 16);
const RACE_WRITES = 200;

const figures: Record<string, unknown> = {};
const { failures, log, check } = crashChecks('crash-test');

// ---- servers ------------------------------------------------------------------------------


async function stopGracefully(s: Server): Promise<void> {
  s.child.kill('SIGTERM');
  await s.exited;
}

// ---- the API ------------------------------------------------------------------------------


/** The parts of the API's JSON answers this script reads. */
type ApiBody = { application: { arrivalNumber: string; version: number }; event: { seq: number; event: string }; history: { seq: number }[] };
type Answer = { status: number; body: ApiBody } | { status: 'network'; error: string };

async function call(base: string, token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  try {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as ApiBody };
  } catch (e) {
    return { status: 'network', error: (e as Error).message };
  }
}

let serial = 0;
function filing() {
  serial += 1;
  return {
    procedure: 'continuousInspection',
    officeCode: 'tokyo',
    password: 'Crash-passw0rd',
    applicantName: '耐障害試験販売店',
    applicantAddress: '東京都品川区東大井1-1-1',
    userName: '耐障害 太郎',
    userAddress: '東京都品川区南大井3-2-1',
    vehicleNumber: '品川 580 さ 1234',
    chassisNumber: `CRASH-${String(serial).padStart(7, '0')}`,
    vehicleModel: '5BA-JF3',
    weightTaxBand: 'standard',
  };
}


interface Ack {
  readonly number: string;
  readonly seq: number;
  readonly event: string;
}

interface Tracked {
  number: string;
  version: number;
}

/** Several clients, each moving its own applications step by step, until told to stop or the server dies. */
class Load {
  readonly acks: Ack[] = [];
  readonly tracked: Tracked[] = [];
  /** Writes sent when the server died, answer unknown: [application number (null for a registration), the version it would make]. */
  readonly uncertain: { number: string | null; seq: number }[] = [];
  readonly unexpected: string[] = [];
  private stopAt = 0;
  private onAck: (() => void) | null = null;

  constructor(private readonly tokens: Tokens) {}

  run(base: string, stopAt: number, onAck?: () => void): Promise<void> {
    this.stopAt = stopAt;
    this.onAck = onAck ?? null;
    const work = this.tracked.filter((t) => t.version < STEPS.length);
    return Promise.all(Array.from({ length: CLIENTS }, (_, i) => this.client(base, work.filter((_, j) => j % CLIENTS === i)))).then(() => undefined);
  }

  private async client(base: string, resume: Tracked[]): Promise<void> {
    let current: Tracked | null = resume.shift() ?? null;
    while (this.acks.length < this.stopAt) {
      if (!current) {
        const answer = await call(base, this.tokens.office, 'POST', '/applications', filing());
        if (answer.status === 'network') {
          this.uncertain.push({ number: null, seq: 1 });
          return;
        }
        if (answer.status !== 201) {
          this.unexpected.push(`register: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
          return;
        }
        current = { number: answer.body.application.arrivalNumber, version: answer.body.application.version };
        this.tracked.push(current);
        this.ack({ number: current.number, seq: 1, event: 'arrive' });
        continue;
      }
      if (current.version >= STEPS.length) {
        current = resume.shift() ?? null;
        continue;
      }
      const step = STEPS[current.version] as (typeof STEPS)[number];
      const body: Record<string, unknown> = { ...step.body(), expectedVersion: current.version };
      const answer = await call(base, this.tokens[step.who], 'POST', `/applications/${current.number}/events`, body);
      if (answer.status === 'network') {
        this.uncertain.push({ number: current.number, seq: current.version + 1 });
        return;
      }
      if (answer.status !== 200) {
        this.unexpected.push(`${String(body.type)} on ${current.number}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
        return;
      }
      current.version = answer.body.application.version;
      this.ack({ number: current.number, seq: answer.body.event.seq, event: answer.body.event.event });
    }
  }

  private ack(a: Ack) {
    this.acks.push(a);
    this.onAck?.();
  }

  /** After a restart: read each application's version again (a write in flight may or may not have happened). */
  async resync(base: string): Promise<void> {
    for (const t of this.tracked) {
      const answer = await call(base, this.tokens.office, 'GET', `/applications/${t.number}`);
      if (answer.status !== 200) throw new Error(`cannot read ${t.number} after restart: ${answer.status}`);
      t.version = (answer as { body: ApiBody }).body.application.version;
    }
  }
}

// ---- checks on the file -------------------------------------------------------------------

async function checkFile(path: string, acks: readonly Ack[], label: string): Promise<void> {
  const handle = openDatabase({ kind: 'sqlite', path });
  try {
    const report = await consistencyReport(handle);
    check(report.integrity === 'ok', `${label}: PRAGMA integrity_check = ${report.integrity}`);
    check(report.problems.length === 0, `${label}: nothing half-applied in ${report.applications} applications / ${report.historyEntries} history entries${report.problems.length ? ` (${report.problems.slice(0, 5).join('; ')})` : ''}`);
    const rows = await handle.db
      .selectFrom('status_history as h')
      .innerJoin('applications as a', 'a.id', 'h.application_id')
      .select(['a.arrival_number', 'h.seq', 'h.event'])
      .execute();
    const present = new Set(rows.map((r) => `${r.arrival_number}/${r.seq}/${r.event}`));
    const missing = acks.filter((a) => !present.has(`${a.number}/${a.seq}/${a.event}`));
    check(missing.length === 0, `${label}: all ${acks.length} acknowledged writes present${missing.length ? ` (${missing.length} missing, e.g. ${JSON.stringify(missing.slice(0, 3))})` : ''}`);
  } finally {
    await handle.close();
  }
}

// ---- synchronous=FULL against NORMAL --------------------------------------------------------

function measureSync(dir: string): void {
  const result: Record<string, number> = {};
  for (const mode of ['FULL', 'NORMAL'] as const) {
    const path = join(dir, `sync-${mode}.sqlite`);
    const db = new SQLite(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${mode}`);
    db.exec('create table t (id integer primary key, v text)');
    const insert = db.prepare('insert into t (v) values (?)');
    const n = 500;
    const started = performance.now();
    for (let i = 0; i < n; i++) insert.run(`row ${i}`); // one transaction (one commit) per row
    const ms = performance.now() - started;
    result[`${mode.toLowerCase()}MsPerCommit`] = Number((ms / n).toFixed(3));
    result[`${mode.toLowerCase()}CommitsPerSecond`] = Math.round((n / ms) * 1000);
    db.close();
  }
  figures.sqliteSync = result;
  log(`synchronous=FULL: ${result.fullMsPerCommit} ms a commit (${result.fullCommitsPerSecond}/s); NORMAL: ${result.normalMsPerCommit} ms (${result.normalCommitsPerSecond}/s), same disk`);
}

// ---- phases -----------------------------------------------------------------------------

async function raceBetweenProcesses(dbPath: string, tokens: Tokens): Promise<void> {
  const a = await startServer(dbPath);
  const b = await startServer(dbPath);
  try {
    const created = await call(a.base, tokens.office, 'POST', '/applications', filing());
    if (created.status !== 201) throw new Error(`race: register failed ${created.status}`);
    const number = (created as { body: ApiBody }).body.application.arrivalNumber;
    const answers = await Promise.all(
      Array.from({ length: RACE_WRITES }, (_, i) =>
        call(i % 2 === 0 ? a.base : b.base, tokens.office, 'POST', `/applications/${number}/events`, i % 4 < 2 ? { type: 'accept', expectedVersion: 1 } : { type: 'refuseAcceptance', reasonTitle: '受付チェック', reasonDetail: '署名用電子証明書の不備', expectedVersion: 1 }),
      ),
    );
    const codes: Record<string, number> = {};
    for (const x of answers) codes[String(x.status)] = (codes[String(x.status)] ?? 0) + 1;
    figures.raceBetweenTwoProcesses = { writes: RACE_WRITES, answers: codes };
    check(codes['200'] === 1, `race: ${RACE_WRITES} conflicting writes through two server processes on one SQLite file: exactly one succeeded (${JSON.stringify(codes)})`);
    check((codes['409'] ?? 0) === RACE_WRITES - 1, 'race: every other write got 409');
    const read = await call(b.base, tokens.office, 'GET', `/applications/${number}`);
    const history = (read as { body: ApiBody }).body.history;
    check(JSON.stringify(history.map((h) => h.seq)) === '[1,2]', 'race: the history has exactly the arrival and the one successful write');
  } finally {
    await stopGracefully(a);
    await stopGracefully(b);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.CRASH_DIR ?? tmpdir(), 'kei-oss-crash-'));
  const dbPath = join(dir, 'kei-oss.sqlite');
  log(`database: ${dbPath} (synchronous=FULL, WAL), ${WRITES} writes by ${CLIENTS} clients`);
  try {
    measureSync(dir);

    // Tokens, made directly in the database before any server starts.
    const handle = openDatabase({ kind: 'sqlite', path: dbPath });
    await migrateToLatest(handle);
    const deps: ServiceDeps = { database: handle, clock: systemClock, ids: randomIds, passwords: argon2Hasher, logger: pino({ level: 'silent' }) };
    const services = createServices(deps, await loadServerSecrets(deps));
    const token = async (name: string, role: string, officeCode?: string) => {
      const r = await services.apiTokens.create({ name, role, officeCode });
      if (!r.ok) throw new Error(r.refusal.message);
      return r.value.token;
    };
    const tokens: Tokens = { office: await token('crash-office', 'inspectionOffice', 'tokyo'), payment: await token('crash-payment', 'paymentNetwork'), attachments: await token('crash-attachments', 'attachmentSource') };
    await handle.close();

    await raceBetweenProcesses(dbPath, tokens);

    // Phase 1: load, then SIGKILL in the middle of it.
    const load = new Load(tokens);
    let server = await startServer(dbPath);
    const killAt = Math.floor(WRITES / 2);
    let killed = false;
    const started = performance.now();
    await load.run(server.base, Number.MAX_SAFE_INTEGER, () => {
      if (!killed && load.acks.length >= killAt) {
        killed = true;
        // A few milliseconds later, so that the kill may fall between a commit and its answer.
        setTimeout(() => server.child.kill('SIGKILL'), Math.random() * 20);
      }
    });
    const phase1Ms = performance.now() - started;
    await server.exited;
    const ackedAtKill = load.acks.length;
    figures.phase1 = { acknowledged: ackedAtKill, seconds: Math.round(phase1Ms / 1000), writesPerSecond: Math.round((ackedAtKill / phase1Ms) * 1000), inFlightAtKill: load.uncertain.length };
    log(`SIGKILL after ${ackedAtKill} acknowledged writes (${Math.round((ackedAtKill / phase1Ms) * 1000)}/s), ${load.uncertain.length} writes in flight`);
    check(load.unexpected.length === 0, `phase 1: no unexpected answer${load.unexpected.length ? ` (${load.unexpected.slice(0, 3).join('; ')})` : ''}`);
    check(ackedAtKill >= killAt, `phase 1: at least ${killAt} writes acknowledged before the kill`);
    await checkFile(dbPath, load.acks, 'after SIGKILL');

    // Phase 2: restart; the writes in flight happened entirely or not at all; load on, with a backup taken meanwhile.
    server = await startServer(dbPath);
    await load.resync(server.base);
    const inFlight = load.uncertain.filter((u) => u.number !== null);
    const applied = inFlight.filter((u) => (load.tracked.find((t) => t.number === u.number)?.version ?? 0) >= u.seq).length;
    figures.inFlightAtKill = { events: inFlight.length, committed: applied, notCommitted: inFlight.length - applied, registrations: load.uncertain.length - inFlight.length };
    log(`of ${inFlight.length} events in flight at the kill, ${applied} had committed and ${inFlight.length - applied} had not (each entirely)`);
    load.uncertain.length = 0;

    const backupFile = join(dir, 'backup-under-load.sqlite');
    let backupAcks: Ack[] = [];
    let backupRun: Promise<{ code: number | null; output: string }> | null = null;
    const backupAt = Math.floor(WRITES * 0.75);
    const started2 = performance.now();
    await load.run(server.base, WRITES, () => {
      if (!backupRun && load.acks.length >= backupAt) {
        backupAcks = [...load.acks];
        backupRun = new Promise((res) => {
          const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'backup', backupFile], { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbPath, LOG_LEVEL: 'warn' } });
          let output = '';
          child.stdout.on('data', (d: Buffer) => (output += d.toString()));
          child.stderr.on('data', (d: Buffer) => (output += d.toString()));
          child.on('exit', (code) => res({ code, output }));
        });
      }
    });
    const phase2Ms = performance.now() - started2;
    const backup = await (backupRun ?? Promise.resolve({ code: -1, output: 'backup never started' }));
    const ackedTotal = load.acks.length;
    figures.phase2 = { acknowledged: ackedTotal - ackedAtKill, seconds: Math.round(phase2Ms / 1000), writesPerSecond: Math.round(((ackedTotal - ackedAtKill) / phase2Ms) * 1000) };
    check(load.unexpected.length === 0, `phase 2: no unexpected answer${load.unexpected.length ? ` (${load.unexpected.slice(0, 3).join('; ')})` : ''}`);
    check(ackedTotal >= WRITES, `${ackedTotal} writes acknowledged in all (at least ${WRITES})`);
    check(backup.code === 0, `kei-oss backup under load exited ${backup.code}: ${backup.output.trim().split('\n').join(' | ')}`);
    await stopGracefully(server);

    await checkFile(dbPath, load.acks, 'after restart and the rest of the load');
    await checkFile(backupFile, backupAcks, 'backup taken under load');
    figures.backupUnderLoad = { acknowledgedBeforeBackup: backupAcks.length, output: backup.output.trim() };
    figures.applications = load.tracked.length;
    figures.acknowledgedWrites = ackedTotal;
  } finally {
    if (process.env.CRASH_KEEP) log(`files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => {
    console.log(`[crash-test] figures ${JSON.stringify(figures)}`);
    if (failures.length > 0) {
      console.error(`\n[crash-test] FAILED: ${failures.length} check(s) failed:\n  - ${failures.join('\n  - ')}`);
      process.exit(1);
    }
    log('PASSED: every acknowledged write survived SIGKILL, nothing was half-applied, the backup under load is sound');
    process.exit(0);
  },
  (err: unknown) => {
    console.error('[crash-test] FAILED with an error:', err);
    process.exit(1);
  },
);
