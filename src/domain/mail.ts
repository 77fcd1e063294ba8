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
  readonly updatedAt: Date;
}

/** Whether mail about the application may go to this address now: confirmed and not unsubscribed. */
export function mayMail(contact: ContactAddress | null): contact is ContactAddress {
  return contact !== null && contact.confirmedAt !== null && contact.unsubscribedAt === null;
}
