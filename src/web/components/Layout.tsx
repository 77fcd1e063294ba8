import type { ComponentChildren } from 'preact';
import type { FontSize, PageContext } from '../page-context.js';
import { assetUrl } from '../plugins/assets.js';
import { COPYRIGHT, PortalNav, SiteSearchForm } from './PortalNav.js';

const SITE_NAME = '軽自動車保有関係手続のワンストップサービス';

const fontSizes: { size: FontSize; label: string }[] = [
  { size: 'small', label: '小' },
  { size: 'medium', label: '中' },
  { size: 'large', label: '大' },
];

/** 文字サイズ 小 中 大: links that work without JavaScript (a cookie remembers the choice). */
function FontSizeControl({ ctx }: { ctx: PageContext }) {
  return (
    <div class="font-size" role="group" aria-labelledby="font-size-label">
      <span id="font-size-label">文字サイズ</span>
      {fontSizes.map(({ size, label }) => (
        <a
          href={`/font-size?size=${size}&return=${encodeURIComponent(ctx.path)}`}
          class="font-size__option"
          aria-label={`文字サイズ ${label}`}
          aria-current={ctx.fontSize === size ? 'true' : undefined}
          data-font-size={size}
        >
          {label}
        </a>
      ))}
    </div>
  );
}

export interface LayoutProps {
  readonly ctx: PageContext;
  /** The page's own title, without the site name. */
  readonly title: string;
  /** Set when the page shows form errors: the title is prefixed with エラー：. */
  readonly hasErrors?: boolean | undefined;
  readonly children: ComponentChildren;
  /** Extra class on <main> (page-specific layout). */
  readonly mainClass?: string | undefined;
}

/** Every page of the portal: skip link, header with the utility links and 文字サイズ, main, footer. */
export function Layout({ ctx, title, hasErrors, children, mainClass }: LayoutProps) {
  const fullTitle = `${hasErrors ? 'エラー：' : ''}${title}｜${ctx.area === 'staff' ? '軽自動車OSS 事務所等用画面' : '軽自動車OSS'}`;
  return (
    <html lang="ja" data-font-size={ctx.fontSize}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{fullTitle}</title>
        <link rel="icon" href={assetUrl('favicon.svg')} type="image/svg+xml" />
        <link rel="stylesheet" href={assetUrl('design-tokens.css')} />
        <link rel="stylesheet" href={assetUrl('site.css')} />
        <link rel="stylesheet" href={assetUrl('print.css')} media="print" />
        <script src={assetUrl('site.js')} defer></script>
      </head>
      <body class={`area-${ctx.area}`}>
        <a class="skip-link" href="#main">
          本文へ移動
        </a>
        <header class="site-header">
          <div class="site-header__inner">
            <a class="site-header__logo" href={ctx.area === 'staff' ? '/staff' : '/'}>
              <span class="site-header__logo-mark" aria-hidden="true">
                軽
              </span>
              <span class="site-header__logo-text">
                軽自動車保有関係手続の<br />
                ワンストップサービス
                {ctx.area === 'staff' ? <span class="site-header__area">事務所等用画面</span> : null}
              </span>
            </a>
            <nav class="utility-nav" aria-label="サイト共通メニュー">
              <ul>
                {ctx.area === 'staff' ? (
                  ctx.staffName ? <li class="utility-nav__user">{ctx.staffName}</li> : null
                ) : (
                  <>
                    {/* 「お問い合わせ | よくあるご質問 | サイトマップ | 文字サイズ」 as in the manual; the bars are not read out. */}
                    <li>
                      <a href="/contact">お問い合わせ</a>
                    </li>
                    <li>
                      <span class="nav-separator" aria-hidden="true">
                        |
                      </span>
                      <a href="/faq">よくあるご質問</a>
                    </li>
                    <li>
                      <span class="nav-separator" aria-hidden="true">
                        |
                      </span>
                      <a href="/sitemap">サイトマップ</a>
                    </li>
                  </>
                )}
              </ul>
              {ctx.area === 'portal' ? (
                <span class="nav-separator" aria-hidden="true">
                  |
                </span>
              ) : null}
              <FontSizeControl ctx={ctx} />
              {ctx.area === 'portal' ? <SiteSearchForm /> : null}
            </nav>
          </div>
          {ctx.area === 'portal' ? <PortalNav /> : null}
        </header>
        <main id="main" class={mainClass ? `main ${mainClass}` : 'main'} tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <div class="site-footer__inner">
            {ctx.area === 'portal' ? (
              <p>
                お問い合わせ先 TEL：<a href="tel:050-3364-0800">050-3364-0800</a>（軽自動車OSS専用ダイヤル）
              </p>
            ) : null}
            <p class="site-footer__name">{SITE_NAME}</p>
            {ctx.area === 'portal' ? <p class="site-footer__copyright">{COPYRIGHT}</p> : null}
          </div>
        </footer>
      </body>
    </html>
  );
}
