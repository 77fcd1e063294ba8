import { randomBytes } from 'node:crypto';
import { findSession, findSessionWithStamp, sessionRepository, type SessionKind, type SessionRecord } from '../store/sessions.repository.js';
import type { ServiceDeps } from './context.js';
import { statusViewOf, type StatusView } from './status-inquiry.js';

/** Idle timeout: 30 minutes without a request ends the session. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** Absolute limit: 8 hours after login, whatever the activity. */
export const SESSION_ABSOLUTE_MS = 8 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so reading a page is not a write every time. */
const TOUCH_EVERY_MS = 60 * 1000;

export type Session = SessionRecord;

export function makeSessions(deps: ServiceDeps) {
  const repo = () => sessionRepository(deps.database.db);
  /** The session if it is still live (an ended one is deleted; last_seen_at is written at most once a minute). */
  async function live(session: Session | null): Promise<Session | null> {
    if (!session) return null;
    const now = deps.clock.now();
    if (now >= session.expiresAt || now.getTime() - session.lastSeenAt.getTime() >= SESSION_IDLE_MS) {
      await repo().delete(session.idHash);
      return null;
    }
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await repo().touch(session.idHash, now);
    return session;
  }
  return {
    /** A new session with a new random id: called at every login, so a session id never survives one. */
    async start(kind: SessionKind, subject: { applicationId?: string; staffUserId?: string; accountId?: string }): Promise<{ token: string; session: Session }> {
      const token = randomBytes(32).toString('base64url');
      const now = deps.clock.now();
      const session = {
        kind,
        applicationId: subject.applicationId ?? null,
        staffUserId: subject.staffUserId ?? null,
        accountId: subject.accountId ?? null,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
      };
      await repo().insert(token, session);
      const stored = await repo().find(token);
      if (!stored) throw new Error('session was not stored');
      return { token, session: stored };
    },

    /** The live session for a cookie's token, or null when unknown, idle too long or past its end. */
    async resolve(token: string): Promise<Session | null> {
      return live(await findSession(deps.database, token));
    },

    /**
     * The same, and the stamp of the application the session is logged in to, read with it in one
     * statement (the status page's view of a kept page: decision 0019). `view` is null when the
     * session has no application or it is gone.
     */
    async resolveWithStatusView(token: string): Promise<{ session: Session; view: StatusView | null } | null> {
      const read = await findSessionWithStamp(deps.database, token);
      const session = await live(read?.session ?? null);
      if (!session || !read) return null;
      return { session, view: read.stamp ? statusViewOf(read.stamp, deps.clock.now()) : null };
    },

    async end(session: Pick<Session, 'idHash'>): Promise<void> {
      await repo().delete(session.idHash);
    },

    async purgeExpired(): Promise<number> {
      return repo().purge(deps.clock.now(), SESSION_IDLE_MS);
    },
  };
}

export type Sessions = ReturnType<typeof makeSessions>;
