import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type NodemailerError, type SendMailOptions } from 'nodemailer';
import type { Logger } from 'pino';
import type { OutboxMessage } from '../domain/mail.js';

export interface MailTransportConfig {
  /** SMTP_URL (`smtp://…` with STARTTLS when offered, `smtps://…` TLS from the start); null: .eml files. */
  readonly smtpUrl: string | null;
  /** SMTP_RATE: messages a second at most, over the pool's connections. */
  readonly smtpRate: number;
  /** SMTP_CONNECTIONS: the pool's connections to the relay (default 10): a batch's mails go over them at once. */
  readonly smtpConnections?: number | undefined;
  /** Where the .eml files go without SMTP_URL (data/mail). */
  readonly mailDir: string;
  /** MAIL_FROM. */
  readonly from: string;
}

/** Connections of the SMTP pool unless SMTP_CONNECTIONS says otherwise. */
export const DEFAULT_SMTP_CONNECTIONS = 10;

/** How a send ended when it did not succeed: a permanent refusal (SMTP 5xx) is never retried. */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface MailTransport {
  /** Where mail goes, for the log (never a password). */
  readonly description: string;
  /** Sends one message; throws MailSendError. */
  send(message: OutboxMessage): Promise<void>;
  close(): void;
}

function options(message: OutboxMessage, from: string): SendMailOptions {
  return {
    from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    // The time the mail was written (with its change), the same at every attempt.
    date: message.createdAt,
    headers: { ...message.headers },
  };
}

function toSendError(err: unknown): MailSendError {
  const e = err as NodemailerError;
  const text = e.response ?? e.message;
  return new MailSendError(String(text).slice(0, 500), e.permanent === true);
}

/**
 * nodemailer over SMTP (pooled connections, the configured rate, short timeouts so a dead server
 * fails a send fast and the worker backs off), or — without SMTP_URL — nodemailer's stream
 * transport writing each message to `<mailDir>/<Message-ID>.eml` (a resend overwrites its file).
 */
export function createMailTransport(config: MailTransportConfig, logger: Logger): MailTransport {
  if (config.smtpUrl) {
    const transporter = nodemailer.createTransport({
      url: config.smtpUrl,
      pool: true,
      maxConnections: config.smtpConnections ?? DEFAULT_SMTP_CONNECTIONS,
      rateLimit: config.smtpRate,
      rateDelta: 1000,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    const url = new URL(config.smtpUrl);
    return {
      description: `${url.protocol}//${url.host}`,
      async send(message) {
        try {
          await transporter.sendMail(options(message, config.from));
        } catch (err) {
          throw toSendError(err);
        }
      },
      close: () => transporter.close(),
    };
  }
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: `files in ${config.mailDir}`,
    async send(message) {
      try {
        const info = await transporter.sendMail(options(message, config.from));
        await mkdir(config.mailDir, { recursive: true });
        const path = join(config.mailDir, `${message.messageId.replace(/[<>]/g, '').replace(/[^\w.@-]/g, '_')}.eml`);
        await writeFile(path, info.message as Buffer);
        logger.info({ path, kind: message.kind }, 'mail written');
      } catch (err) {
        throw toSendError(err);
      }
    },
    close: () => transporter.close(),
  };
}
