import { ok, refuse, type Result } from './result.js';

/**
 * Mail as the domain knows it (issue 15): the kinds of message, the outbox's states and the
 * 連絡先メールアドレス. Pure data: what is sent when is decided in src/domain/mail-content.ts.
 */

/** Every kind of mail; an account's mails (利用者ID, issue 16) use kinds of their own. */
export type MailKind = string;

export type OutboxState = 'queued' | 'sent' | 'failed';
export const outboxStateLabels: Record<OutboxState, string> = { queued: '送信待ち', sent: '送信済', failed: '送信失敗' };

/** A message as the caller hands it to the outbox. */
export interface MailDraft {
  readonly kind: MailKind;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** One mail per key, ever: a second enqueue with the same key is a no-op. */
  readonly dedupeKey: string;
  readonly applicationId?: string | null | undefined;
  readonly accountId?: string | null | undefined;
  /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** A message in the outbox. */
export interface OutboxMessage {
  readonly id: string;
  readonly applicationId: string | null;
  readonly accountId: string | null;
  readonly kind: MailKind;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly messageId: string;
  readonly dedupeKey: string;
  readonly seq: number;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
}

/** 連絡先メールアドレス of an application. */
export interface ContactAddress {
  readonly applicationId: string;
  readonly address: string;
  readonly confirmedAt: Date | null;
  readonly tokenHash: string | null;
  readonly tokenExpiresAt: Date | null;
  readonly unsubscribedAt: Date | null;
  readonly unsubscribeToken: string;
  readonly updatedAt: Date;
}

/** The longest address SMTP carries (RFC 5321: a path of 256 octets, less the angle brackets). */
export const MAX_ADDRESS_LENGTH = 254;

/** The form of an address the HTML standard's <input type="email"> accepts (local part, @, a host of labels). */
const ADDRESS = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/**
 * A 連絡先メールアドレス as typed: trimmed, one bare address (no display name, no line break, no
 * second address). Empty input is null (no address). Refused with the message the form shows.
 */
export function validateContactAddress(input: string): Result<string | null> {
  const value = input.trim();
  if (value === '') return ok(null);
  if (/[\r\n]/.test(value)) return refuse('invalidInput', 'メールアドレスに改行は使えません。メールアドレスを1つだけ入力してください。');
  if (value.length > MAX_ADDRESS_LENGTH) return refuse('invalidInput', `メールアドレスは${MAX_ADDRESS_LENGTH}文字以内で入力してください。`);
  if (/[<>"\s,;()]/.test(value)) return refuse('invalidInput', 'メールアドレスだけを入力してください（名前や「<」「>」、空白、複数のアドレスは入力できません。例：info@example.jp）。');
  if (!ADDRESS.test(value)) return refuse('invalidInput', 'メールアドレスの形式が正しくありません。半角英数字で入力してください（例：info@example.jp）。');
  return ok(value);
}

/** An address as a clerk's screen shows it: `ab***@example.jp`. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '***';
  return `${address.slice(0, Math.min(2, at))}***${address.slice(at)}`;
}

/** Whether mail about the application may go to this address now: confirmed and not unsubscribed. */
export function mayMail(contact: ContactAddress | null): contact is ContactAddress {
  return contact !== null && contact.confirmedAt !== null && contact.unsubscribedAt === null;
}
