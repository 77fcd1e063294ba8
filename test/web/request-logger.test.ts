import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { requestLoggerFactory } from '../../src/web/request-logger.js';

/** A logger of the product's settings writing into an array, and the children it was asked to make. */
function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(level, stream);
  const made: Bindings[] = [];
  // pino's own child (its children inherit this counting one, and call it with themselves as `this`).
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const child = logger.child as unknown as (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) => Logger;
  logger.child = function (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) {
    made.push(bindings);
    return child.call(this, bindings, options);
  } as unknown as Logger['child'];
  return { logger, lines, made };
}

const withoutTime = (line: Record<string, unknown>) => ({ ...line, time: undefined });

describe("each request's logger, made at its first line (issue 18)", () => {
  it('writes nothing and makes no child when nothing is logged at an enabled level', () => {
    const { logger, lines, made } = capture('warn');
    const log = requestLoggerFactory(logger as FastifyBaseLogger, { requestId: 'r-1' }, {});
    log.info({ event: 'x' }, 'not at warn');
    log.debug('nor this');
    log.trace('nor this');
    expect(log.level).toBe('warn');
    expect(lines).toEqual([]);
    expect(made).toEqual([]);
  });

  it("writes exactly pino's child's line, with the request id and the same redaction, at its first enabled line", () => {
    const { logger, lines, made } = capture('info');
    const log = requestLoggerFactory(logger as FastifyBaseLogger, { requestId: 'r-2' }, {});
    const record = { event: 'login', password: 'secret-pass', applicant: { name: '軽 太郎', token: 't' } };
    log.info(record, 'first');
    log.warn('second %s', 'formatted');
    expect(made).toEqual([{ requestId: 'r-2' }]);
    const direct = capture('info');
    const child = direct.logger.child({ requestId: 'r-2' });
    child.info(record, 'first');
    child.warn('second %s', 'formatted');
    expect(lines.map(withoutTime)).toEqual(direct.lines.map(withoutTime));
    expect(lines[0]).toMatchObject({ requestId: 'r-2', msg: 'first', password: '[REDACTED]', applicant: { name: '[REDACTED]', token: '[REDACTED]' } });
    expect(lines[1]).toMatchObject({ requestId: 'r-2', msg: 'second formatted', level: 40 });
  });

  it("gives pino's child at once to a route with its own level, and makes the child for a child of its own", () => {
    const { logger, lines, made } = capture('warn');
    requestLoggerFactory(logger as FastifyBaseLogger, { requestId: 'r-3' }, { level: 'debug' });
    expect(made).toEqual([{ requestId: 'r-3' }]);
    const log = requestLoggerFactory(logger as FastifyBaseLogger, { requestId: 'r-4' }, {});
    log.child({ part: 'mail' }).error('made');
    // The request's child, then its own (pino's children inherit the counting `child`).
    expect(made).toEqual([{ requestId: 'r-3' }, { requestId: 'r-4' }, { part: 'mail' }]);
    expect(lines).toMatchObject([{ requestId: 'r-4', part: 'mail', msg: 'made', level: 50 }]);
  });
});
