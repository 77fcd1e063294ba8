import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Application } from '../../../domain/application.js';
import type { Refusal } from '../../../domain/result.js';
import { applicantActionRefusal } from '../../../domain/status-view.js';
import type { ApplicantAction } from '../../../domain/statuses.js';
import { CONFLICT_MESSAGE } from '../../../services/application-events.js';
import { Layout } from '../../components/Layout.js';
import { Banner } from '../../components/forms.js';
import { cookieOptions, clearCookie } from '../../cookies.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { renderDocument, sendHtml } from '../../render.js';
import { refusalStatus } from '../../refusals.js';

/** The form fields every action posts besides its own: the CSRF token and the version the page was rendered from. */
export const CSRF_FIELD = Type.Optional(Type.String({ maxLength: 200 }));
export const VERSION_FIELD = Type.String({ pattern: '^[0-9]{1,9}$' });

export const ActionForm = Type.Object({ _csrf: CSRF_FIELD, version: VERSION_FIELD });

export { sendHtml } from '../../render.js';


/**
 * Why the applicant cannot do `action` now, as the domain refuses the same event; null when the
 * action is allowed. Checked before the page is shown and before the service is called (which
 * checks again inside its transaction).
 */
export function actionRefusal(app: Application, action: Exclude<ApplicantAction, 'pay' | 'applyAgain'>, now: Date): Refusal | null {
  return applicantActionRefusal(app, action, now);
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
  mailSet: { title: '連絡先メールアドレスを登録しました。', body: '確認用のメールを送りました。メールに記載されたリンクを開くと、確認が完了します（リンクの有効期限は72時間です）。' },
  mailRemoved: { title: '連絡先メールアドレスを削除しました。', body: 'この申請についてのメールは送信されません。' },
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
