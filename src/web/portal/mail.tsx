import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { Services } from '../../services/index.js';
import { Layout } from '../components/Layout.js';
import { Banner } from '../components/forms.js';
import { pageContext } from '../page-context.js';
import { renderDocument, sendHtml } from '../render.js';

/** The token in a mail's link: its own capability (the link is the only way to know it), so these forms carry no CSRF token. */
/** A link's token: URL-safe characters only (a stray byte such as %00 is refused at the door, never sent to the database). */
const TokenParams = Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$' }) });
/** RFC 8058: a mail client's one-click unsubscribe posts `List-Unsubscribe=One-Click`; the page's own button posts nothing else. */
const OneClickBody = Type.Optional(Type.Object({ 'List-Unsubscribe': Type.Optional(Type.String({ maxLength: 50 })) }));

function MailPage({ req, reply, title, children }: { req: FastifyRequest; reply: FastifyReply; title: string; children: ComponentChildren }) {
  return (
    <Layout ctx={pageContext(req, reply)} title={title}>
      <h1 class="page-title">{title}</h1>
      {children}
      <p>
        <a href="/inquiry/login">申請状況の照会（ログイン）へ</a>
      </p>
    </Layout>
  );
}

function send(req: FastifyRequest, reply: FastifyReply, code: number, title: string, children: ComponentChildren) {
  return sendHtml(reply, code, renderDocument(<MailPage req={req} reply={reply} title={title}>{children}</MailPage>));
}

/** The pages a mail's links open: confirming a 連絡先メールアドレス, and stopping the mail of an application. */
export function mailRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    // A link scanner that opens the link confirms nothing: the page asks for a press of its button.
    app.get('/mail/confirm/:token', { schema: { params: TokenParams } }, async (req, reply) =>
      send(
        req,
        reply,
        200,
        'メールアドレスの確認',
        <>
          <p>申請の連絡先として登録されたメールアドレスを確認します。「メールアドレスを確認する」ボタンを押してください。</p>
          <form method="post" action={`/mail/confirm/${encodeURIComponent(req.params.token)}`} class="button-row">
            <button type="submit" class="button button--primary">
              メールアドレスを確認する
            </button>
          </form>
        </>,
      ),
    );

    app.post('/mail/confirm/:token', { schema: { params: TokenParams } }, async (req, reply) => {
      const result = await services.contactAddresses.confirm(req.params.token);
      if (!result.ok)
        return send(
          req,
          reply,
          404,
          'メールアドレスを確認できません',
          <Banner kind="error" title={result.refusal.message} />,
        );
      return send(
        req,
        reply,
        200,
        'メールアドレスを確認しました',
        <Banner kind="success" title="メールアドレスの確認が完了しました。">
          <p>この申請について、補正指示・納付・受け取りの案内、申請の結果、期限が近づいたときのお知らせを、このアドレスにお送りします。</p>
        </Banner>,
      );
    });

    app.get('/mail/unsubscribe/:token', { schema: { params: TokenParams } }, async (req, reply) => {
      const target = await services.contactAddresses.unsubscribeTarget(req.params.token);
      if (!target.ok) return send(req, reply, 404, 'メールの配信停止', <Banner kind="error" title={target.refusal.message} />);
      if (target.value.unsubscribed) return send(req, reply, 200, 'メールの配信停止', <p>この申請についてのメールの配信は、既に停止しています（{target.value.maskedAddress}）。</p>);
      return send(
        req,
        reply,
        200,
        'メールの配信停止',
        <>
          <p>この申請についてのメール（{target.value.maskedAddress} 宛て）の配信を停止します。停止後は、補正指示や期限のお知らせもメールでは届きません。申請状況はログインして確認してください。</p>
          <form method="post" action={`/mail/unsubscribe/${encodeURIComponent(req.params.token)}`} class="button-row">
            <button type="submit" class="button button--danger">
              配信を停止する
            </button>
          </form>
        </>,
      );
    });

    app.post('/mail/unsubscribe/:token', { schema: { params: TokenParams, body: OneClickBody } }, async (req, reply) => {
      const result = await services.contactAddresses.unsubscribe(req.params.token);
      if (!result.ok) return send(req, reply, 404, 'メールの配信停止', <Banner kind="error" title={result.refusal.message} />);
      req.log.info({ event: 'mail-unsubscribe' }, 'mail unsubscribed');
      return send(
        req,
        reply,
        200,
        'メールの配信を停止しました',
        <Banner kind="success" title="この申請についてのメールの配信を停止しました。">
          <p>再開するには、ログインして申請状況確認の「連絡先メールアドレス」からメールアドレスを登録し直してください。</p>
        </Banner>,
      );
    });
  };
}
