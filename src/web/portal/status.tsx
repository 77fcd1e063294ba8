import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { japanDateOf } from '../../domain/time.js';
import type { Services } from '../../services/index.js';
import type { StatusStamp } from '../../services/status-inquiry.js';
import { pageContext, type PageContext } from '../page-context.js';
import { renderDocument, renderFragment, sendHtml } from '../render.js';
import { FlashBanner, takeFlash } from './actions/shared.js';
import { sendNotLoggedIn } from '../components/NotLoggedIn.js';
import { StatusPage } from './status/StatusPage.js';
import { createStatusPageCache, escapeAttribute, type SlotValues } from './status/page-cache.js';

export interface StatusRouteOptions {
  /** Bytes of rendered status pages kept per process (STATUS_PAGE_CACHE_MB); 0: none kept. */
  readonly statusPageCacheBytes: number;
}

const STATUS_PATH = '/inquiry/status';

/** What a kept page depends on (see status/page-cache.ts). */
function pageKey(applicationId: string, stamp: StatusStamp, ctx: PageContext): string {
  return `${applicationId}|${stamp.version}|${stamp.notifications}|${japanDateOf(stamp.now)}|${ctx.fontSize}`;
}

/** 申請状況確認: the one application of the session, never another, with its history. */
export function statusRoutes(services: Services, options: StatusRouteOptions): FastifyPluginAsyncTypebox {
  const cache = createStatusPageCache(options.statusPageCacheBytes);
  return async (app) => {
    app.get(STATUS_PATH, async (req, reply) => {
      const session = req.applicantSession;
      if (!session?.applicationId) return sendNotLoggedIn(req, reply);
      const ctx = pageContext(req, reply);
      // The banner of an action just taken (a signed cookie naming a fixed message), shown once.
      const flash = takeFlash(req, reply);
      const slots = (): SlotValues => ({ csrf: escapeAttribute(ctx.csrfToken), flash: flash ? renderFragment(<FlashBanner kind={flash} />) : '', extra: '' });
      // The page's links carry the path; a path with a query string is rendered, not kept.
      const keep = req.url === STATUS_PATH;
      if (keep) {
        const stamp = await services.statusInquiry.stamp(session.applicationId);
        if (!stamp) return sendNotLoggedIn(req, reply);
        const kept = cache.get(pageKey(session.applicationId, stamp, ctx), slots());
        if (kept) return sendHtml(reply, 200, kept);
      }
      const [snapshot, history] = await Promise.all([services.statusInquiry.read(session.applicationId), services.statusInquiry.history(session.applicationId)]);
      if (!snapshot) return sendNotLoggedIn(req, reply);
      const marks = cache.marks;
      const rendered = renderDocument(
        <StatusPage
          ctx={{ ...ctx, csrfToken: marks.csrf }}
          application={snapshot.application}
          notifications={snapshot.notifications}
          now={snapshot.now}
          history={history}
          flash={marks.flash}
          extra={marks.extra}
        />,
      );
      // Kept only when the history read is of the same version as the application (a change committed
      // between the two reads is shown at the next view, never kept under the older version's key).
      const consistent = (history.at(-1)?.seq ?? snapshot.application.version) === snapshot.application.version;
      const key = keep && consistent ? pageKey(session.applicationId, snapshot.stamp, ctx) : null;
      return sendHtml(reply, 200, cache.put(key, rendered, slots()));
    });
  };
}
