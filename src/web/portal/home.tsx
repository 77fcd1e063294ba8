import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@fastify/type-provider-typebox';
import { Layout } from '../components/Layout.js';
import { NoticeList } from '../components/NoticeList.js';
import { Banner } from '../components/forms.js';
import type { Notification } from '../../domain/notifications.js';
import type { Services } from '../../services/index.js';
import { pageContext, type PageContext } from '../page-context.js';
import { renderDocument, sendHtml } from '../render.js';

/** The お知らせ, or that there is none. */
function NoticesOrNone({ notices }: { notices: readonly Notification[] }) {
  return notices.length === 0 ? <p>現在、お知らせはありません。</p> : <NoticeList notices={notices} />;
}

/** ポータルサイトのトップ (manual 1 ①②). */
export function TopPage({ ctx, notices }: { ctx: PageContext; notices: readonly Notification[] }) {
  return (
    <Layout ctx={ctx} title="軽自動車保有関係手続のワンストップサービス" mainClass="main--wide">
      <div class="top-grid">
        <section class="card card--feature" aria-labelledby="oss-heading">
          <h1 id="oss-heading" class="card__title">
            軽自動車OSS申請
          </h1>
          <p>以下いずれかの申請方法により、電子申請書を作成・提出（電子申請）してください。</p>
          <p>なお、ご利用になるサービス対象手続により、申請書以外に提出が必要な書類があります。</p>
          <p>
            必要な書類等が不明な場合は、「<a href="/first-time">はじめての方</a>」－「申請をするための条件」－「手続毎の詳細条件」よりご確認ください。
          </p>
          <div class="entry-grid">
            <div class="entry">
              <p class="entry__lead">当サイトより申請する方は</p>
              <a class="button button--primary button--large" href="/online">
                <span class="button__sub">こちら</span>
                画面申請
              </a>
            </div>
            <div class="entry">
              <p class="entry__lead">一括利用者システムより申請する方は</p>
              <a class="button button--primary button--large" href="/bulk">
                <span class="button__sub">こちら</span>
                一括申請
              </a>
            </div>
          </div>
        </section>
        <div class="side-cards">
          <a class="card card--link" href="/first-time">
            <h2 class="card__title">はじめての方</h2>
            <p>詳細や事前の準備作業など、手続を行うための基本について解説します。</p>
          </a>
          <a class="card card--link" href="/faq">
            <h2 class="card__title">よくあるご質問</h2>
            <p>申請についてよくある質問を掲載しています。</p>
          </a>
          <a class="card card--link" href="/glossary">
            <h2 class="card__title">用語集</h2>
            <p>申請に必要な用語の意味について確認いただけます。</p>
          </a>
        </div>
      </div>
      <section class="card" aria-labelledby="notices-heading">
        <div class="card__header">
          <h2 id="notices-heading" class="card__title">
            お知らせ
          </h2>
          <a href="/notices">お知らせ一覧へ</a>
        </div>
        <NoticesOrNone notices={notices.slice(0, 3)} />
      </section>
    </Layout>
  );
}

