import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, mib, RESULTS_DIR, timestamp, type MachineInfo } from './common.js';
import type { PhaseResult } from './load.js';

/** Results as JSON (everything) and Markdown (the table), under bench/results/. */

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export interface ScenarioSummary {
  readonly key: string;
  readonly title: string;
  readonly runs: number;
  readonly requestsPerSecond: number;
  readonly requestsPerSecondEach: number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly peakRssMb: number;
  readonly serverCpuMicrosPerRequest: number;
  /** PostgreSQL's CPU a request (its server on this machine), median; null on SQLite. */
  readonly databaseCpuMicrosPerRequest: number | null;
  readonly serverCores: number;
  readonly loadGeneratorCores: number;
  readonly unexpected: number;
  readonly statusCodes: Record<string, number>;
}

export function summarise(phases: readonly PhaseResult[]): ScenarioSummary[] {
  const keys = [...new Set(phases.map((p) => p.key))];
  return keys.map((key) => {
    const ps = phases.filter((p) => p.key === key);
    const codes: Record<string, number> = {};
    for (const p of ps) for (const [c, n] of Object.entries(p.statusCodes)) codes[c] = (codes[c] ?? 0) + n;
    return {
      key,
      title: ps[0]!.title,
      runs: ps.length,
      requestsPerSecond: Math.round(median(ps.map((p) => p.requestsPerSecond))),
      requestsPerSecondEach: ps.map((p) => p.requestsPerSecond),
      p50Ms: median(ps.map((p) => p.latencyMs.p50)),
      p99Ms: median(ps.map((p) => p.latencyMs.p99)),
      peakRssMb: Math.round(Math.max(...ps.map((p) => p.peakRssBytes)) / 1024 ** 2),
      serverCpuMicrosPerRequest: Math.round(median(ps.map((p) => p.serverCpuMicrosPerRequest))),
      databaseCpuMicrosPerRequest: ps.every((p) => p.databaseCpuMicrosPerRequest !== null) ? Math.round(median(ps.map((p) => p.databaseCpuMicrosPerRequest!))) : null,
      serverCores: median(ps.map((p) => p.serverCores)),
      loadGeneratorCores: median(ps.map((p) => p.loadGeneratorCores)),
      unexpected: ps.reduce((a, p) => a + p.unexpected, 0),
      statusCodes: codes,
    };
  });
}

/** status ÷ ceiling in each repetition (both measured in that repetition, on one server). */
export function ratios(phases: readonly PhaseResult[], repeatOf: (p: PhaseResult) => number): number[] {
  const out: number[] = [];
  const reps = [...new Set(phases.map(repeatOf))];
  for (const r of reps) {
    const c = phases.find((p) => p.key === 'ceiling' && repeatOf(p) === r);
    const s = phases.find((p) => p.key === 'status' && repeatOf(p) === r);
    if (c && s && c.requestsPerSecond > 0) out.push(Math.round((s.requestsPerSecond / c.requestsPerSecond) * 1000) / 10);
  }
  return out;
}

export function markdownTable(rows: readonly ScenarioSummary[]): string {
  const lines = [
    '| scenario | requests/s (median) | each run | p50 ms | p99 ms | peak RSS MB | server CPU µs/request | server cores used | load generator cores | unexpected responses |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(`| ${r.title} | ${r.requestsPerSecond.toLocaleString('en')} | ${r.requestsPerSecondEach.map((n) => n.toLocaleString('en')).join(', ')} | ${r.p50Ms} | ${r.p99Ms} | ${r.peakRssMb} | ${r.serverCpuMicrosPerRequest.toLocaleString('en')} | ${r.serverCores} | ${r.loadGeneratorCores} | ${r.unexpected}${r.unexpected ? ` (${Object.entries(r.statusCodes).map(([c, n]) => `${c}: ${n}`).join(', ')})` : ''} |`);
  }
  return lines.join('\n');
}

export function machineLines(m: MachineInfo): string[] {
  return [
    `- machine: ${m.cores} cores (${m.cpuModel}), ${mib(m.memoryBytes)} memory, ${m.platform}, Linux ${m.kernel}`,
    `- Node.js ${m.node}; commit ${m.gitCommit ?? 'unknown'}${m.gitDirty ? ' (with uncommitted changes)' : ''}`,
  ];
}

/** Writes NAME.json and NAME.md under bench/results/ (and latest-KIND.* copies). */
export function save(kind: string, json: unknown, markdown: string): { json: string; md: string } {
  ensureDir(RESULTS_DIR);
  const base = join(RESULTS_DIR, `${timestamp()}-${kind}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${base}.md`, `${markdown}\n`);
  copyFileSync(`${base}.json`, join(RESULTS_DIR, `latest-${kind}.json`));
  copyFileSync(`${base}.md`, join(RESULTS_DIR, `latest-${kind}.md`));
  return { json: `${base}.json`, md: `${base}.md` };
}
