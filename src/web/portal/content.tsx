import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ComponentChildren } from 'preact';
import { Layout } from '../components/Layout.js';
import { attachmentKinds } from '../../domain/procedures.js';
import { COUNTER_HOURS } from '../../domain/offices.js';
import { pageContext, type PageContext } from '../page-context.js';
import { renderDocument, sendHtml } from '../render.js';

function ContentPage({ ctx, title, children }: { ctx: PageContext; title: string; children: ComponentChildren }) {
  return (
    <Layout ctx={ctx} title={title}>
      <article class="prose">
        <h1>{title}</h1>
        {children}
      </article>
    </Layout>
  );
}

export const faq: { q: string; a: ComponentChildren }[] = [
  {
    q: '受付番号（到達番号）はどこで確認できますか。',
    a: '初回申請の後に画面に表示され、払い出されます。到達番号は申請が届いたときに、受付番号は軽自動車検査協会で申請が受け付けられたときに払い出されます。状況の照会には、どちらの番号でもログインできます。',
  },
  {
    q: '受付番号はハイフンや空白を入れて入力してもよいですか。',
    a: '入力できます。「2112 2310 5000 30459」「2112-2310-5000-30459」のように区切っても、全角数字で入力しても、数字17桁として受け付けます。',
  },
  {
    q: '申請用パスワードを忘れました。',
    a: '申請用パスワードは初回申請時にご自身で設定したものです。セキュリティのため、画面やお電話でお伝えすることはできません。軽自動車OSS専用ダイヤルにご相談ください。',
  },
  {
    q: 'パスワードを何度か間違えたらログインできなくなりました。',
    a: '不正なログインを防ぐため、続けて誤ったパスワードが入力された受付番号は、一定時間ログインできなくなります。画面に表示される時刻を過ぎてから、もう一度お試しください。',
  },
  {
    q: '「検査申請補正待ち」と表示されています。',
    a: (
      <>
        申請内容や添付書類に不備があり、補正が通知された状態です。画面下部の「通知等情報」で理由と期限日を確認し、「申請を補正する」ボタンから補正申請を行ってください。補正期限を過ぎると期限切れ却下となり、申請は無効になります。詳しくは<a href="/inquiry/status-guide">申請状況の詳細</a>をご覧ください。
      </>
    ),
  },
  {
    q: '「まとめ払い中」とは何ですか。',
    a: '複数の税・手数料をまとめて納付する「まとめ納付」を選択した状態です。納付対象を選択して納付番号を取得するまでは、申請を取り下げることもできます。',
  },
  {
    q: '審査はいつ行われますか。',
    a: `申請は24時間いつでも送信できますが、審査は軽自動車検査協会の事務所等の開庁日（平日。祝日と12月29日〜1月3日を除く）に行われます。時間外に届いた申請は、翌開庁日以降に審査します。窓口受付時間は${COUNTER_HOURS}です。`,
  },
  {
    q: '二次元コードの発行ボタンが押せません。',
    a: '「受取者認証兼受取車両個別申告用二次元コードの発行」ボタンは、申請状況が「返付準備完了」（継続検査）または「交付準備完了」（新車）のときにだけ押すことができます。',
  },
];

