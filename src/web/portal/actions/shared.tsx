import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../../../domain/application.js';
import { eventLabels, type EventType } from '../../../domain/events.js';
import type { Refusal, RefusalCode } from '../../../domain/result.js';
import { allowedActions, bulkPaymentNumberTaken, currentDeadline } from '../../../domain/rules.js';
import { statuses, type ApplicantAction, type StatusDefinition } from '../../../domain/statuses.js';
import { isDeadlinePassed } from '../../../domain/time.js';
import { CONFLICT_MESSAGE } from '../../../services/application-events.js';
import type { Services } from '../../../services/index.js';
import { Layout } from '../../components/Layout.js';
import { Banner } from '../../components/forms.js';
import { cookieOptions, clearCookie } from '../../cookies.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { renderDocument } from '../../render.js';
import { sendNotLoggedIn } from '../login.js';

/** The form fields every action posts besides its own: the CSRF token and the version the page was rendered from. */
export const CSRF_FIELD = Type.Optional(Type.String({ maxLength: 200 }));
export const VERSION_FIELD = Type.String({ pattern: '^[0-9]{1,9}$' });

export const ActionForm = Type.Object({ _csrf: CSRF_FIELD, version: VERSION_FIELD });

export function sendHtml(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

/** The session's one application, or null after a 401 page was sent (no session, or it ended). */
export async function ownApplication(services: Services, req: FastifyRequest, reply: FastifyReply): Promise<{ application: Application; now: Date } | null> {
  const id = req.applicantSession?.applicationId;
  if (!id) {
    await sendNotLoggedIn(req, reply);
    return null;
  }
  const snapshot = await services.statusInquiry.read(id);
  if (!snapshot) {
    await sendNotLoggedIn(req, reply);
    return null;
  }
  return { application: snapshot.application, now: snapshot.now };
}

/** How a refusal of the domain or the service answers over HTTP. */
export function refusalStatus(code: RefusalCode): number {
  switch (code) {
    case 'invalidInput':
      return 400;
    case 'notFound':
      return 404;
    case 'actorNotAllowed':
    case 'otherOffice':
      return 403;
    default:
      return 409;
  }
}

/** The applicant's actions as the history and messages name them. */
const actionEvents: Record<Exclude<ApplicantAction, 'pay' | 'applyAgain'>, EventType> = {
  withdraw: 'withdraw',
  correct: 'submitCorrection',
  chooseBulkPayment: 'chooseBulkPayment',
  takeBulkPaymentNumber: 'takeBulkPaymentNumber',
  issueCollectionCode: 'issueCollectionCode',
};

/** The end of the sentence a passed deadline refuses with, as the domain words it. */
const deadlineWords: Record<keyof typeof actionEvents, string> = {
  withdraw: '申請を取り下げることはできません。',
  correct: '補正申請はできません。',
  chooseBulkPayment: 'まとめ納付を選択できません。',
  takeBulkPaymentNumber: '納付番号を取得できません。',
  issueCollectionCode: '二次元コードを発行できません。',
};

/**
 * Why the applicant cannot do `action` now, in the words the domain uses when it refuses the same
 * event; null when the action is allowed. Checked before the page is shown and before the service
 * is called (which checks again inside its transaction).
 */
export function actionRefusal(app: Application, action: keyof typeof actionEvents, now: Date): Refusal | null {
  if (allowedActions(app, now).includes(action)) return null;
  const def: StatusDefinition = statuses[app.status];
  const label = eventLabels[actionEvents[action]];
  if (def.terminal) return { code: 'statusDoesNotAllow', message: `この申請は「${def.label}」のため、これ以上操作できません。` };
  if (!def.applicantMay.includes(action)) return { code: 'statusDoesNotAllow', message: `現在の申請状況「${def.label}」では「${label}」はできません。` };
  const deadline = currentDeadline(app);
  if (action === 'issueCollectionCode') return { code: 'statusDoesNotAllow', message: '記録等事務代行者が受け取るため、二次元コードの発行は不要です。' };
  if (action === 'withdraw' && def.bulkPayment && bulkPaymentNumberTaken(app)) {
    return { code: 'paymentNumberTaken', message: '納付番号を取得した後は、申請を取り下げることはできません。' };
  }
  if (action === 'takeBulkPaymentNumber' && bulkPaymentNumberTaken(app)) return { code: 'paymentNumberTaken', message: '納付番号はすでに取得されています。' };
  if (deadline && isDeadlinePassed(deadline.date, now)) {
    const passed = deadline.kind === 'correction' ? '補正期限を過ぎているため' : '納付期限を過ぎているため';
    return { code: 'deadlinePassed', message: `${passed}、${deadlineWords[action]}` };
  }
  return { code: 'statusDoesNotAllow', message: `現在の申請状況「${def.label}」では「${label}」はできません。` };
}

/** A stale form: the page was rendered from another version of the application. */
export function versionRefusal(app: Application, version: string): Refusal | null {
  return Number(version) === app.version ? null : { code: 'versionConflict', message: CONFLICT_MESSAGE };
}

/** The page for an action that cannot be done: the reason, and the way back to the status page. */
export function RefusedPage({ ctx, title, message }: { ctx: PageContext; title: string; message: string }) {
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <Banner kind="error" title={message}>
        <p>申請の内容は変更されていません。最新の申請状況を確認してください。</p>
      </Banner>
      <p>
        <a class="button button--secondary" href="/inquiry/status">
          申請状況確認へ戻る
        </a>
      </p>
    </Layout>
  );
}

