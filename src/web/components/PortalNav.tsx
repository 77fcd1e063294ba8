/**
 * The manual's header navigation: 「はじめての方 ▾ | 事前の準備が整った方 ▾」. Each is a disclosure
 * (<details>/<summary>): it opens and closes with the keyboard (Enter, Space) and without
 * JavaScript; site.js adds Escape, a click outside, and one menu open at a time.
 */
export const portalMenus: { readonly key: string; readonly label: string; readonly items: readonly { readonly href: string; readonly label: string }[] }[] = [
  {
    key: 'first-time',
    label: 'はじめての方',
    items: [
      { href: '/first-time', label: 'はじめての方（手続を行うための基本）' },
      { href: '/first-time#conditions', label: '申請をするための条件' },
      { href: '/first-time#preparation', label: '事前の準備' },
      { href: '/account/register', label: '利用者IDの発行' },
      { href: '/first-time#flow', label: '手続の流れ' },
      { href: '/faq', label: 'よくあるご質問' },
      { href: '/glossary', label: '用語集' },
    ],
  },
  {
    key: 'ready',
    label: '事前の準備が整った方',
    items: [
      { href: '/online', label: '画面申請（主なメニュー）' },
      { href: '/apply', label: '申請を行う' },
      { href: '/inquiry/login', label: '状況の照会' },
      { href: '/payment', label: '納付を行う' },
      { href: '/account/login', label: '利用者ID ログイン（申請一覧）' },
      { href: '/bulk', label: '一括申請' },
      { href: '/weight-tax-inquiry', label: '次回自動車重量税額照会サービス' },
    ],
  },
];

export function PortalNav() {
  return (
    <nav class="global-nav" aria-label="メインメニュー">
      <ul class="global-nav__list">
        {portalMenus.map((menu, i) => (
          <li class="global-nav__item">
            {i > 0 ? (
              <span class="nav-separator" aria-hidden="true">
                |
              </span>
            ) : null}
            <details class="global-nav__menu" data-menu="">
              <summary class="global-nav__summary">
                {menu.label}
                <span class="global-nav__caret" aria-hidden="true">
                  {' '}
                  ▾
                </span>
              </summary>
              <ul class="global-nav__submenu">
                {menu.items.map((item) => (
                  <li>
                    <a href={item.href}>{item.label}</a>
                  </li>
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** サイト内検索 in the header: a GET form, answered by the server (/search). */
export function SiteSearchForm() {
  return (
    <form class="site-search" role="search" method="get" action="/search" aria-label="サイト内検索">
      <label for="site-search-q" class="visually-hidden">
        サイト内検索のキーワード
      </label>
      <input type="search" id="site-search-q" name="q" class="site-search__input" maxLength={100} autocomplete="off" placeholder="サイト内検索" />
      <button type="submit" class="site-search__button">
        検索
      </button>
    </form>
  );
}

export const COPYRIGHT = 'Copyright © 2019, Light Motor Vehicle Inspection Organization. All rights reserved.';
