import { createHash, randomBytes } from 'node:crypto';
import type { Application } from '../domain/application.js';
import type { Transition } from '../domain/events.js';
import { applyExpiry, type Expiry } from '../domain/expiry.js';
import { maskAddress, mayMail, validateContactAddress, type ContactAddress, type MailDraft, type OutboxMessage } from '../domain/mail.js';
import { expiryMails, mailForTransition, reminderDue, renderApplicationMail, renderConfirmationMail, type MailLinks, type MailNaming } from '../domain/mail-content.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { addBusinessDays, deadlinePassesAt, japanDateOf } from '../domain/time.js';
import { applicationRepository } from '../store/applications.repository.js';
import type { Tx } from '../store/database.js';
import { mailRepository } from '../store/mail.repository.js';
import { mailSettings, transaction, type ServiceDeps } from './context.js';
import { enqueueMail, enqueueMails } from './mail-outbox.js';

/** How long the link of a confirmation mail works. */
export const CONFIRMATION_TTL_MS = 72 * 60 * 60 * 1000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const token = () => randomBytes(24).toString('base64url');

export const CONFIRM_INVALID_MESSAGE = 'この確認用リンクは無効か、有効期限が切れています。ログインして、申請状況の画面からメールアドレスをもう一度登録してください。';
export const UNSUBSCRIBE_INVALID_MESSAGE = 'この配信停止用リンクは無効です。メールに記載されたリンクをそのまま開いてください。';

function links(deps: ServiceDeps, unsubscribeToken: string): MailLinks {
  const base = mailSettings(deps).baseUrl;
  return { login: `${base}/inquiry/login`, unsubscribe: `${base}/mail/unsubscribe/${unsubscribeToken}` };
}

/** RFC 2369 / RFC 8058: mail clients offer "unsubscribe", and may do it with one POST. */
function unsubscribeHeaders(l: MailLinks): Record<string, string> {
  return { 'List-Unsubscribe': `<${l.unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/**
 * After a transition, inside its transaction: the mail it causes, if the domain says one is due
 * and the application has a confirmed address that was not unsubscribed. One mail per version of
 * the application (dedupeKey), so a replayed call adds nothing. Call it right after the history
 * append, from any path that moves an application (one use case or a batch).
 */
export async function notifyApplicant(deps: ServiceDeps, tx: Tx, before: Application | null, transition: Transition): Promise<void> {
  const contact = await mailRepository(tx, deps.database.dialect).contact(transition.application.id);
  const mail = transitionMail(deps, contact, before, transition, deps.clock.now());
  if (mail) await enqueueMail(deps, tx, mail);
}

/** The mail a transition causes for this 連絡先 (the domain decides and renders it), or null. */
function transitionMail(deps: ServiceDeps, contact: ContactAddress | null, before: Application | null, transition: Transition, now: Date): (MailDraft & { applicationId: string }) | null {
  if (!mayMail(contact)) return null;
  const after = transition.application;
  const decision = mailForTransition(before, after, transition.history.actor, transition.history.event, now);
  if (!decision) return null;
  const l = links(deps, contact.unsubscribeToken);
  const mail = renderApplicationMail(after, decision, now, l);
  return { kind: decision.kind, to: contact.address, ...mail, dedupeKey: `status:${after.id}:${after.version}`, applicationId: after.id, headers: unsubscribeHeaders(l) };
}

/** `notifyApplicant` for many transitions of different applications (the deadline sweep's batch): one read of their 連絡先, multi-row INSERTs. */
export async function notifyApplicants(
  deps: ServiceDeps,
  tx: Tx,
  moves: readonly { readonly before: Application; readonly transition: Transition }[],
  /** Their 連絡先, when the caller has read them in this transaction already (the sweep). */
  known?: ReadonlyMap<string, ContactAddress>,
): Promise<void> {
  if (moves.length === 0) return;
  const contacts = known ?? (await mailRepository(tx, deps.database.dialect).contacts(moves.map((m) => m.transition.application.id)));
  if (contacts.size === 0) return;
  const now = deps.clock.now();
  const mails = moves.flatMap(({ before, transition }) => transitionMail(deps, contacts.get(transition.application.id) ?? null, before, transition, now) ?? []);
  await enqueueMails(deps, tx, mails);
}

/**
 * The deadline sweep's mails (decision 0018), for the expiries it wrote: the mail of each
 * application after its expiry, rendered from its number and procedure alone (`expiryMails`), or,
 * when the caller loaded the application whole (`before`), as `notifyApplicants` renders it. The
 * same mail either way (test/services/deadline-sweep-expiry.test.ts compares them with a single
 * move's). `contacts`: the batch's 連絡先, read by the caller in this transaction.
 */
export async function notifyExpiries(
  deps: ServiceDeps,
  tx: Tx,
  expired: readonly { readonly expiry: Expiry; readonly naming: MailNaming; readonly before: Application | null }[],
  contacts: ReadonlyMap<string, ContactAddress>,
): Promise<void> {
  if (contacts.size === 0) return;
  const now = deps.clock.now();
  const mailed = expired.flatMap((e) => {
    const contact = contacts.get(e.expiry.applicationId) ?? null;
    return mayMail(contact) ? [{ ...e, contact, links: links(deps, contact.unsubscribeToken) }] : [];
  });
  // Rendered from the naming, all at once (each distinct text once); those loaded whole are rendered from the application below.
  const slim = expiryMails(mailed.map((m) => ({ naming: m.naming, expiry: m.expiry, links: m.links })));
  const mails = mailed.flatMap(({ expiry, before, contact, links: l }, i): (MailDraft & { applicationId: string })[] => {
    const id = expiry.applicationId;
    if (before) {
      const whole = transitionMail(deps, contact, before, { application: { ...applyExpiry(before, expiry), version: expiry.version }, history: expiry.history }, now);
      return whole ? [whole] : [];
    }
    const mail = slim[i];
    // The caller loads whole the applications whose mail needs more than their naming (`expiryMailNeedsApplication`).
    if (!mail) throw new Error(`notifyExpiries: the mail of ${id}'s expiry needs the whole application`);
    return [{ kind: 'outcome', to: contact.address, ...mail, dedupeKey: `status:${id}:${expiry.version}`, applicationId: id, headers: unsubscribeHeaders(l) }];
  });
  await enqueueMails(deps, tx, mails);
}