export const glossary: { term: string; description: string }[] = [
  { term: '軽自動車OSS', description: '軽自動車保有関係手続のワンストップサービス。軽自動車の検査・登録や税の手続を、インターネットでまとめて行うためのサービスです。' },
  { term: '到達番号', description: '申請が軽自動車OSSに届いたときに払い出される17桁の番号です。受付番号が払い出されるまでは、この番号で状況を照会します。' },
  { term: '受付番号', description: '軽自動車検査協会の受付チェックを経て申請が受け付けられたときに払い出される17桁の番号です。' },
  { term: '申請用パスワード', description: '初回申請時に申請者が設定するパスワードです。状況の照会や納付、補正の際に使用します。' },
  { term: '継続検査', description: '自動車検査証の有効期間を更新するための検査（いわゆる車検）です。' },
  { term: '新車〔新規検査・地方税申告〕', description: '新しく購入した軽自動車の新規検査と、軽自動車税（環境性能割など）の申告をまとめて行う手続です。' },
  { term: '補正', description: '申請内容や添付書類の誤りや不足を、通知に従って直すことです。補正期限までに行わないと、期限切れ却下となります。' },
  { term: '期限切れ却下', description: '補正期限までに補正申請が行われなかったため、申請が却下されることです。' },
  { term: 'まとめ納付', description: '複数の税・手数料をまとめて一度に納付する方法です。' },
  { term: 'Pay-easy（ペイジー）', description: 'インターネットバンキングやATMから、収納機関番号・納付番号・確認番号を使って税・手数料を納付する仕組みです。' },
  { term: '収納機関番号・納付番号・確認番号', description: 'Pay-easyで納付するときに入力する番号です。納付情報の欄に表示されます。' },
  { term: '記録等事務代行者', description: '軽自動車検査協会から自動車検査証の記録等の事務を委託された事業者です。利用できる場合は、交付物の受け取りに二次元コードは不要です。' },
  { term: '受取者認証兼受取車両個別申告用二次元コード', description: '事務所等の窓口で自動車検査証等の交付物を受け取るときに提示する二次元コードです。返付準備完了または交付準備完了のときに発行できます。' },
  { term: '高水準', description: '標準の文字集合に含まれない文字（いわゆる外字）を含む氏名・名称を表示する欄です。' },
  { term: '同上', description: '上の欄と同じ内容であることを表します。所有者名が「同上」のときは、所有者は使用者と同じです。' },
  ...Object.values(attachmentKinds).map((label) => ({ term: label, description: '外部システムから取得される添付書類です。取得状況は「未取得」「取得済」「不要」のいずれかで表示されます。' })),
];

/**
 * The content pages, one entry each: their routes, the site map and サイト内検索 (issue 14) read
 * this one table, so a page added here is served, listed and searchable.
 */
