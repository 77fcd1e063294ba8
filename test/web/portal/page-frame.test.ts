import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPYRIGHT } from '../../../src/web/components/PortalNav.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf, titleOf } from '../../support/browser.js';
import { browserFor } from '../api/support.js';

/** Issue 14: the page frame of the manual — Copyright, header menus, サイト内検索, favicon, site map. */
describe('the page frame of the manual', () => {
  let t: TestApp;
  const get = (url: string) => new TestBrowser(t.app).get(url);
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('the Copyright line of the manual is on the login pages and the status page', async () => {
    expect(COPYRIGHT).toBe('Copyright © 2019, Light Motor Vehicle Inspection Organization. All rights reserved.');
    const b = browserFor(t.app);
    const login = await b.get('/inquiry/login');
    expect(textOf(login.body)).toContain(COPYRIGHT);
    await b.post('/inquiry/login', { receiptNumber: '1100 0000 0000 00005' });
    const password = await b.get('/inquiry/login/password');
    expect(titleOf(password.body)).toBe('状況照会 ログイン 継続検査｜軽自動車OSS');
    expect(textOf(password.body)).toContain(COPYRIGHT);
    const status = await browserFor(t.app).login('1100 0000 0000 00005', 'demo0105');
    expect(textOf(status.body)).toContain(`軽自動車保有関係手続のワンストップサービス ${COPYRIGHT}`);
    expect(textOf((await get('/')).body)).toContain(COPYRIGHT);
  });

  it('the header reads as the manual: 「お問い合わせ | よくあるご質問 | サイトマップ | 文字サイズ」 and 「はじめての方 ▾ | 事前の準備が整った方 ▾」 menus that work without JavaScript', async () => {
    const res = await get('/online');
    const text = textOf(res.body);
    expect(text).toContain('お問い合わせ | よくあるご質問 | サイトマップ | 文字サイズ 小 中 大');
    const summaries = [...res.body.matchAll(/<summary class="global-nav__summary">([\s\S]*?)<\/summary>/g)].map((m) => textOf(m[1]!));
    expect(summaries).toEqual(['はじめての方 ▾', '事前の準備が整った方 ▾']);
    expect(text).toContain('用語集 | 事前の準備が整った方 ▾');
    // Disclosures: <details>/<summary> open with Enter or Space, no script needed; the bars are not read out.
    expect(res.body).toContain('<nav class="global-nav" aria-label="メインメニュー">');
    expect((res.body.match(/<details class="global-nav__menu" data-menu>/g) ?? []).length).toBe(2);
    expect(res.body).toContain('<span class="nav-separator" aria-hidden="true">|</span>');
    const menu = res.body.slice(res.body.indexOf('事前の準備が整った方<span'), res.body.indexOf('</details>', res.body.indexOf('事前の準備が整った方<span')));
    for (const href of ['/apply', '/inquiry/login', '/payment', '/weight-tax-inquiry']) expect(menu).toContain(`href="${href}"`);
    expect(res.body).toContain('<form class="site-search" role="search" method="get" action="/search" aria-label="サイト内検索">');
  });

  it('サイト内検索 finds content pages, FAQ answers and glossary terms, every keyword required, typed in any width', async () => {
    const res = await get(`/search?q=${encodeURIComponent('パスワード')}`);
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    expect(text).toMatch(/「パスワード」の検索結果：\d+件/);
    expect(res.body).toContain('<a href="/faq#faq-2" class="search-results__title">申請用パスワードを忘れました。</a>');
    expect(res.body).toContain('href="/glossary#term-3" class="search-results__title">申請用パスワード</a>');
    expect(res.body).toContain('<mark>パスワード</mark>');
    // Two keywords: both must be there. Full-width Latin is the same word.
    const both = await get(`/search?q=${encodeURIComponent('ＰＡＹ－ＥＡＳＹ　納付番号')}`);
    expect(textOf(both.body)).toContain('収納機関番号・納付番号・確認番号 （用語集）');
    expect(textOf(both.body)).not.toContain('年末年始');
    // A content page (はじめての方) by a word of its body, and the 重量税 page.
    expect((await get(`/search?q=${encodeURIComponent('マイナンバーカード')}`)).body).toContain('<a href="/first-time" class="search-results__title">はじめての方</a>');
    expect((await get(`/search?q=${encodeURIComponent('重量税')}`)).body).toContain('<a href="/weight-tax-inquiry" class="search-results__title">次回自動車重量税額照会サービス</a>');
    // Nothing found, nothing asked, something hostile.
    expect(textOf((await get('/search?q=zzzzqqqq')).body)).toContain('「zzzzqqqq」の検索結果：0件 見つかりませんでした。');
    expect(textOf((await get('/search')).body)).toContain('キーワードを入力して「検索する」を押してください。');
    const hostile = await get(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(hostile.statusCode).toBe(200);
    expect(hostile.body).not.toContain('<script>alert');
    const tooLong = await get(`/search?q=${'あ'.repeat(101)}`);
    expect(tooLong.statusCode).toBe(400);
    expect(textOf(tooLong.body)).toContain('入力内容に誤りがあります');
  });

  it('the 画面申請 menu has 「お知らせはこちら」 and the 次回自動車重量税額照会サービス box, each leading to a real page', async () => {
    const res = await get('/online');
    expect(res.body).toContain('<a class="online-heading__notices" href="/notices">お知らせはこちら</a>');
    expect(res.body).toContain('<a class="card card--link" href="/weight-tax-inquiry"><h2 class="card__title">次回自動車重量税額照会サービス</h2>');
    const page = await get('/weight-tax-inquiry');
    expect(page.statusCode).toBe(200);
    expect(titleOf(page.body)).toBe('次回自動車重量税額照会サービス｜軽自動車OSS');
    const text = textOf(page.body);
    expect(text).toContain('次回自動車重量税額照会サービスは、次の継続検査（車検）のときに納付する自動車重量税の額を');
    expect(text).toContain('標準（初度登録から13年未満） ¥ 6,600 ¥ 9,900');
    expect((await get('/notices')).statusCode).toBe(200);
  });

  it('a favicon: a real icon file, linked from every page, and /favicon.ico leads to it', async () => {
    const page = await get('/');
    expect(page.body).toMatch(/<link rel="icon" href="\/assets\/favicon\.[0-9a-f]{10}\.svg" type="image\/svg\+xml"\/>/);
    const icon = await get('/assets/favicon.svg');
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(icon.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 32 32">/);
    const ico = await get('/favicon.ico');
    expect(ico.statusCode).toBe(301);
    expect(ico.headers.location).toBe('/assets/favicon.svg');
  });

  it('the site map lists every page a visitor can open, 申請を行う and 納付を行う included, and each answers', async () => {
    const res = await get('/sitemap');
    const links = [...res.body.matchAll(/<li><a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1]!, m[2]!] as const);
    const hrefs = links.map(([h]) => h);
    expect(links).toContainEqual(['/apply', '申請を行う（初回申請）']);
    expect(links).toContainEqual(['/payment', '納付を行う']);
    // Every GET page of the portal without a login or a step before it.
    const needsState = new Set(['/inquiry/status', '/inquiry/login/password', '/inquiry/withdraw', '/inquiry/correction', '/inquiry/payments', '/inquiry/collection-code', '/apply/complete', '/account/registered', '/account', '/account/applications', '/account/applications.csv', '/account/applications/add', '/account/payments', '/account/api', '/account/totp', '/favicon.ico', '/font-size', '/healthz', '/readyz']);
    const pages = [...new Set(t.app.routeCatalogue.filter((r) => r.method === 'GET' && !r.url.includes(':') && !/^\/(staff|api|assets|__bench)/.test(r.url) && !/\.(png|ics)$/.test(r.url) && !needsState.has(r.url)).map((r) => r.url))];
    expect(pages.filter((p) => !hrefs.includes(p))).toEqual([]);
    // 納付を行う starts with the login (303), as the menu's button does.
    for (const href of hrefs) expect((await get(href)).statusCode, href).toBe(href === '/payment' ? 303 : 200);
  });
});
