import type { Notification } from '../domain/notifications.js';
import type { Executor } from './database.js';

/** お知らせ: to everyone (portal top) or to one application (its status page, section 9). */
export function notificationRepository(db: Executor) {
  const map = (r: { id: string; application_id: string | null; title: string; body: string; published_at: string }): Notification => ({
    id: r.id,
    applicationId: r.application_id,
    title: r.title,
    body: r.body,
    publishedAt: new Date(r.published_at),
  });
  return {
    async insert(n: Notification): Promise<void> {
      await db
        .insertInto('notifications')
        .values({ id: n.id, application_id: n.applicationId, title: n.title, body: n.body, published_at: n.publishedAt.toISOString() })
        .execute();
    },
    async forApplication(applicationId: string): Promise<Notification[]> {
      const rows = await db.selectFrom('notifications').selectAll().where('application_id', '=', applicationId).orderBy('published_at', 'desc').execute();
      return rows.map(map);
    },
    async publicLatest(limit: number): Promise<Notification[]> {
      const rows = await db.selectFrom('notifications').selectAll().where('application_id', 'is', null).orderBy('published_at', 'desc').limit(limit).execute();
      return rows.map(map);
    },
  };
}