/** Sets the address (unconfirmed) and queues the mail with its confirmation link, in the caller's transaction. */
export async function setContactAddress(deps: ServiceDeps, tx: Tx, app: Application, address: string): Promise<void> {
  const repo = mailRepository(tx, deps.database.dialect);
  const now = deps.clock.now();
  const confirm = token();
  const expiresAt = new Date(now.getTime() + CONFIRMATION_TTL_MS);
  const existing = await repo.contact(app.id);
  await repo.setContact(app.id, address, sha256(confirm), expiresAt, existing?.unsubscribeToken ?? token(), now);
  const mail = renderConfirmationMail(app, `${mailSettings(deps).baseUrl}/mail/confirm/${confirm}`, expiresAt);
  await enqueueMail(deps, tx, { kind: 'confirmAddress', to: address, ...mail, dedupeKey: `confirm:${app.id}:${sha256(confirm).slice(0, 32)}`, applicationId: app.id });
}

/** What the status page's mail section shows (rendered per request: it changes without a version bump). */
export interface MailPanel {
  readonly address: string | null;
  readonly confirmed: boolean;
  readonly unsubscribed: boolean;
  /** The latest mail about the application could not be delivered. */
  readonly lastFailed: boolean;
}

/** The applicant's 連絡先メールアドレス: set, remove, confirm, unsubscribe; the mails of an application for the staff UI. */
export function makeContactAddresses(deps: ServiceDeps) {
  const read = () => mailRepository(deps.database.db, deps.database.dialect);
  return {
    async panel(applicationId: string): Promise<MailPanel> {
      const [contact, latest] = await Promise.all([read().contact(applicationId), read().latestForApplication(applicationId)]);
      return { address: contact?.address ?? null, confirmed: contact?.confirmedAt != null, unsubscribed: contact?.unsubscribedAt != null, lastFailed: latest?.state === 'failed' };
    },

    /** Sets a new address (a confirmation mail goes to it), or removes the address when the input is empty. */
    async set(applicationId: string, input: string): Promise<Result<'set' | 'removed'>> {
      const valid = validateContactAddress(input);
      if (!valid.ok) return valid;
      return transaction(deps, async (tx) => {
        const app = await applicationRepository(tx, deps.database.dialect).load(applicationId);
        if (!app) return refuse('notFound', '指定された申請は見つかりません。');
        if (valid.value === null) {
          await mailRepository(tx, deps.database.dialect).removeContact(applicationId);
          return ok('removed' as const);
        }
        await setContactAddress(deps, tx, app, valid.value);
        return ok('set' as const);
      });
    },

    async confirm(confirmToken: string): Promise<Result<{ address: string }>> {
      return transaction(deps, async (tx) => {
        const repo = mailRepository(tx, deps.database.dialect);
        const contact = await repo.contactByToken(sha256(confirmToken));
        if (!contact || !contact.tokenExpiresAt || contact.tokenExpiresAt.getTime() <= deps.clock.now().getTime()) return refuse('notFound', CONFIRM_INVALID_MESSAGE);
        await repo.confirmContact(contact.applicationId, deps.clock.now());
        return ok({ address: contact.address });
      });
    },

    /** Whether the unsubscribe link is one we sent (the page shows its button only then). */
    async unsubscribeTarget(unsubscribeToken: string): Promise<Result<{ maskedAddress: string; unsubscribed: boolean }>> {
      const contact = await read().contactByUnsubscribeToken(unsubscribeToken);
      if (!contact) return refuse('notFound', UNSUBSCRIBE_INVALID_MESSAGE);
      return ok({ maskedAddress: maskAddress(contact.address), unsubscribed: contact.unsubscribedAt !== null });
    },

    async unsubscribe(unsubscribeToken: string): Promise<Result<true>> {
      return transaction(deps, async (tx) => {
        const repo = mailRepository(tx, deps.database.dialect);
        const contact = await repo.contactByUnsubscribeToken(unsubscribeToken);
        if (!contact) return refuse('notFound', UNSUBSCRIBE_INVALID_MESSAGE);
        await repo.unsubscribe(contact.applicationId, deps.clock.now());
        return ok(true as const);
      });
    },

    /** The mails of an application, oldest first (staff UI). */
    mailsOf: (applicationId: string): Promise<OutboxMessage[]> => read().forApplication(applicationId),
  };
}

