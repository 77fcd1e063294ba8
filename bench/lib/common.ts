import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DATA_DIR = join(ROOT, 'data/bench');
export const RESULTS_DIR = join(ROOT, 'bench/results');

/** `1000000`, `1,000,000`, `1e6`, `1M`, `10m`, `100k`. */
export function parseCount(text: string, name: string): number {
  const t = text.trim().replace(/[,_]/g, '').toLowerCase();
  const m = /^(\d+(?:\.\d+)?)(k|m|e\d+)?$/.exec(t);
  if (!m) throw new Error(`${name}: not a count: ${text}`);
  const base = Number(m[1]);
  const mult = m[2] === 'k' ? 1e3 : m[2] === 'm' ? 1e6 : m[2]?.startsWith('e') ? 10 ** Number(m[2].slice(1)) : 1;
  const n = Math.round(base * mult);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}: not a count: ${text}`);
  return n;
}

/** The file `npm run bench:data -- --applications N` writes by default. */
export function defaultDatabasePath(applications: number, due = 0): string {
  return join(DATA_DIR, `bench-${applications}${due > 0 ? `-due${due}` : ''}.sqlite`);
}

export function ensureDir(path: string): void {
  mkdirSync(path, { recursive: true });
}

export function freeBytes(path: string): number {
  ensureDir(path);
  const s = statfsSync(path);
  return s.bavail * s.bsize;
}

export const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
export const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly freeMemoryBytes: number;
  readonly node: string;
  readonly platform: string;
  readonly kernel: string;
  readonly gitCommit: string | null;
  readonly gitDirty: boolean | null;
}

export function machineInfo(): MachineInfo {
  let kernel: string;
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    kernel = process.platform;
  }
  let gitCommit: string | null = null;
  let gitDirty: boolean | null = null;
  try {
    gitCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    gitDirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
  } catch {
    /* not a git checkout */
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    kernel,
    gitCommit,
    gitDirty,
  };
}

/** The 1-, 5- and 15-minute load averages (what `uptime` prints). */
export function load(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [round2(a ?? 0), round2(b ?? 0), round2(c ?? 0)];
}

export const round2 = (n: number) => Math.round(n * 100) / 100;
export const round1 = (n: number) => Math.round(n * 10) / 10;

export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}
