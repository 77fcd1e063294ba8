import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import { pageContext } from '../page-context.js';
import { renderDocument, sendHtml } from '../render.js';
import { CSRF_FIELD } from './actions/form.js';
import { FlashBanner, setFlash, takeFlash } from './flash.js';
import { loadOwnApplication, ownApplicationOf } from './own-application.js';
import { MailContact } from './status/MailContact.js';
import { StatusPage } from './status/StatusPage.js';

/** The 連絡先メールアドレス form: long input is refused by the domain's own message (the body limit stops anything huge). */
const MailForm = Type.Object({ _csrf: CSRF_FIELD, contactAddress: Type.Optional(Type.String({ maxLength: 20_000 })), action: Type.Optional(Type.String({ maxLength: 10 })) });

/** 申請状況確認: the one application of the session, never another, with its history. */
export function statusRoutes(services: Services): FastifyPluginAsyncTypebox {
  // The session's application is loaded by the portal's one hook (not logged in: its 401 page).
  const withOwn = loadOwnApplication(services);

  async function sendStatus(req: FastifyRequest, reply: FastifyReply, code: number, mailForm?: { error: string; value: string }) {
    const snapshot = ownApplicationOf(req);
    // The mail section is read apart from the rest of the page: its state changes without the application's version.
    const [history, panel] = await Promise.all([services.statusInquiry.history(snapshot.application.id), services.contactAddresses.panel(snapshot.application.id)]);
    // The banner of an action just taken (a signed cookie naming a fixed message), shown once.
    const flash = takeFlash(req, reply);
    const ctx = pageContext(req, reply);
    return sendHtml(
      reply,
      code,
      renderDocument(
        <StatusPage
          ctx={ctx}
          application={snapshot.application}
          notifications={snapshot.notifications}
          now={snapshot.now}
          history={history}
          fromAccountList={Boolean(req.accountSession)}
          flash={flash ? <FlashBanner kind={flash} /> : undefined}
          mail={<MailContact panel={panel} csrfToken={ctx.csrfToken} error={mailForm?.error} value={mailForm?.value} />}
        />,
      ),
    );
  }

  return async (app) => {
    app.get('/inquiry/status', { preHandler: withOwn }, async (req, reply) => sendStatus(req, reply, 200));

    // 連絡先メールアドレス: register or change (a confirmation mail goes to the new address), or remove.
    app.post('/inquiry/status/mail', { schema: { body: MailForm }, preHandler: [app.csrfProtection, withOwn] }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const input = req.body.action === 'remove' ? '' : (req.body.contactAddress ?? '');
      if (req.body.action !== 'remove' && input.trim() === '') return sendStatus(req, reply, 400, { error: 'メールアドレスを入力してください。', value: '' });
      const result = await services.contactAddresses.set(own.application.id, input);
      if (!result.ok) return sendStatus(req, reply, 400, { error: result.refusal.message, value: input.length > 300 ? '' : input });
      req.log.info({ event: 'applicant-mail-address', applicationId: own.application.id, outcome: result.value }, 'contact address changed');
      setFlash(req, reply, result.value === 'set' ? 'mailSet' : 'mailRemoved');
      return reply.redirect('/inquiry/status#mail', 303);
    });
  };
}