/**
 * Reminders before running deadlines (run with the deadline sweep): for each application with a
 * confirmed address whose deadline passes within the largest reminder's reach, the reminder the
 * domain says is due today, once (dedupeKey per deadline and day count).
 */
export function makeSendReminders(deps: ServiceDeps) {
  return async function sendReminders(): Promise<number> {
    const { reminderDays } = mailSettings(deps);
    const now = deps.clock.now();
    const reach = deadlinePassesAt(addBusinessDays(japanDateOf(now), Math.max(...reminderDays)));
    const ids = await mailRepository(deps.database.db, deps.database.dialect).subscribedWithDeadlineBefore(now, reach);
    let queued = 0;
    for (const id of ids) {
      const added = await transaction(deps, async (tx) => {
        const app = await applicationRepository(tx, deps.database.dialect).load(id);
        const contact = await mailRepository(tx, deps.database.dialect).contact(id);
        if (!app || !mayMail(contact)) return false;
        const due = reminderDue(app, now, reminderDays);
        if (!due) return false;
        const l = links(deps, contact.unsubscribeToken);
        const mail = renderApplicationMail(app, { kind: 'reminder' }, now, l, due);
        return enqueueMail(deps, tx, { kind: 'reminder', to: contact.address, ...mail, dedupeKey: `reminder:${id}:${due.kind}:${due.date}:${due.daysBefore}`, applicationId: id, headers: unsubscribeHeaders(l) });
      });
      if (added) queued += 1;
    }
    return queued;
  };
}
