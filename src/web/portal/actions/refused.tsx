import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Refusal } from '../../../domain/result.js';
import { Layout } from '../../components/Layout.js';
import { Banner } from '../../components/forms.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { renderDocument, sendHtml } from '../../render.js';
import { refusalStatus } from '../../refusals.js';

/** The page for an action that cannot be done: the reason, and the way back to the status page. */
function RefusedPage({ ctx, title, message }: { ctx: PageContext; title: string; message: string }) {
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

/** Answers a refused action with the refusal's one HTTP status (src/web/refusals.ts) and its Japanese reason. */
export function sendRefused(req: FastifyRequest, reply: FastifyReply, title: string, refusal: Refusal) {
  // A stale form found by the page's own check is a version conflict too (counted once: metrics).
  if (refusal.code === 'versionConflict') req.server.metrics?.observer.versionConflict(refusal);
  return sendHtml(reply, refusalStatus(refusal.code), renderDocument(<RefusedPage ctx={pageContext(req, reply)} title={title} message={refusal.message} />));
}
