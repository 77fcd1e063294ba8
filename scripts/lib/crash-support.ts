import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../../bench/lib/server.js';
import { addDays, japanDateOf, systemClock } from '../../src/domain/time.js';

/** The repository's root: the crash scripts start `src/cli.ts serve` from there. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A crash script's checks: each printed as it passes or fails, the failures kept for the verdict. */
export function crashChecks(prefix: string) {
  const failures: string[] = [];
  const log = (line: string) => console.log(`[${prefix}] ${line}`);
  function check(ok: boolean, what: string) {
    if (ok) log(`ok   ${what}`);
    else {
      failures.push(what);
      console.error(`[${prefix}] FAIL ${what}`);
    }
  }
  return { failures, log, check };
}

export interface Server {
  readonly base: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code when the process ends (SIGKILL included). */
  readonly exited: Promise<number | null>;
}

/**
 * A real `kei-oss serve` on a free loopback port and the given database, with no demo data and no
 * sweeper of its own (and `env` on top); resolves once /healthz answers (within `waitSeconds`).
 */
export async function startServer(databaseUrl: string, waitSeconds = 30, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', DEMO_DATA: 'off', SWEEP_INTERVAL_SECONDS: '0', LOG_LEVEL: 'warn', WORKERS: '1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < waitSeconds * 10; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, child, exited };
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it listened`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not answer /healthz within ${waitSeconds} s`);
}

/** The agency tokens a crash script drives the API with. */
export interface Tokens {
  readonly office: string;
  readonly payment: string;
  readonly attachments: string;
}

const today = japanDateOf(systemClock.now());

/** The life of a 継続検査 through the API: step 0 is the registration (version 1); step i takes version i to i + 1. */
export const STEPS: readonly { readonly who: keyof Tokens; readonly body: () => Record<string, unknown> }[] = [
  { who: 'office', body: () => ({}) }, // the registration: POST /applications
  { who: 'office', body: () => ({ type: 'accept' }) },
  { who: 'attachments', body: () => ({ type: 'acquireAttachment', kind: 'insuranceCertificate' }) },
  { who: 'attachments', body: () => ({ type: 'acquireAttachment', kind: 'safetyStandardCertificate' }) },
  { who: 'office', body: () => ({ type: 'issueFees', dueOn: addDays(today, 14) }) },
  { who: 'payment', body: () => ({ type: 'recordPayment', stage: 'inspectionFees', paidOn: today }) },
  { who: 'payment', body: () => ({ type: 'recordPayment', stage: 'weightTax', paidOn: today }) },
  { who: 'office', body: () => ({ type: 'completeExamination', completedOn: today }) },
  { who: 'office', body: () => ({ type: 'markReady' }) },
  { who: 'office', body: () => ({ type: 'handOver' }) },
];

/** Removes what one database's run made (its folder; on PostgreSQL its schema), unless CRASH_KEEP asks to keep them. */
export async function cleanUpRun(log: (line: string) => void, kind: string, dir: string, pgUrl: string, schema: string): Promise<void> {
  if (process.env.CRASH_KEEP) {
    log(`files kept in ${dir}${kind === 'postgres' ? ` and schema ${schema}` : ''}`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  if (kind === 'postgres') {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`drop schema if exists "${schema}" cascade`);
    await c.end();
  }
}

/**
 * Runs a crash script on each database of CRASH_DATABASES (default both), then prints its figures
 * and the verdict, and exits 1 on any failed check or error.
 */
export function runOnDatabases(prefix: string, runOn: (kind: 'sqlite' | 'postgres') => Promise<void>, figures: Record<string, unknown>, failures: readonly string[], passed: string): void {
  const databases = (process.env.CRASH_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
  (async () => {
    for (const kind of databases) {
      if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`CRASH_DATABASES: sqlite or postgres, not ${kind}`);
      await runOn(kind);
    }
  })().then(
    () => {
      console.log(`[${prefix}] figures ${JSON.stringify(figures)}`);
      if (failures.length > 0) {
        console.error(`\n[${prefix}] FAILED: ${failures.length} check(s) failed:\n  - ${failures.join('\n  - ')}`);
        process.exit(1);
      }
      console.log(`[${prefix}] PASSED: ${passed}`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(`[${prefix}] FAILED with an error:`, err);
      process.exit(1);
    },
  );
}
