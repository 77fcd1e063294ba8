/**
 * npm run bench:scale -- [--sizes 10000,100000,1000000,10000000] [options]
 *
 * The status-page measurement (with the ceiling, in the same run) on databases of growing size:
 * every lookup is by index, so the cost should stay flat.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDatabasePath, freeBytes, gib, parseCount } from './lib/common.js';
import { machineLines, save } from './lib/report.js';
import { runSuite, uptime, type SuiteResult } from './lib/suite.js';
import { LOAD_OPTIONS, loadSettings, runMain } from './lib/cli.js';

const HELP = `Usage: npm run bench:scale -- [options]

For each size, uses data/bench/bench-N.sqlite (generated first when missing, if the disk has room),
starts the production server on it, and measures the ceiling and the status page (as npm run bench
does), then compares the status page's throughput at the largest size with the smallest.

Options:
  --sizes LIST      application counts (default 10000,100000,1000000,10000000)
  --duration S      measured seconds per scenario (default 10)
  --warmup S        unmeasured seconds before each (default 3)
  --connections C   (default 64)
  --sessions K      applications the status page rotates over (default 10000)
  --contacts S      the share of those applications (0 to 1) given a confirmed 連絡先メールアドレス of
                    their own for the run, as applicants register one (default 0; removed after the run)
  --repeat R        measurements per size; the table shows the median (default 1)
  --port P          (default: a free port)
  --no-generate     measure only the sizes whose file exists
  -h, --help        this help

About 6 KB of disk an application: 10,000,000 applications take about 60 GB and several minutes to
generate (npm run bench:data -- --applications 10M). A size the disk cannot hold is skipped, and said so.`;

interface Row {
  readonly applications: number;
  readonly bytes: number | null;
  readonly ceiling: number | null;
  readonly status: number | null;
  readonly ratio: number | null;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly peakRssMb: number | null;
  readonly statusCpuMicros: number | null;
  readonly loadBefore: number[];
  readonly skipped?: string;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      ...LOAD_OPTIONS,
      'no-generate': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const sizes = (values.sizes ?? '10000,100000,1000000,10000000').split(',').map((s) => parseCount(s, '--sizes'));
  const startedAt = new Date().toISOString();
  const uptimeBefore = uptime();
  const rows: Row[] = [];
  const runs: SuiteResult[] = [];
  for (const n of sizes) {
    const file = defaultDatabasePath(n);
    console.log(`\n== ${n.toLocaleString('en')} applications (${file})`);
    if (!existsSync(file)) {
      const need = n * 6000 * 1.3;
      const free = freeBytes(dirname(file));
      const why = values['no-generate'] ? 'no data file (--no-generate)' : free < need ? `disk too small: about ${gib(need)} needed, ${gib(free)} free` : null;
      if (why) {
        console.log(`skipped: ${why}`);
        rows.push({ applications: n, bytes: null, ceiling: null, status: null, ratio: null, p50: null, p99: null, peakRssMb: null, statusCpuMicros: null, loadBefore: [], skipped: why });
        continue;
      }
    }
    const r = await runSuite({
      database: file,
      generateApplications: n,
      scenarios: ['ceiling', 'status'],
      ...(await loadSettings(values, 10)),
      workers: 1,
      build: rows.length === 0,
      log: (l) => console.log(l),
    });
    runs.push(r);
    const c = r.summary.find((s) => s.key === 'ceiling');
    const s = r.summary.find((x) => x.key === 'status');
    rows.push({
      applications: n,
      bytes: r.database.bytes,
      ceiling: c?.requestsPerSecond ?? null,
      status: s?.requestsPerSecond ?? null,
      ratio: r.statusToCeiling.median,
      p50: s?.p50Ms ?? null,
      p99: s?.p99Ms ?? null,
      peakRssMb: s?.peakRssMb ?? null,
      statusCpuMicros: s?.serverCpuMicrosPerRequest ?? null,
      loadBefore: r.phases.find((p) => p.key === 'status')?.loadBefore ?? [],
    });
  }
  const measured = rows.filter((r) => r.status !== null);
  const first = measured[0];
  const last = measured[measured.length - 1];
  const change = first && last && first !== last ? Math.round(((last.status! - first.status!) / first.status!) * 1000) / 10 : null;
  const changeOfRatio = first && last && first !== last && first.ratio && last.ratio ? Math.round((last.ratio - first.ratio) * 10) / 10 : null;
  const md = [
    `# npm run bench:scale — ${startedAt}`,
    '',
    ...(runs[0] ? machineLines(runs[0].machine) : []),
    `- before: \`${uptimeBefore}\``,
    `- after: \`${uptime()}\``,
    `- command: \`${process.env.NODE_OPTIONS ? `NODE_OPTIONS='${process.env.NODE_OPTIONS}' ` : ''}npm run bench:scale -- ${process.argv.slice(2).join(' ')}\``,
    '',
    '| applications | file | ceiling req/s | status page req/s | status ÷ ceiling | p50 ms | p99 ms | peak RSS MB | server CPU µs per status page | load (1 min) before |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) =>
      r.skipped
        ? `| ${r.applications.toLocaleString('en')} | – | – | – | – | – | – | – | – | skipped: ${r.skipped} |`
        : `| ${r.applications.toLocaleString('en')} | ${r.bytes ? gib(r.bytes) : '–'} | ${r.ceiling?.toLocaleString('en')} | ${r.status?.toLocaleString('en')} | ${r.ratio} % | ${r.p50} | ${r.p99} | ${r.peakRssMb} | ${r.statusCpuMicros?.toLocaleString('en')} | ${r.loadBefore[0] ?? ''} |`,
    ),
    '',
    change !== null && first && last
      ? `- status page at ${last.applications.toLocaleString('en')} vs ${first.applications.toLocaleString('en')} applications: ${change > 0 ? '+' : ''}${change} % in requests a second (${changeOfRatio !== null ? `${changeOfRatio > 0 ? '+' : ''}${changeOfRatio} points of the ceiling` : ''}) — target within 15 %: ${Math.abs(change) <= 15 ? 'met' : 'missed'}`
      : '- fewer than two sizes measured: no comparison',
    ...(first && last && first !== last && first.statusCpuMicros && last.statusCpuMicros
      ? [`- server CPU per status page at ${last.applications.toLocaleString('en')} vs ${first.applications.toLocaleString('en')}: ${last.statusCpuMicros} µs vs ${first.statusCpuMicros} µs (${Math.round(((last.statusCpuMicros - first.statusCpuMicros) / first.statusCpuMicros) * 1000) / 10} %): the cost of one page, whatever else the machine runs`]
      : []),
  ].join('\n');
  const files = save('scale', { startedAt, rows, runs }, md);
  console.log(`\n${md}\n\nsaved ${files.json} and ${files.md}`);
  return 0;
}

runMain('bench:scale', main);
