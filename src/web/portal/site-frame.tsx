import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { weightTaxItem } from '../../domain/fees.js';
import { weightTaxBands } from '../../domain/filing.js';
import { formatYen } from '../../domain/format.js';
import type { WeightTaxBand } from '../../domain/application.js';
import { Layout } from '../components/Layout.js';
import { pageContext, type PageContext } from '../page-context.js';
import { renderDocument, sendHtml } from '../render.js';
import { contentPages, faq, glossary } from './content.js';

/**
 * The page frame of the manual that is more than the layout (issue 14): サイト内検索 over the content
 * pages, the FAQ and the glossary; the 次回自動車重量税額照会サービス page the 画面申請 menu points to;
 * and /favicon.ico for browsers that ask for it by that name.
 */

export const WEIGHT_TAX_SERVICE = '次回自動車重量税額照会サービス';

/** Our own markup as plain text (the index is built from pages this program renders itself). */
function plainText(children: ComponentChildren): string {
  return renderToString(<>{children}</>)
    .replace(/<[^>]*>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface SearchEntry {
  readonly url: string;
  readonly title: string;
  /** Where the entry is: ページ, よくあるご質問, 用語集. */
  readonly section: string;
  readonly text: string;
}

function WeightTaxBody() {
  const bands = Object.keys(weightTaxBands) as WeightTaxBand[];
  return (
    <>
      <p>
        {WEIGHT_TAX_SERVICE}は、次の継続検査（車検）のときに納付する自動車重量税の額を、自動車検査証（車検証）に記載された情報から事前に確認できる、国土交通省のサービスです。軽自動車OSSとは別のサービスで、このサイトから照会することはできません。
      </p>
      <h2 id="weight-tax-in-oss">軽自動車OSSでの自動車重量税</h2>
      <p>
        軽自動車OSSで申請した場合、納付する自動車重量税の額は、申請が受け付けられた後に「状況の照会」の「納付情報」に表示されます。申請の前に目安を知りたい場合は、次の表をご覧ください（軽自動車、一般料金）。
      </p>
      <div class="table-scroll" role="region" aria-labelledby="weight-tax-caption" tabIndex={0}>
        <table class="data-table weight-tax-table">
          <caption id="weight-tax-caption">自動車重量税の額（軽自動車）</caption>
          <thead>
            <tr>
              <th scope="col">自動車重量税の区分</th>
              <th scope="col">継続検査（2年）</th>
              <th scope="col">新車（3年）</th>
            </tr>
          </thead>
          <tbody>
            {bands.map((band) => (
              <tr>
                <th scope="row">{weightTaxBands[band]}</th>
                <td class="nowrap">{formatYen(weightTaxItem('continuousInspection', band).amount)}</td>
                <td class="nowrap">{formatYen(weightTaxItem('newVehicle', band).amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        実際の額は、車両の初度登録年月やエコカー減税の対象かどうかで決まります。不明な場合は<a href="/contact">軽自動車OSS専用ダイヤル</a>にお問い合わせください。
      </p>
      <p>
        <a class="button button--secondary" href="/online">
          画面申請のメニューへ
        </a>
      </p>
    </>
  );
}

/** Everything サイト内検索 looks in, built once from the same data the pages render. */
export function searchIndex(): SearchEntry[] {
  return [
    ...contentPages.map((p) => ({ url: p.path, title: p.title, section: 'ページ', text: plainText(p.body()) })),
    { url: '/weight-tax-inquiry', title: WEIGHT_TAX_SERVICE, section: 'ページ', text: plainText(<WeightTaxBody />) },
    ...faq.map((f, i) => ({ url: `/faq#faq-${i}`, title: f.q, section: 'よくあるご質問', text: `${f.q} ${plainText(f.a)}` })),
    ...glossary.map((g, i) => ({ url: `/glossary#term-${i}`, title: g.term, section: '用語集', text: `${g.term} ${g.description}` })),
  ];
}

const fold = (s: string) => s.normalize('NFKC').toLowerCase();

/** Up to five keywords (NFKC, lower case), each at most 50 characters. */
export function searchTerms(q: string): string[] {
  return fold(q)
    .split(/\s+/)
    .filter((t) => t !== '')
    .slice(0, 5)
    .map((t) => t.slice(0, 50));
}

export interface SearchHit extends SearchEntry {
  /** The text around the first keyword, and the keyword as found. */
  readonly snippet: { readonly before: string; readonly match: string; readonly after: string };
}

/** Every entry containing all the keywords; those with a keyword in the title first. */
export function search(index: readonly SearchEntry[], terms: readonly string[]): SearchHit[] {
  if (terms.length === 0) return [];
  const hits = index.filter((e) => {
    const text = fold(`${e.title} ${e.text}`);
    return terms.every((t) => text.includes(t));
  });
  const inTitle = (e: SearchEntry) => (terms.some((t) => fold(e.title).includes(t)) ? 0 : 1);
  return hits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => inTitle(a.e) - inTitle(b.e) || a.i - b.i)
    .map(({ e }) => {
      // NFKC keeps the length of Japanese text and ASCII; the folded position is close enough for a snippet.
      const folded = fold(e.text);
      const at = Math.max(0, folded.indexOf(terms[0]!));
      const start = Math.max(0, at - 40);
      const end = Math.min(e.text.length, at + terms[0]!.length + 60);
      return {
        ...e,
        snippet: { before: `${start > 0 ? '…' : ''}${e.text.slice(start, at)}`, match: e.text.slice(at, at + terms[0]!.length), after: `${e.text.slice(at + terms[0]!.length, end)}${end < e.text.length ? '…' : ''}` },
      };
    });
}

function SearchPage({ ctx, q, hits }: { ctx: PageContext; q: string; hits: readonly SearchHit[] | null }) {
  return (
    <Layout ctx={ctx} title={q ? `サイト内検索「${q}」` : 'サイト内検索'}>
      <h1>サイト内検索</h1>
      <form class="search-page__form" role="search" method="get" action="/search" aria-label="サイト内検索（このページ）">
        <label for="search-q" class="form-field__label">
          キーワード
        </label>
        <p id="search-q-hint" class="form-field__hint">
          ページ、よくあるご質問、用語集から探します。空白で区切ると、すべてを含むものを探します。
        </p>
        <div class="search-page__row">
          <input type="search" id="search-q" name="q" class="input input--medium" value={q} maxLength={100} aria-describedby="search-q-hint" />
          <button type="submit" class="button button--primary">
            検索する
          </button>
        </div>
      </form>
      {hits === null ? (
        <p>キーワードを入力して「検索する」を押してください。</p>
      ) : (
        <>
          <p role="status" class="search-page__count">
            「{q}」の検索結果：{hits.length}件
          </p>
          {hits.length === 0 ? (
            <p>
              見つかりませんでした。別のキーワードで探すか、<a href="/sitemap">サイトマップ</a>からページを選んでください。
            </p>
          ) : (
            <ol class="search-results">
              {hits.map((h) => (
                <li class="search-results__item">
                  <a href={h.url} class="search-results__title">
                    {h.title}
                  </a>
                  <span class="search-results__section">（{h.section}）</span>
                  <p class="search-results__snippet">
                    {h.snippet.before}
                    <mark>{h.snippet.match}</mark>
                    {h.snippet.after}
                  </p>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </Layout>
  );
}

export const siteFrameRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const index = searchIndex();

  app.get('/search', { schema: { querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) }) } }, async (req, reply) => {
    const q = (req.query.q ?? '').trim();
    const terms = searchTerms(q);
    return sendHtml(reply, 200, renderDocument(<SearchPage ctx={pageContext(req, reply)} q={q} hits={terms.length === 0 ? null : search(index, terms)} />));
  });

  app.get('/weight-tax-inquiry', async (req, reply) =>
    sendHtml(reply, 200,
      renderDocument(
        <Layout ctx={pageContext(req, reply)} title={WEIGHT_TAX_SERVICE}>
          <article class="prose">
            <h1>{WEIGHT_TAX_SERVICE}</h1>
            <WeightTaxBody />
          </article>
        </Layout>,
      ),
    ),
  );

  // Browsers ask for /favicon.ico on their own; the icon is an SVG file among the assets.
  app.get('/favicon.ico', async (_req, reply) => reply.redirect('/assets/favicon.svg', 301));
};
