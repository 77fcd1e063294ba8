import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A `kei-oss` subcommand: its own --help text and options, parsed by node:util. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full help: usage, options, environment, examples (Japanese and English). */
  readonly help: string;
  readonly options?: ParseArgsConfig['options'];
  run(values: Record<string, string | boolean | (string | boolean)[] | undefined>, positionals: string[]): Promise<number>;
}

export class UsageError extends Error {}

export function parse(command: Command, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...(command.options ?? {}) }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const ENVIRONMENT_HELP = `Environment:
  DATABASE_URL   unset: ./data/kei-oss.sqlite; file:/path or a path: that SQLite file; postgres://… : PostgreSQL
  LOG_LEVEL      fatal | error | warn | info (default) | debug | trace | silent`;
