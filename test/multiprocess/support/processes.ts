import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TEST_DATABASE_URL } from '../../support/database.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(ROOT, 'src/cli.ts');

/** How long a process started through tsx may take to be ready on a busy 2-core machine. */
export const START_TIMEOUT_MS = 90_000;

/** The test server's URL with the schema (and a name for pg_stat_activity) as connection options. */
export function databaseUrlFor(schema: string, applicationName = 'kei-oss'): string {
  const url = new URL(process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

/** A child process whose output is kept line by line, so a test can wait for a line and read the log. */
export class Child {
  readonly lines: string[] = [];
  private waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;

  constructor(readonly process: ChildProcess) {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => {
          if (!w.test(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    };
    process.stdout?.on('data', onData);
    process.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      process.on('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
    });
  }

  get alive(): boolean {
    return this.exitCode === null && this.exitSignal === null;
  }

  /** The first line (already seen or to come) that passes `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs = START_TIMEOUT_MS): Promise<string> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no such line within ${timeoutMs} ms; output:\n${this.lines.slice(-40).join('\n')}`)), timeoutMs);
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`process exited (${this.exitCode ?? this.exitSignal}) before the line; output:\n${this.lines.slice(-40).join('\n')}`));
      });
      this.waiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  /** pino lines as objects (other lines skipped). */
  logs(): Record<string, unknown>[] {
    return this.lines.flatMap((l) => {
      try {
        const v = JSON.parse(l) as unknown;
        return v && typeof v === 'object' ? [v as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  }

  /** Stops it (SIGTERM, then SIGKILL after `graceMs`) and waits for the exit. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** `node --import tsx <script> …args` with the given environment (nothing inherited but PATH and HOME). */
export function startScript(script: string, args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TZ: 'UTC', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new Child(child);
}

export interface ServerProcess {
  readonly child: Child;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * `kei-oss serve` in a real process (the CLI, through tsx), listening on a free port of 127.0.0.1.
 * Resolves once it listens. With `--workers N`, waits for the primary's "kei-oss is listening".
 */
export async function startServer(env: Record<string, string>, args: string[] = []): Promise<ServerProcess> {
  const child = startScript(CLI, ['serve', ...args], {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DEMO_DATA: 'off',
    SWEEP_INTERVAL_SECONDS: '0',
    ...env,
  });
  const clustered = args.includes('--workers') || Number(env.WORKERS ?? '1') > 1;
  const line = await child.waitForLine((l) => (clustered ? l.includes('"kei-oss is listening"') : l.includes('Server listening at http://127.0.0.1:')));
  const port = clustered ? /"url":"http:\/\/127\.0\.0\.1:(\d+)\//.exec(line)?.[1] : /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1];
  if (!port) throw new Error(`no port in: ${line}`);
  return { child, url: `http://127.0.0.1:${port}`, stop: () => child.stop() };
}