export const contentPages: readonly { readonly path: string; readonly title: string; readonly body: () => ComponentChildren }[] = [
  {
    path: '/contact',
    title: 'お問い合わせ',
    body: () => (
      <>
      <p>軽自動車OSSの操作方法や申請の状況についてのお問い合わせは、次の窓口で受け付けています。</p>
      <dl class="definition">
        <dt>軽自動車OSS専用ダイヤル</dt>
        <dd>
          TEL：<a href="tel:050-3364-0800">050-3364-0800</a>
        </dd>
        <dt>受付時間</dt>
        <dd>平日 9時00分〜17時45分（祝日、12月29日〜1月3日を除く）</dd>
      </dl>
      <p>お問い合わせの際は、受付番号（到達番号）をお手元にご用意ください。申請用パスワードをお伺いすることはありません。</p>
      <p>
        よくあるお問い合わせは<a href="/faq">よくあるご質問</a>にまとめています。
      </p>
      </>
    ),
  },
  {
    path: '/first-time',
    title: 'はじめての方',
    body: () => (
      <>
      <h2 id="conditions">申請をするための条件</h2>
      <p>軽自動車OSSでは、次の手続を電子申請で行えます。</p>
      <ul>
        <li>継続検査（自動車検査証の有効期間の更新）</li>
        <li>新車〔新規検査・地方税申告〕</li>
      </ul>
      <h2 id="preparation">事前の準備</h2>
      <ul>
        <li>申請者の署名用電子証明書（マイナンバーカード等）</li>
        <li>申請用パスワード（初回申請時にご自身で設定します。状況の照会に使います）</li>
        <li>税・手数料を納付するためのインターネットバンキングまたはPay-easy対応ATM</li>
        <li>
          利用者ID（多数の申請を行う販売店・整備事業者・行政書士事務所などの方。まとめ納付を行う場合は必須です）：<a href="/account/register">利用者IDの発行</a>
        </li>
      </ul>
      <h2 id="flow">手続の流れ</h2>
      <ol>
        <li>初回申請を行うと、到達番号が払い出されます。</li>
        <li>軽自動車検査協会の受付チェックを経て、受付番号が払い出されます。</li>
        <li>検査手数料・技術情報管理手数料、自動車重量税（新車は軽自動車税環境性能割も）を納付します。</li>
        <li>事務所等で審査が行われます。補正が通知された場合は、補正期限までに補正申請を行います。</li>
        <li>返付準備完了・交付準備完了になったら、二次元コードを印刷して事務所等の窓口で交付物を受け取ります。</li>
      </ol>
      <p>
        申請の状況は、<a href="/inquiry/login">状況の照会</a>でいつでも確認できます。
      </p>
      </>
    ),
  },
  {
    path: '/bulk',
    title: '一括申請',
    body: () => (
      <>
      <p>一括申請は、販売店や行政書士事務所などが、一括利用者システム（自社の業務システム等）から多数の申請をまとめて送信し、その申請状況をまとめて確認する方法です。一括利用者システムは各事業者が用意します。軽自動車OSSは、そのための API（一括申請 API）を提供しています。</p>
      <h2 id="bulk-before">はじめに</h2>
      <ol>
        <li>
          <a href="/account/register">利用者IDを発行</a>します（一括申請で送信した申請は、その利用者IDの申請一覧に入ります）。
        </li>
        <li>
          利用者IDでログインし、利用者情報の「<a href="/account/api">APIトークン・Webhook</a>」の画面で APIトークンを発行します。トークンには名前・権限（参照・申請・操作）・有効期限（30日・90日・365日）を付けられます。トークンは発行したときに一度だけ表示されますので、一括利用者システムに保存してください。
        </li>
        <li>
          一括利用者システムから、APIトークンを付けて API を呼び出します。API の詳しい説明は<a href="/api/docs">API の説明（OpenAPI）</a>をご覧ください。
        </li>
      </ol>
      <h2 id="bulk-filing">申請をまとめて送信する（一括申請）</h2>
      <p>1回に500件まで、JSON または CSV で送信できます。各行は画面の「申請を行う」と同じ規則で確認し、行ごとに到達番号または誤りの内容（項目とメッセージ）をお返しします。誤りのない行は申請され、誤りのある行は申請されません。誤りを直した行だけを、もう一度送信してください。</p>
      <ul>
        <li>
          CSV は<a href="/api/v1/account/applications/template.csv">CSV テンプレート</a>の1行目（見出し）の列名を使い、2行目から1行に1件ずつ記入します。文字コードは UTF-8（BOM 付き・なし）または Shift_JIS（Excel の「CSV（コンマ区切り）」）に対応しています。
        </li>
        <li>各行に申請用パスワードを記入してください。申請者は、受付番号（到達番号）と申請用パスワードで、画面申請の「状況の照会」からも状況を確認できます。</li>
        <li>通信が途中で切れた場合も、同じキー（Idempotency-Key または各行の rowKey）を付けて送り直せば、同じ申請が二重に行われることはありません。</li>
      </ul>
      <h2 id="bulk-status">申請状況をまとめて確認する</h2>
      <ul>
        <li>一括照会：受付番号（到達番号）を1回に1,000件まで指定し、それぞれの申請状況（手続進捗状況、通知メッセージ、期限、納付情報、できる操作）を受け取れます。</li>
        <li>変更の一覧：利用者IDの申請の申請状況の変更を、確定した順に受け取れます。前回の続きから1分に1回程度受け取れば、すべての申請の変更を漏れなく把握できます。</li>
        <li>Webhook：登録した URL に、申請状況が変わるたびに変更の内容を送信します。送信には署名（Standard Webhooks 形式）を付けます。送信に3日以上失敗し続けた送信先は無効にし、連絡先メールアドレスにお知らせします。</li>
      </ul>
      <h2 id="bulk-limits">ご利用にあたって</h2>
      <ul>
        <li>1つの APIトークンで、照会は1分間に120回、一括申請は1分間に20回まで行えます。超えた場合は、しばらく待ってから（応答の Retry-After の秒数の後に）もう一度送信してください。</li>
        <li>APIトークンはパスワードと同じように扱ってください。漏れたおそれがある場合は、「APIトークン・Webhook」の画面ですぐに無効にしてください。</li>
        <li>一括申請で送信した申請も、受付番号（到達番号）と申請用パスワードがあれば、画面申請の「状況の照会」から状況を確認できます。</li>
      </ul>
      <p>
        <a class="button button--secondary" href="/online">
          画面申請のメニューへ
        </a>
      </p>
      </>
    ),
  },
  {
    path: '/terms',
    title: '軽自動車保有関係手続のワンストップサービス利用規約',
    body: () => (
      <>
      <p>軽自動車OSSをご利用になる方は、この利用規約の全ての事項に同意いただくことが必要となります。</p>
      <h2>第1条（目的）</h2>
      <p>この規約は、軽自動車保有関係手続のワンストップサービス（以下「本サービス」）の利用に関し、必要な事項を定めるものです。</p>
      <h2>第2条（申請用パスワードの管理）</h2>
      <p>利用者は、申請用パスワードを自らの責任で管理し、第三者に知られないようにしなければなりません。</p>
      <h2>第3条（禁止事項）</h2>
      <p>利用者は、本サービスに不正にアクセスし、他人の申請を閲覧・操作し、または本サービスの運営を妨げる行為をしてはなりません。</p>
      <h2>第4条（サービスの停止）</h2>
      <p>保守その他の理由により、本サービスを一時的に停止することがあります。</p>
      <h2>第5条（個人情報）</h2>
      <p>申請に含まれる個人情報は、申請に係る手続の処理のためにのみ利用します。</p>
      </>
    ),
  },
];

