import type { Application } from '../domain/application.js';
import { applicationStamp, loadApplication, type ApplicationStamp } from '../store/applications.repository.js';
import type { HistoryEntry } from '../domain/history.js';
import type { Notification } from '../domain/notifications.js';
import { historyRepository } from '../store/history.repository.js';
import { notificationRepository } from '../store/notifications.repository.js';
import type { OpenGroupSummary } from '../domain/payment-groups.js';
import { paymentGroupRepository } from '../store/payment-groups.repository.js';
import type { ServiceDeps } from './context.js';
import type { MailPanel } from './mail-notify.js';

export interface StatusSnapshot {
  readonly application: Application;
  readonly notifications: readonly Notification[];
  /** Whether the application is in a 利用者ID's list (まとめ納付 is offered only then). */
  readonly heldByAccount: boolean;
  /** The open まとめ納付 of several applications that holds its lines, if any. */
  readonly paymentGroup: OpenGroupSummary | null;
  readonly now: Date;
  /** The same stamp `stamp()` reads, of what was read here. */
  readonly stamp: StatusStamp;
}

/** What the status page depends on, read cheaply: the application's version and its お知らせ, and the time (its Japan date moves the deadlines). */
export interface StatusStamp extends Omit<ApplicationStamp, 'mail'> {
  readonly now: Date;
}

/** A view of a kept page: its stamp, and the 連絡先メールアドレス section (shown per view), read in one statement. */
export interface StatusView {
  readonly stamp: StatusStamp;
  readonly mail: MailPanel;
}

/** The view of a kept page from its stamp as the store read it, at `now`. */
export function statusViewOf(read: ApplicationStamp, now: Date): StatusView {
  const { mail, ...stamp } = read;
  return { stamp: { ...stamp, now }, mail };
}

/** 申請状況の確認: what the status page shows, read for the one application of the session. */
export function makeStatusInquiry(deps: ServiceDeps) {
  return {
    async read(applicationId: string): Promise<StatusSnapshot | null> {
      const db = deps.database.db;
      const groups = paymentGroupRepository(db, deps.database.dialect);
      const [application, notifications, heldByAccount] = await Promise.all([loadApplication(deps.database, applicationId), notificationRepository(db).forApplication(applicationId), groups.heldByAccount(applicationId)]);
      if (!application) return null;
      // Only an application in a 利用者ID's list can be in a まとめ納付.
      const paymentGroup = heldByAccount ? await groups.openGroupOf(applicationId) : null;
      const now = deps.clock.now();
      const latest = notifications.reduce((max, n) => (n.publishedAt.toISOString() > max ? n.publishedAt.toISOString() : max), '');
      return { application, notifications, heldByAccount, paymentGroup, now, stamp: { version: application.version, notifications: `${notifications.length}/${latest}`, heldByAccount, now } };
    },

    /** One statement: enough to tell whether a page rendered before is still the page (see web/portal/status/page-cache.ts), and its mail section. */
    async stamp(applicationId: string): Promise<StatusView | null> {
      const read = await applicationStamp(deps.database, applicationId);
      return read ? statusViewOf(read, deps.clock.now()) : null;
    },

    async history(applicationId: string): Promise<HistoryEntry[]> {
      return historyRepository(deps.database.db, deps.database.dialect).list(applicationId);
    },

    async publicNotifications(limit = 5): Promise<Notification[]> {
      return notificationRepository(deps.database.db).publicLatest(limit);
    },
  };
}

export type StatusInquiry = ReturnType<typeof makeStatusInquiry>;