/** 画面申請のメニュー (manual 1 ③): 申請を行う, 状況の照会, 納付を行う. */
export function OnlineMenuPage({ ctx, ended, menu }: { ctx: PageContext; ended: boolean; menu: readonly MenuEntry[] }) {
  return (
    <Layout ctx={ctx} title="画面申請" mainClass="main--wide">
      {ended ? (
        <Banner kind="success" title="申請状況の確認を終了しました。">
          <p>続けて操作する場合は、下のメニューから選択してください。</p>
        </Banner>
      ) : null}
      <div class="online-heading">
        <h1>当サイトより申請する方（画面申請）</h1>
        <a class="online-heading__notices" href="/notices">
          お知らせはこちら
        </a>
      </div>
      <div class="top-grid">
        <div>
          <section class="card" aria-labelledby="first-heading">
            <h2 id="first-heading" class="card__title">
              はじめての方
            </h2>
            <p>申請の前に必要な準備（電子証明書、申請用パスワードなど）と手続の流れを確認してください。</p>
            <a class="button button--secondary" href="/first-time">
              こちらから
            </a>
          </section>
          <section class="card" aria-labelledby="menu-heading">
            <h2 id="menu-heading" class="card__title">
              事前の準備が整った方（主なメニュー）
            </h2>
            <ul class="menu-grid">
              {menu.map((m) => (
                <li class="menu-grid__item">
                  {m.href ? (
                    <a class="button button--primary button--menu" href={m.href}>
                      {m.label}
                    </a>
                  ) : (
                    <button type="button" class="button button--primary button--menu" disabled aria-describedby={`${m.key}-unavailable`}>
                      {m.label}
                    </button>
                  )}
                  <p class="menu-grid__text" id={m.href ? undefined : `${m.key}-unavailable`}>
                    {m.description}
                  </p>
                </li>
              ))}
            </ul>
          </section>
        </div>
        <div class="side-cards">
          <a class="card card--link" href="/faq">
            <h2 class="card__title">よくあるご質問</h2>
            <p>申請についてよくある質問を掲載しています。</p>
          </a>
          <a class="card card--link" href="/glossary">
            <h2 class="card__title">用語集</h2>
            <p>申請に必要な用語の意味について確認いただけます。</p>
          </a>
          <a class="card card--link" href="/weight-tax-inquiry">
            <h2 class="card__title">次回自動車重量税額照会サービス</h2>
            <p>次の継続検査（車検）で納付する自動車重量税の額の調べ方と、軽自動車の税額の目安を確認できます。</p>
          </a>
        </div>
      </div>
    </Layout>
  );
}

export interface MenuEntry {
  readonly key: string;
  readonly label: string;
  /** null: not available in this installation (shown disabled, never a dead link). */
  readonly href: string | null;
  readonly description: string;
}

/** The 画面申請 menu's entries; the applicant-actions routes fill in 申請を行う and 納付を行う. */
export const onlineMenu: MenuEntry[] = [
  { key: 'apply', label: '申請を行う', href: '/apply', description: '継続検査・新車〔新規検査・地方税申告〕の申請（初回申請）を行います。' },
  { key: 'inquiry', label: '状況の照会', href: '/inquiry/login', description: '受付番号（到達番号）と申請用パスワードで、申請の状況を確認します。' },
  { key: 'payment', label: '納付を行う', href: '/payment', description: '受付番号（到達番号）と申請用パスワードでログインし、税・手数料の納付情報を確認します。' },
  { key: 'account', label: '申請一覧（利用者ID）', href: '/account/login', description: '利用者IDでログインし、お持ちの申請の状況をまとめて確認します。利用者IDをお持ちでない方は「利用者IDの発行」から。' },
];

export function homeRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/', async (req, reply) => {
      const notices = await services.statusInquiry.publicNotifications(5);
      return sendHtml(reply, 200, renderDocument(<TopPage ctx={pageContext(req, reply)} notices={notices} />));
    });
    app.get('/online', { schema: { querystring: Type.Object({ ended: Type.Optional(Type.String({ maxLength: 10 })) }) } }, async (req, reply) =>
      sendHtml(reply, 200, renderDocument(<OnlineMenuPage ctx={pageContext(req, reply)} ended={req.query.ended === '1'} menu={onlineMenu} />)),
    );
    app.get('/notices', async (req, reply) => {
      const notices = await services.statusInquiry.publicNotifications(50);
      const ctx = pageContext(req, reply);
      return sendHtml(
        reply,
        200,
        renderDocument(
          <Layout ctx={ctx} title="お知らせ一覧">
            <h1>お知らせ一覧</h1>
            <NoticesOrNone notices={notices} />
          </Layout>,
        ),
      );
    });
  };
}
