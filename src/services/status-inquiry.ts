import type { Application } from '../domain/application.js';
import { loadApplication } from '../store/applications.repository.js';
import type { HistoryEntry } from '../domain/history.js';
import type { Notification } from '../domain/notifications.js';
import { historyRepository } from '../store/history.repository.js';
import { notificationRepository } from '../store/notifications.repository.js';
import type { ServiceDeps } from './context.js';

export interface StatusSnapshot {
  readonly application: Application;
  readonly notifications: readonly Notification[];
  readonly now: Date;
}

/** 申請状況の確認: what the status page shows, read for the one application of the session. */
export function makeStatusInquiry(deps: ServiceDeps) {
  return {
    async read(applicationId: string): Promise<StatusSnapshot | null> {
      const db = deps.database.db;
      const [application, notifications] = await Promise.all([
        loadApplication(deps.database, applicationId),
        notificationRepository(db).forApplication(applicationId),
      ]);
      if (!application) return null;
      return { application, notifications, now: deps.clock.now() };
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
