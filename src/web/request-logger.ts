import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Each request's logger (`req.log`), made only when the request first writes a line (issue 18).
 *
 * Fastify gives every request a child logger bound to its request id. Pino builds a child's
 * bindings eagerly, through the redaction of every wildcard path (`*.password`, `*.name`, … in
 * src/logger.ts), even for the one binding `requestId`: measured on the status page, that was 16 %
 * of all the memory a request allocates, for a logger that logs nothing at `LOG_LEVEL=warn` (most
 * requests log nothing at any level above `info`). This one asks the parent whether a level is
 * enabled and makes the real child (pino's, with the same bindings, so the same line and the same
 * redaction) at the first line it must write; a request that writes nothing never makes it.
 * A route with its own log level or serializers gets pino's child at once.
 */
class RequestLogger {
  readonly #parent: Logger;
  readonly #bindings: Bindings;
  #child: Logger | null = null;

  constructor(parent: Logger, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  #made(): Logger {
    return (this.#child ??= this.#parent.child(this.#bindings));
  }

  /** The level of the parent (pino's child inherits it), or of the child once made. */
  get level(): string {
    return (this.#child ?? this.#parent).level;
  }

  set level(level: string) {
    this.#made().level = level;
  }

  #write(method: LogMethod, args: unknown[]): void {
    const child = this.#child ?? (this.#parent.isLevelEnabled(method) ? this.#made() : null);
    if (child) (child[method] as (...a: unknown[]) => void).apply(child, args);
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.#made().child(bindings, options);
  }

  bindings(): Bindings {
    return this.#child ? this.#child.bindings() : { ...this.#parent.bindings(), ...this.#bindings };
  }
}

/** Fastify's `childLoggerFactory`: the request's logger, made at its first line (see RequestLogger). */
export function requestLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  if (options.level !== undefined || options.serializers !== undefined) return logger.child(bindings, options);
  // The app's logger is pino's (buildApp's `logger`).
  return new RequestLogger(logger as Logger, bindings);
}
