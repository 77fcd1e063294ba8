import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { pageContext } from '../page-context.js';
import { renderDocument, sendHtml } from '../render.js';
import { FlashBanner, takeFlash } from './actions/shared.js';
import { sendNotLoggedIn } from '../components/NotLoggedIn.js';
import { StatusPage } from './status/StatusPage.js';

/** 申請状況確認: the one application of the session, never another, with its history. */
export function statusRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/inquiry/status', async (req, reply) => {
      const session = req.applicantSession;
      if (!session?.applicationId) return sendNotLoggedIn(req, reply);
      const [snapshot, history] = await Promise.all([services.statusInquiry.read(session.applicationId), services.statusInquiry.history(session.applicationId)]);
      if (!snapshot) return sendNotLoggedIn(req, reply);
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
