/**
 * npm run bench:profile -- [--scenario status] [--applications 1000000] [--duration 20]
 *
 * The production server under `node --cpu-prof`, loaded with one scenario; then a summary of where
 * its CPU time went (by area and by function).
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDir, parseCount, RESULTS_DIR, timestamp } from './lib/common.js';
import { formatSummary, summariseProfile } from './lib/cpuprofile.js';
import { machineLines, markdownTable, save } from './lib/report.js';
import { SCENARIO_KEYS, type ScenarioKey } from './lib/scenarios.js';
import { defaultDatabase, runSuite } from './lib/suite.js';
import { LOAD_OPTIONS, loadSettings, runMain } from './lib/cli.js';
import { startHeapFlags } from './lib/server.js';

const HELP = `Usage: npm run bench:profile -- [options]

Starts the production server with node --cpu-prof, measures one scenario (as npm run bench does),
stops the server (which writes the profile) and prints where the server's CPU time went: self time
by area (our folders, each package, Node's internals, garbage collection) and by function, for the
measurement alone (the profile's last seconds) and for the whole process (with start-up and the
first views that render and keep each status page).
The profile is kept in bench/results/profiles/ (open it in Chrome DevTools › Performance, or
https://www.speedscope.app); the summary is saved as bench/results/<time>-profile.md.

Options:
  --scenario S      ${SCENARIO_KEYS.join(' | ')} (default status)
  --applications N  use data/bench/bench-N.sqlite (default 1000000)
  --db FILE         another SQLite file
  --duration S      measured seconds (default 20)
  --warmup S        (default 3)
  --connections C   (default 64)
  --sessions K      (default 10000)
  --contacts S      the share of those applications (0 to 1) given a confirmed 連絡先メールアドレス of
                    their own for the run, as applicants register one (default 0; removed after the run)
  --port P          (default: a free port)
  -h, --help        this help

Profiling slows the server a little; take throughput from npm run bench, not from here.`;

/** One run only: the profile covers the whole process, so there is no --repeat. */
const { repeat: _repeat, ...PROFILE_LOAD_OPTIONS } = LOAD_OPTIONS;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      applications: { type: 'string' },
      db: { type: 'string' },
      ...PROFILE_LOAD_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const scenario = (values.scenario ?? 'status') as ScenarioKey;
  if (!SCENARIO_KEYS.includes(scenario)) throw new Error(`--scenario: unknown ${scenario}`);
  const applications = parseCount(values.applications ?? '1000000', '--applications');
  const dir = join(RESULTS_DIR, 'profiles');
  ensureDir(dir);
  const name = `${timestamp()}-${scenario}.cpuprofile`;
  const result = await runSuite({
    database: values.db ?? defaultDatabase(applications),
    generateApplications: values.db ? null : applications,
    scenarios: [scenario],
    ...(await loadSettings(values, 20)),
    repeat: 1,
    workers: 1,
    // The heap flags of npm start, with the profiler's.
    nodeArgs: [...startHeapFlags(), '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', name],
    build: true,
    log: (l) => console.log(l),
  });
  const file = join(dir, name);
  if (!readdirSync(dir).includes(name)) throw new Error(`no profile was written at ${file}`);
  // The whole process, and the measurement alone: its last seconds (the server stops right after it).
  const summary = summariseProfile(file, [], 30);
  const measured = result.options.seconds;
  const during = summariseProfile(file, [], 30, measured + 1);
  const md = [
    `# npm run bench:profile — ${result.startedAt}`,
    '',
    ...machineLines(result.machine),
    `- before: \`${result.uptimeBefore}\``,
    `- command: \`${process.env.NODE_OPTIONS ? `NODE_OPTIONS='${process.env.NODE_OPTIONS}' ` : ''}npm run bench:profile -- ${process.argv.slice(2).join(' ')}\``,
    `- profile: bench/results/profiles/${name} (the whole server process: start-up, warm-up and the measurement)`,
    '',
    markdownTable(result.summary),
    '',
    `## The measurement alone (the profile's last ${measured + 1} s: ${measured} s measured and the stop)`,
    '',
    formatSummary(during),
    '',
    '## The whole process (start-up, the first views that render and keep each page, warm-up, the measurement)',
    '',
    formatSummary(summary),
  ].join('\n');
  const files = save(`profile-${scenario}`, { result, summary, during }, md);
  // Older profiles are large; keep the last five.
  const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  for (const old of profiles.slice(0, -5)) rmSync(join(dir, old), { force: true });
  console.log(`\n${md}\n\nsaved ${files.json} and ${files.md}`);
  return 0;
}

runMain('bench:profile', main);
