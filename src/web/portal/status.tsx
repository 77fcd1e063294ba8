import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { japanDateOf } from '../../domain/time.js';
import type { Services } from '../../services/index.js';
import type { StatusStamp } from '../../services/status-inquiry.js';
import { pageContext, type PageContext } from '../page-context.js';
import { renderDocument, renderFragment, sendHtml } from '../render.js';
import { FlashBanner, takeFlash } from './flash.js';
import { ownApplicationStamp, readOwnApplication } from './own-application.js';
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
    // The portal's applicant guard in two steps (own-application.ts): the stamp first, the whole
    // application only when no kept page matches it. Not logged in: the 401 page, as everywhere.
    app.get(STATUS_PATH, async (req, reply) => {
      const ctx = pageContext(req, reply);
      // The banner of an action just taken (a signed cookie naming a fixed message), shown once.
      const flash = takeFlash(req, reply);
      const slots = (): SlotValues => ({ csrf: escapeAttribute(ctx.csrfToken), flash: flash ? renderFragment(<FlashBanner kind={flash} />) : '', extra: '' });
      // The page's links carry the path; a path with a query string is rendered, not kept.
      const keep = req.url === STATUS_PATH;
      if (keep) {
        const own = await ownApplicationStamp(services, req, reply);
        if (!own) return reply;
        const kept = cache.get(pageKey(own.applicationId, own.stamp, ctx), slots());
        if (kept) return sendHtml(reply, 200, kept);
      }
      const own = await readOwnApplication(services, req, reply);
      if (!own) return reply;
      const { snapshot, history } = own;
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
      const key = keep && consistent ? pageKey(snapshot.application.id, snapshot.stamp, ctx) : null;
      return sendHtml(reply, 200, cache.put(key, rendered, slots()));
    });
  };
}
