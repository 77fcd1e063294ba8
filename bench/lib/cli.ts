import { parseCount } from './common.js';
import { freePort } from './server.js';

/** The load options every measuring command takes (`parseArgs` spec). */
export const LOAD_OPTIONS = {
  duration: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string' },
  sessions: { type: 'string' },
  contacts: { type: 'string' },
  repeat: { type: 'string' },
  port: { type: 'string' },
} as const;

export interface LoadSettings {
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly sessions: number;
  /** The share of the status page's applications given a confirmed 連絡先メールアドレス for the run (0 to 1). */
  readonly contacts: number;
  readonly repeat: number;
  readonly port: number;
}

type LoadValues = { readonly [K in keyof typeof LOAD_OPTIONS]?: string | undefined };

/** Reads the load options, with each command's measured seconds by default; a free port when none is given. */
export async function loadSettings(values: LoadValues, defaultSeconds: number): Promise<LoadSettings> {
  return {
    seconds: parseCount(values.duration ?? String(defaultSeconds), '--duration'),
    warmupSeconds: parseCount(values.warmup ?? '3', '--warmup'),
    connections: parseCount(values.connections ?? '64', '--connections'),
    sessions: parseCount(values.sessions ?? '10000', '--sessions'),
    contacts: parseShare(values.contacts ?? '0', '--contacts'),
    repeat: Math.max(1, parseCount(values.repeat ?? '1', '--repeat')),
    port: values.port ? parseCount(values.port, '--port') : await freePort(),
  };
}

function parseShare(value: string, flag: string): number {
  const share = Number(value);
  if (value.trim() === '' || !(share >= 0 && share <= 1)) throw new Error(`${flag}: a share between 0 and 1 (was ${JSON.stringify(value)})`);
  return share;
}

/** Runs a command's main: its number is the exit status; an exception is printed with the command's name and exits 1. */
export function runMain(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`${name}: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
    },
  );
}
