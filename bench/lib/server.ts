import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './common.js';
import { heapFlags } from '../../src/cli/heap.js';

/**
 * The production server as a separate process: `node dist/src/cli.js serve`, as an operator runs
 * it, with the bench route switched on and the sweeper off.
 */

export const CLI = join(ROOT, 'dist/src/cli.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (/\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ (tsc -p tsconfig.build.json) when it is missing or older than a source file.
 * TypeScript still writes its output when other files have type errors; the run goes on then,
 * with a warning, as long as dist/src/cli.js exists.
 */
export function buildIfNeeded(log: (line: string) => void): void {
  const srcNewest = newestMtime(join(ROOT, 'src'));
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= srcNewest) {
    log('build: dist/ is up to date');
    return;
  }
  log('build: compiling (tsc -p tsconfig.build.json)…');
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  const r = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('error TS'));
    if (!existsSync(CLI)) throw new Error(`build failed:\n${errors.slice(0, 20).join('\n')}`);
    log(`build: WARNING: tsc reported ${errors.length} type error(s) (output written anyway); first: ${errors[0] ?? ''}`);
  } else {
    log('build: done');
  }
}

/**
 * The heap flags `npm start` gives node (package.json; none if NODE_OPTIONS or KEI_OSS_HEAP_MB=off
 * says otherwise, KEI_OSS_HEAP_MB's old space if set): the server then runs in one process, as
 * under `npm start` (decision 0016).
 */
export function startHeapFlags(): string[] {
  const decision = heapFlags(process.env, []);
  if ('error' in decision) throw new Error(decision.error);
  return decision.flags ? [...decision.flags] : [];
}

export interface ServerOptions {
  readonly databaseUrl: string;
  readonly port: number;
  /** Server processes (node:cluster); 1: a single process. */
  readonly workers: number;
  /** Node flags (e.g. --cpu-prof); default: the heap flags of `npm start` (startHeapFlags). */
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface ServerHandle {
  readonly pid: number;
  readonly baseUrl: string;
  readonly env: Readonly<Record<string, string>>;
  /** Resident memory of the server (with its workers), bytes, now. */
  rss(): number;
  /** CPU time the server (with its workers) has used so far, user + system, in seconds. */
  cpuSeconds(): number;
  /** The peak resident memory since the last resetPeak() (VmHWM of each process, summed). */
  peak(): number;
  resetPeak(): void;
  stop(): Promise<number | null>;
  output(): string;
}

/** Pids of a process and all its descendants (cluster workers). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    try {
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      /* gone */
    }
  }
  return out;
}

/** utime + stime of a process, in seconds (clock ticks of 1/100 s on Linux). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A port nobody listens on now (the OS picks it), so that two benchmarks on one machine never meet. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolveTaken) => {
    const probe = createServer();
    probe.once('error', () => resolveTaken(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolveTaken(false)));
  });
}

export async function startServer(o: ServerOptions): Promise<ServerHandle> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  if (await portTaken(o.port)) throw new Error(`port ${o.port} is already in use (another server or benchmark?): choose another with --port, or leave --port out to take a free one`);
  const env: Record<string, string> = {
    DATABASE_URL: o.databaseUrl,
    NODE_ENV: 'production',
    DEMO_DATA: 'off',
    BENCH_ROUTES: '1',
    LOG_LEVEL: 'warn',
    SWEEP_INTERVAL_SECONDS: '0',
    HOST: '127.0.0.1',
    PORT: String(o.port),
    WORKERS: String(o.workers),
    // The load generator stands for many clients behind one reverse proxy on this machine: the
    // server believes its X-Forwarded-For, so per-address login limits apply per client.
    TRUST_PROXY: '127.0.0.1',
    // The operator's V8 settings (e.g. --max-old-space-size), passed on as they would be to npm start.
    ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
    // The heap limits of kei-oss serve (src/cli/heap.ts: default 128 MB; off: Node's own), as the operator sets them.
    ...(process.env.KEI_OSS_HEAP_MB ? { KEI_OSS_HEAP_MB: process.env.KEI_OSS_HEAP_MB } : {}),
    // The status page cache's size (STATUS_PAGE_CACHE_MB=0: every page rendered), as the operator sets it.
    ...(process.env.STATUS_PAGE_CACHE_MB ? { STATUS_PAGE_CACHE_MB: process.env.STATUS_PAGE_CACHE_MB } : {}),
    ...(o.env ?? {}),
  };
  const child: ChildProcess = spawn(process.execPath, [...(o.nodeArgs ?? startHeapFlags()), CLI, 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolveExit) =>
    child.on('exit', (code) => {
      exited = code;
      resolveExit(code);
    }),
  );
  const baseUrl = `http://127.0.0.1:${o.port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`the server exited with ${exited} while starting:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/__bench/hello`);
      if (res.status === 200) break;
      if (res.status === 404) throw new Error('the server answered 404 on /__bench/hello: is BENCH_ROUTES supported by this build? (npm run build)');
    } catch (e) {
      if ((e as Error).message.includes('BENCH_ROUTES')) {
        child.kill('SIGKILL');
        throw e;
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not answer within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // The answer must have come from our process, not from one that held the port first.
  await new Promise((r) => setTimeout(r, 300));
  if (exited !== undefined) throw new Error(`the server exited with ${String(exited)} after starting:\n${output}`);
  const pid = child.pid!;
  return {
    pid,
    baseUrl,
    env,
    rss: () => processTree(pid).reduce((sum, p) => sum + statusField(p, 'VmRSS'), 0),
    cpuSeconds: () => processTree(pid).reduce((sum, p) => sum + cpuOf(p), 0),
    peak: () => processTree(pid).reduce((sum, p) => sum + statusField(p, 'VmHWM'), 0),
    resetPeak: () => {
      // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0).
      for (const p of processTree(pid)) {
        try {
          writeFileSync(`/proc/${p}/clear_refs`, '5');
        } catch {
          /* not permitted: the sampled peak still counts */
        }
      }
    },
    async stop() {
      if (exited !== undefined) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
    output: () => output,
  };
}
