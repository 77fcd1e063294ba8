import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import type { HistoryEntry } from '../../domain/history.js';
import type { StatusSnapshot, StatusView } from '../../services/status-inquiry.js';
import { sendNotLoggedIn } from '../components/NotLoggedIn.js';

/** The logged-in applicant's one application with its 通知等情報, as the hook read it, and the instant it was read. */
export type OwnApplication = StatusSnapshot;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the portal's ownApplication hook on every route that needs the applicant's application. */
    ownApplication: OwnApplication | null;
    /** GET of the status page: the stamp of the session's application, read with the session (app.ts); null otherwise. */
    statusView: StatusView | null;
  }
}

/**
 * The one hook that loads the logged-in applicant's application for a portal route (after the
 * route's CSRF check): without a live session, or when the application is gone, the request ends
 * here with the not-logged-in page (401).
 */
export function loadOwnApplication(services: Pick<Services, 'statusInquiry'>) {
  return async function ownApplicationHook(req: FastifyRequest, reply: FastifyReply) {
    const id = req.applicantSession?.applicationId;
    const snapshot = id ? await services.statusInquiry.read(id) : null;
    if (!snapshot) return sendNotLoggedIn(req, reply);
    req.ownApplication = snapshot;
  };
}

/**
 * The status page's form of the same guard (it keeps rendered pages, decision 0008): the stamp of
 * the session's application (its version and お知らせ) in one read, or the 401 page sent (null).
 * On a GET of the page the stamp came with the session, in the same statement (decision 0019).
 */
export async function ownApplicationStamp(services: Pick<Services, 'statusInquiry'>, req: FastifyRequest, reply: FastifyReply): Promise<({ applicationId: string } & StatusView) | null> {
  const id = req.applicantSession?.applicationId;
  // Read with the session when the request hook could (app.ts), else here.
  const view = id ? (req.statusView ?? (await services.statusInquiry.stamp(id))) : null;
  if (!id || !view) {
    await sendNotLoggedIn(req, reply);
    return null;
  }
  return { applicationId: id, ...view };
}

/** …and when the page must be rendered: the whole application with its history, or the 401 page sent (null). */
export async function readOwnApplication(services: Pick<Services, 'statusInquiry'>, req: FastifyRequest, reply: FastifyReply): Promise<{ snapshot: OwnApplication; history: HistoryEntry[] } | null> {
  const id = req.applicantSession?.applicationId;
  const [snapshot, history] = id ? await Promise.all([services.statusInquiry.read(id), services.statusInquiry.history(id)]) : [null, []];
  if (!snapshot) {
    await sendNotLoggedIn(req, reply);
    return null;
  }
  return { snapshot, history };
}

/** The application the hook loaded (a route without the hook is a bug, not a request to refuse). */
export function ownApplicationOf(req: FastifyRequest): OwnApplication {
  if (!req.ownApplication) throw new Error('portal route without the ownApplication hook');
  return req.ownApplication;
}
