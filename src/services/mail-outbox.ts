import type { MailDraft } from '../domain/mail.js';
import type { Tx } from '../store/database.js';
import { mailRepository } from '../store/mail.repository.js';
import { mailSettings, type ServiceDeps } from './context.js';

/**
 * Puts a mail in the outbox inside the caller's transaction: it is sent (by the delivery worker,
 * src/jobs/mail-worker.ts) if and only if that transaction commits. A mail whose dedupeKey is
 * already in the outbox is not added again (returns false). The Message-ID is fixed here, so every
 * attempt to send the mail carries the same one.
 */
export async function enqueueMail(deps: ServiceDeps, tx: Tx, mail: MailDraft): Promise<boolean> {
  const id = deps.ids.id();
  const messageId = `<${id}@${mailSettings(deps).messageIdDomain}>`;
  return mailRepository(tx, deps.database.dialect).enqueue(id, messageId, mail, deps.clock.now());
}

/** `enqueueMail` for many mails about applications at once (a use case that moves many in one transaction). */
export async function enqueueMails(deps: ServiceDeps, tx: Tx, mails: readonly (MailDraft & { applicationId: string })[]): Promise<void> {
  if (mails.length === 0) return;
  const domain = mailSettings(deps).messageIdDomain;
  const rows = mails.map((mail) => {
    const id = deps.ids.id();
    return { id, messageId: `<${id}@${domain}>`, mail };
  });
  await mailRepository(tx, deps.database.dialect).enqueueMany(rows, deps.clock.now());
}