export function sendRefused(req: FastifyRequest, reply: FastifyReply, title: string, refusal: Refusal) {
  // A stale form found by the page's own check is a version conflict too (counted once: metrics).
  if (refusal.code === 'versionConflict') req.server.metrics?.observer.versionConflict(refusal);
  return sendHtml(reply, refusalStatus(refusal.code), renderDocument(<RefusedPage ctx={pageContext(req, reply)} title={title} message={refusal.message} />));
}

// ---- flash: the banner the page after a redirect shows once ------------------------------------

export const FLASH_COOKIE = 'kei_flash';

export const flashMessages = {
  withdrawn: { title: '申請を取り下げました。', body: '通知等情報に取り下げの結果が表示されています。当該受付番号の申請は継続することができません。必要に応じ、再度申請を行ってください。' },
  corrected: { title: '補正申請を行いました。', body: '申請は審査に戻りました。補正した内容と補正前の内容は、申請状況の履歴で確認できます。' },
  bulkChosen: { title: 'まとめ納付を選択しました。', body: '「納付対象を選択して納付番号を取得」を行ってから、納付してください。' },
  bulkNumberTaken: { title: '納付番号を取得しました。', body: '下の収納機関番号・納付番号・確認番号で納付してください。' },
  codeIssued: { title: '二次元コードを発行しました。', body: '印刷して、交付物の受け取り時に窓口へ提出してください。' },
  codeReissued: { title: '二次元コードを再発行しました。', body: '以前に発行した二次元コードは使用できません。この二次元コードを印刷して提出してください。' },
} as const;

export type FlashKind = keyof typeof flashMessages;

/** A short-lived signed cookie naming one of the fixed messages: a link cannot make the page claim an action happened. */
export function setFlash(req: FastifyRequest, reply: FastifyReply, kind: FlashKind): void {
  reply.setCookie(FLASH_COOKIE, kind, { ...cookieOptions(req, 120), signed: true });
}

/** Reads the flash once and clears it. */
export function takeFlash(req: FastifyRequest, reply: FastifyReply): FlashKind | null {
  const raw = req.cookies[FLASH_COOKIE];
  if (raw === undefined) return null;
  clearCookie(req, reply, FLASH_COOKIE);
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null || !Object.hasOwn(flashMessages, unsigned.value)) return null;
  return unsigned.value as FlashKind;
}

export function FlashBanner({ kind }: { kind: FlashKind | null }) {
  if (!kind) return null;
  const m = flashMessages[kind];
  return (
    <Banner kind="success" title={m.title} id="flash">
      <p>{m.body}</p>
    </Banner>
  );
}

/** The hidden field that carries the version a page was rendered from. */
export function VersionField({ application }: { application: Application }) {
  return <input type="hidden" name="version" value={String(application.version)} />;
}
