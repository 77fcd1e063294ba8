import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * The V8 heap limits of `kei-oss serve` (issue 18, decision 0016).
 *
 * V8 sizes its heap when the process starts (`v8.setFlagsFromString` afterwards changes nothing,
 * measured), and with Node's defaults it lets the heap grow with the machine's memory: a server
 * under load then holds far more than it needs. `npm start` gives node those limits itself (one
 * process); `kei-oss serve` run directly starts itself again with the limits measured in
 * docs/benchmarks.md, unless the operator already chose: `--max-old-space-size` or
 * `--max-semi-space-size` in NODE_OPTIONS, any flag given to node itself (`node --inspect …`: the
 * operator runs node by hand), or `KEI_OSS_HEAP_MB` (a number of MB for the old space, or `off`
 * for Node's defaults).
 *
 * Only Node's built-in modules are imported here: the first process stays small, about 6 MB of its
 * own besides the node binary it shares with the server. (Node 22.15+ has an experimental
 * `process.execve`, which would need no second process; Node 20, which this project supports and
 * measures on, has none, so one way for all.)
 */

/** The old space (MB) and semi-space (MB) measured for the status page's load (docs/benchmarks.md). */
export const DEFAULT_OLD_SPACE_MB = 128;
export const DEFAULT_SEMI_SPACE_MB = 2;

const HEAP_FLAG = /--max[-_](old|semi)[-_]space[-_]size/;

export type HeapDecision = { readonly flags: readonly string[] } | { readonly flags: null; readonly why: string } | { readonly error: string };

/** The heap flags the operator's settings ask for: null for Node's own limits. */
function wantedFlags(env: Readonly<Record<string, string | undefined>>): { readonly flags: readonly string[] | null; readonly why: string } | { readonly error: string } {
  const setting = (env.KEI_OSS_HEAP_MB ?? '').trim();
  if (setting.toLowerCase() === 'off') return { flags: null, why: 'KEI_OSS_HEAP_MB=off' };
  if (HEAP_FLAG.test(env.NODE_OPTIONS ?? '')) return { flags: null, why: 'NODE_OPTIONS sets the heap' };
  let oldSpace = DEFAULT_OLD_SPACE_MB;
  if (setting !== '') {
    if (!/^\d{1,6}$/.test(setting) || Number(setting) < 64) return { error: `KEI_OSS_HEAP_MB must be a whole number of MB, at least 64, or off (was ${JSON.stringify(setting)})` };
    oldSpace = Number(setting);
  }
  return { flags: [`--max-old-space-size=${oldSpace}`, `--max-semi-space-size=${DEFAULT_SEMI_SPACE_MB}`], why: '' };
}

/**
 * The flags `serve` should start again with, or why it runs here (pure: tested in test/cli).
 * `npm start` gives node the default flags itself (package.json), so it runs one process: flags
 * already in effect are not started again. Node started with heap flags only (as by `npm start`)
 * but other settings asked for (KEI_OSS_HEAP_MB, NODE_OPTIONS's heap flags) starts again with
 * those; node started with any other flag of its own is left alone.
 */
export function heapFlags(env: Readonly<Record<string, string | undefined>>, execArgv: readonly string[]): HeapDecision {
  const wanted = wantedFlags(env);
  if ('error' in wanted) return wanted;
  if (execArgv.length === 0) return wanted.flags ? { flags: wanted.flags } : { flags: null, why: wanted.why };
  if (!execArgv.every((flag) => HEAP_FLAG.test(flag))) return { flags: null, why: 'node was started with flags of its own' };
  const same = wanted.flags !== null && wanted.flags.length === execArgv.length && wanted.flags.every((flag) => execArgv.includes(flag));
  if (same) return { flags: null, why: 'the heap flags are already in effect' };
  return { flags: wanted.flags ?? [] };
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * For `serve` (not its --help): starts the same command again under the heap limits and returns
 * true (this process then only waits for it, passes on SIGTERM/SIGINT/SIGHUP and exits with its
 * code), or returns false to run the command here. Throws on a bad KEI_OSS_HEAP_MB.
 */
export function relaunchWithHeapLimits(argv: readonly string[]): boolean {
  if (argv[0] !== 'serve' || argv.includes('--help') || argv.includes('-h')) return false;
  const decision = heapFlags(process.env, process.execArgv);
  if ('error' in decision) throw new Error(decision.error);
  if (decision.flags === null) return false;
  const script = process.argv[1]!;
  const args = [...decision.flags, script, ...argv];
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, KEI_OSS_PARENT_PID: String(process.pid) } });
  for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1);
  });
  child.on('error', (err) => {
    console.error(`kei-oss: could not start the server: ${err.message}`);
    process.exitCode = 1;
  });
  return true;
}

/**
 * In the server started by `relaunchWithHeapLimits`: if the first process is gone (killed with
 * SIGKILL, which cannot be passed on), stop as on SIGTERM rather than serve on unsupervised.
 */
export function stopWhenOrphaned(): void {
  const parent = Number(process.env.KEI_OSS_PARENT_PID);
  if (!parent) return;
  delete process.env.KEI_OSS_PARENT_PID;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 1000).unref();
}
