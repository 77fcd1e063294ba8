import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { japanDateOf } from '../../domain/time.js';
import type { Services } from '../../services/index.js';
import type { MailPanel } from '../../services/mail-notify.js';
import type { StatusStamp } from '../../services/status-inquiry.js';
import { pageContext, pageContextWith, type PageContext } from '../page-context.js';
import { acceptsGzip, renderDocument, renderFragment, sendGzippedHtml, sendHtml } from '../render.js';
import { CSRF_FIELD } from './actions/form.js';
import { FlashBanner, setFlash, takeFlash } from './flash.js';
import { loadOwnApplication, ownApplicationOf, ownApplicationStamp, readOwnApplication } from './own-application.js';
import { MailContact } from './status/MailContact.js';
import { StatusPage } from './status/StatusPage.js';
import { createStatusPageCache, escapeAttribute, type SlotValues } from './status/page-cache.js';

export interface StatusRouteOptions {
  /** Bytes of rendered status pages kept per process (STATUS_PAGE_CACHE_MB); 0: none kept. */
  readonly statusPageCacheBytes: number;
}

export const STATUS_PATH = '/inquiry/status';

/** The 連絡先メールアドレス form: long input is refused by the domain's own message (the body limit stops anything huge). */
const MailForm = Type.Object({ _csrf: CSRF_FIELD, contactAddress: Type.Optional(Type.String({ maxLength: 20_000 })), action: Type.Optional(Type.String({ maxLength: 10 })) });

/**
 * What a kept page depends on (see status/page-cache.ts): the application's version, its お知らせ,
 * whether a 利用者ID holds it (まとめ納付 is offered only then), the Japan date, the 文字サイズ, and
 * whether it was opened from a 申請一覧 (the way back to the list).
 */
function pageKey(applicationId: string, stamp: StatusStamp, ctx: PageContext, fromAccountList: boolean): string {
  return `${applicationId}|${stamp.version}|${stamp.notifications}|${stamp.heldByAccount ? 'held' : 'single'}|${japanDateOf(stamp.now)}|${ctx.fontSize}|${fromAccountList ? 'list' : 'login'}`;
}

/** 申請状況確認: the one application of the session, never another, with its history. */
export function statusRoutes(services: Services, options: StatusRouteOptions): FastifyPluginAsyncTypebox {
  const cache = createStatusPageCache(options.statusPageCacheBytes);
  // The mail section of each state (at most 16): rendered once with the CSRF and address marks,
  // filled at send time. Keyed by the address itself, every application with a 連絡先 would have
  // had a section of its own, rendered and compressed again whenever more were viewed than were kept.
  const mailSections = new Map<string, string>();
  const mailSection = (panel: MailPanel, mailForm?: { error: string; value: string }): string => {
    if (mailForm) return renderFragment(<MailContact panel={panel} csrfToken={cache.marks.csrf} error={mailForm.error} value={mailForm.value} />);
    // Three flags and whether there is an address: no JSON per view.
    const id = `${panel.confirmed ? 1 : 0}${panel.unsubscribed ? 1 : 0}${panel.lastFailed ? 1 : 0}${panel.address === null ? 0 : 1}`;
    let html = mailSections.get(id);
    if (html === undefined) {
      html = renderFragment(<MailContact panel={{ ...panel, address: panel.address === null ? null : cache.marks.address }} csrfToken={cache.marks.csrf} />);
      mailSections.set(id, html);
    }
    return html;
  };

  /**
   * The page, kept per state of the application (decision 0008). The pieces that differ per request
   * are slots filled at send time: the CSRF token, the once-only banner, and the 連絡先メールアドレス
   * section (its state changes without the application's version: read apart, on every view).
   */
  async function sendStatus(req: FastifyRequest, reply: FastifyReply, code: number, mailForm?: { error: string; value: string }) {
    const ctx = pageContext(req, reply);
    const fromAccountList = Boolean(req.accountSession);
    // The banner of an action just taken (a signed cookie naming a fixed message), shown once.
    const flash = takeFlash(req, reply);
    const slots = (panel: MailPanel): SlotValues => ({
      csrf: escapeAttribute(ctx.csrfToken),
      flash: flash ? renderFragment(<FlashBanner kind={flash} />) : '',
      extra: mailSection(panel, mailForm),
      // Escaped by preact as the rendered page escapes it: a kept page is the same page.
      address: mailForm || panel.address === null ? '' : renderFragment(<>{panel.address}</>),
    });
    // The page's links carry the path; a path with a query string, or an answer to a form, is rendered, not kept.
    const keep = req.url === STATUS_PATH && code === 200;
    if (keep) {
      // The portal's applicant guard in two steps (own-application.ts): the stamp first, the whole
      // application only when no kept page matches it. Not logged in: the 401 page, as everywhere.
      const own = await ownApplicationStamp(services, req, reply);
      if (!own) return reply;
      // The mail section came with the stamp (one statement), so a kept page costs no other read.
      // To a client that takes gzip (every browser), spliced from parts compressed when it was kept.
      const gzip = acceptsGzip(req);
      const kept = cache.get(pageKey(own.applicationId, own.stamp, ctx, fromAccountList), slots(own.mail), gzip);
      if (kept) return gzip ? sendGzippedHtml(reply, code, kept) : sendHtml(reply, code, kept);
    }
    const own = await readOwnApplication(services, req, reply);
    if (!own) return reply;
    const { snapshot, history } = own;
    const marks = cache.marks;
    const rendered = renderDocument(
      <StatusPage
        ctx={pageContextWith(ctx, { csrfToken: marks.csrf })}
        application={snapshot.application}
        notifications={snapshot.notifications}
        heldByAccount={snapshot.heldByAccount}
        now={snapshot.now}
        history={history}
        fromAccountList={fromAccountList}
        flash={marks.flash}
        mail={marks.extra}
      />,
    );
    // Kept only when the history read is of the same version as the application (a change committed
    // between the two reads is shown at the next view, never kept under the older version's key).
    const consistent = (history.at(-1)?.seq ?? snapshot.application.version) === snapshot.application.version;
    const key = keep && consistent ? pageKey(snapshot.application.id, snapshot.stamp, ctx, fromAccountList) : null;
    return sendHtml(reply, code, cache.put(key, rendered, slots(await services.contactAddresses.panel(snapshot.application.id))));
  }

  return async (app) => {
    app.get(STATUS_PATH, async (req, reply) => sendStatus(req, reply, 200));

    // 連絡先メールアドレス: register or change (a confirmation mail goes to the new address), or remove.
    app.post('/inquiry/status/mail', { schema: { body: MailForm }, preHandler: [app.csrfProtection, loadOwnApplication(services)] }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const input = req.body.action === 'remove' ? '' : (req.body.contactAddress ?? '');
      if (req.body.action !== 'remove' && input.trim() === '') return sendStatus(req, reply, 400, { error: 'メールアドレスを入力してください。', value: '' });
      const result = await services.contactAddresses.set(own.application.id, input);
      if (!result.ok) return sendStatus(req, reply, 400, { error: result.refusal.message, value: input.length > 300 ? '' : input });
      req.log.info({ event: 'applicant-mail-address', applicationId: own.application.id, outcome: result.value }, 'contact address changed');
      setFlash(req, reply, result.value === 'set' ? 'mailSet' : 'mailRemoved');
      return reply.redirect(`${STATUS_PATH}#mail`, 303);
    });
  };
}
