import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { pageContext } from '../page-context.js';
import { renderDocument, sendHtml } from '../render.js';
import { FlashBanner, takeFlash } from './flash.js';
import { loadOwnApplication, ownApplicationOf } from './own-application.js';
import { StatusPage } from './status/StatusPage.js';

/** 申請状況確認: the one application of the session, never another, with its history. */
export function statusRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    // The session's application is loaded by the portal's one hook (not logged in: its 401 page).
    app.get('/inquiry/status', { preHandler: loadOwnApplication(services) }, async (req, reply) => {
      const snapshot = ownApplicationOf(req);
      const history = await services.statusInquiry.history(snapshot.application.id);
      // The banner of an action just taken (a signed cookie naming a fixed message), shown once.
      const flash = takeFlash(req, reply);
      return sendHtml(
        reply,
        200,
        renderDocument(
          <StatusPage
            ctx={pageContext(req, reply)}
            application={snapshot.application}
            notifications={snapshot.notifications}
            now={snapshot.now}
            history={history}
            fromAccountList={Boolean(req.accountSession)}
            flash={flash ? <FlashBanner kind={flash} /> : undefined}
          />,
        ),
      );
    });
  };
}