type SiteMapEntry = { readonly href: string; readonly label: string; readonly children?: readonly SiteMapEntry[] };

/** Every page a visitor can open (issue 14: 申請を行う and 納付を行う included); e2e checks each is served. */
export const siteMap: readonly SiteMapEntry[] = [
  {
    href: '/',
    label: 'トップページ',
    children: [
      {
        href: '/online',
        label: '画面申請（当サイトより申請する方）',
        children: [
          { href: '/apply', label: '申請を行う（初回申請）' },
          { href: '/inquiry/login', label: '状況の照会（状況照会 ログイン）' },
          { href: '/payment', label: '納付を行う' },
          { href: '/account/login', label: '利用者ID ログイン（申請一覧）' },
          { href: '/account/register', label: '利用者IDの発行' },
          { href: '/account/password-reset', label: 'パスワードの再設定（利用者ID）' },
          { href: '/inquiry/status-guide', label: '申請状況の詳細' },
          { href: '/weight-tax-inquiry', label: '次回自動車重量税額照会サービス' },
        ],
      },
      { href: '/bulk', label: '一括申請' },
      ...contentPages.filter((p) => p.path !== '/bulk').map((p) => ({ href: p.path, label: p.title })),
      { href: '/faq', label: 'よくあるご質問' },
      { href: '/glossary', label: '用語集' },
      { href: '/notices', label: 'お知らせ一覧' },
      { href: '/search', label: 'サイト内検索' },
      { href: '/sitemap', label: 'サイトマップ' },
    ],
  },
];

function SiteMapList({ entries }: { entries: readonly SiteMapEntry[] }) {
  return (
    <ul class="sitemap">
      {entries.map((e) => (
        <li>
          <a href={e.href}>{e.label}</a>
          {e.children ? <SiteMapList entries={e.children} /> : null}
        </li>
      ))}
    </ul>
  );
}

function SiteMap() {
  return <SiteMapList entries={siteMap} />;
}

export const contentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const send = (reply: FastifyReply, html: string) => sendHtml(reply, 200, html);

  for (const page of contentPages) {
    app.get(page.path, async (req, reply) =>
      send(
        reply,
        renderDocument(
          <ContentPage ctx={pageContext(req, reply)} title={page.title}>
            {page.body()}
          </ContentPage>,
        ),
      ),
    );
  }


  app.get('/faq', async (req, reply) =>
    send(
      reply,
      renderDocument(
        <ContentPage ctx={pageContext(req, reply)} title="よくあるご質問">
          {faq.map((item, i) => (
            <section class="faq-item" aria-labelledby={`faq-${i}`}>
              <h2 id={`faq-${i}`}>Q. {item.q}</h2>
              <p>A. {item.a}</p>
            </section>
          ))}
        </ContentPage>,
      ),
    ),
  );

  app.get('/glossary', async (req, reply) =>
    send(
      reply,
      renderDocument(
        <ContentPage ctx={pageContext(req, reply)} title="用語集">
          <dl class="definition definition--glossary">
            {glossary.map((g, i) => (
              <>
                <dt id={`term-${i}`}>{g.term}</dt>
                <dd>{g.description}</dd>
              </>
            ))}
          </dl>
        </ContentPage>,
      ),
    ),
  );

  app.get('/sitemap', async (req, reply) =>
    send(
      reply,
      renderDocument(
        <ContentPage ctx={pageContext(req, reply)} title="サイトマップ">
          <SiteMap />
        </ContentPage>,
      ),
    ),
  );
};
