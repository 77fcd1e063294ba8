import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile (node --cpu-prof) that a summary needs. */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileLine {
  readonly name: string;
  readonly ms: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly file: string;
  /** Sampled time, idle excluded. */
  readonly busyMs: number;
  readonly idleMs: number;
  /** Self time by area: our code by folder, each package, Node's internals, GC. */
  readonly byArea: readonly ProfileLine[];
  /** Self time by function. */
  readonly byFunction: readonly ProfileLine[];
  /** Inclusive (total) time of chosen functions: where a request's time goes, callees included. */
  readonly inclusive: readonly ProfileLine[];
}

/** Where a frame comes from: `src/web`, `preact-render-to-string`, `node:internal`, `(garbage collector)`. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return '(native)';
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const ours = /\/(src\/[^/]+|bench)\//.exec(url);
  if (ours) return ours[1]!;
  if (url.startsWith('node:')) return 'node (internals)';
  return url.replace(/^file:\/\//, '');
}

const shortUrl = (url: string) => url.replace(/^file:\/\/.*?\/(node_modules|src|dist|bench)\//, '$1/');

/**
 * Summarises a .cpuprofile: self time by area and by function, and inclusive time for functions
 * whose name matches `inclusiveNames` (e.g. the route handler, the renderer, the session lookup).
 */
/** `lastSeconds`: only the samples of the profile's last seconds (the measurement, not start-up and first views); null: all. */
export function summariseProfile(file: string, inclusiveNames: readonly RegExp[] = [], top = 25, lastSeconds: number | null = null): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  const total = p.timeDeltas.reduce((sum, d) => sum + d, 0);
  const from = lastSeconds === null ? -Infinity : total - lastSeconds * 1e6;
  let at = 0;
  for (let i = 0; i < p.samples.length; i++) {
    at += p.timeDeltas[i] ?? 0;
    if (at < from) continue;
    const id = p.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  let idleMs = 0;
  let busyMs = 0;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const fn = `${functionName || '(anonymous)'} ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
    // Inclusive: charge this sample to each matching function on its stack, once per function.
    if (inclusiveNames.length > 0) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        for (const re of inclusiveNames) {
          const label = `${f.functionName} ${shortUrl(f.url)}`.trim();
          if (re.test(label) && !seen.has(re.source)) {
            seen.add(re.source);
            inclusive.set(re.source, (inclusive.get(re.source) ?? 0) + ms);
          }
        }
      }
    }
  }
  const lines = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: Math.round((ms / busyMs) * 1000) / 10 }));
  return { file, busyMs: Math.round(busyMs), idleMs: Math.round(idleMs), byArea: lines(areas, top), byFunction: lines(functions, top), inclusive: lines(inclusive, inclusiveNames.length) };
}

export function formatSummary(s: ProfileSummary): string {
  const table = (title: string, rows: readonly ProfileLine[]) =>
    [`| ${title} | ms | % of busy |`, '| --- | ---: | ---: |', ...rows.map((r) => `| \`${r.name.replace(/\|/g, '\\|')}\` | ${r.ms} | ${r.percent} |`)].join('\n');
  return [
    `Profile ${s.file}: ${s.busyMs} ms busy, ${s.idleMs} ms idle.`,
    '',
    table('self time by area', s.byArea),
    '',
    ...(s.inclusive.length ? [table('inclusive time (callees included)', s.inclusive), ''] : []),
    table('self time by function', s.byFunction),
  ].join('\n');
}
