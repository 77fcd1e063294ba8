import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message as the sink received it over SMTP, parsed. */
export interface Received {
  readonly messageId: string;
  readonly to: string;
  readonly parsed: ParsedMail;
  readonly raw: string;
  /** When it was accepted, after parsing (Date.now()). */
  readonly at: number;
  /** When its DATA ended (Date.now()), before parsing: the moment the sender had written all of it. */
  readonly dataEndedAt: number;
}

/**
 * A real SMTP server (smtp-server) on a loopback port, for the tests: it keeps and parses every
 * message it accepts, can refuse recipients with a 5xx reply, and can be stopped and started again
 * on the same port (an outage).
 */
export async function startSmtpSink(options: { port?: number; refuse?: (to: string) => boolean } = {}) {
  const received: Received[] = [];
  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (options.refuse?.(address.address)) {
          const e = new Error('5.1.1 no such user') as Error & { responseCode: number };
          e.responseCode = 550;
          callback(e);
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const dataEndedAt = Date.now();
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (parsed) => {
              received.push({ messageId: parsed.messageId ?? '', to: session.envelope.rcptTo.map((r) => r.address).join(','), parsed, raw, at: Date.now(), dataEndedAt });
              callback();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });
  const withErrors = (s: SMTPServer) => {
    // A client that dies mid-connection (a SIGKILLed server) resets its socket: not the sink's problem.
    s.on('error', () => undefined);
    return s;
  };
  let server = withErrors(make());
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
  const port = await listen(options.port ?? 0);
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** An outage: the port refuses connections until start(). */
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async start() {
      server = withErrors(make());
      await listen(port);
    },
  };
}

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;
