import type { FastifyReply, FastifyRequest } from 'fastify';
import { pageContext, type PageContext } from '../page-context.js';
import { renderDocument, sendHtml } from '../render.js';
import { Layout } from './Layout.js';
import { Banner } from './forms.js';

/** What each area says after the warning, and where its login is. */
const areas = {
  portal: { advice: '申請状況を確認するには、もう一度ログインしてください。', login: '/inquiry/login', loginLabel: '状況照会 ログインへ' },
  account: { advice: '利用者IDとパスワードで、もう一度ログインしてください。', login: '/account/login', loginLabel: '利用者ID ログインへ' },
  staff: { advice: 'もう一度ログインしてから操作してください。操作は記録されていません。', login: '/staff/login', loginLabel: '事務所等用画面 ログインへ' },
} as const;

/** The one page for a request that needs a live session and has none (the portal's and the staff UI's). */
function NotLoggedInPage({ ctx, which }: { ctx: PageContext; which: keyof typeof areas }) {
  const area = areas[which];
  return (
    <Layout ctx={ctx} title="ログインが必要です">
      <h1>ログインが必要です</h1>
      <Banner kind="warning" title="ログインしていないか、一定時間操作がなかったため、ログアウトしました。">
        <p>{area.advice}</p>
      </Banner>
      <p>
        <a class="button button--primary" href={area.login}>
          {area.loginLabel}
        </a>
      </p>
    </Layout>
  );
}

/** 401 with the not-logged-in page of the area. */
export function sendNotLoggedIn(req: FastifyRequest, reply: FastifyReply, area: PageContext['area'] | 'account' = 'portal') {
  return sendHtml(reply, 401, renderDocument(<NotLoggedInPage ctx={pageContext(req, reply, area === 'staff' ? 'staff' : 'portal')} which={area} />));
}
