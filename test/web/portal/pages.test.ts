import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { TestBrowser, textOf, titleOf } from '../../support/browser.js';

describe('portal pages (manual 1 and 6)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  });
  afterAll(async () => {
    await t.close();
  });

  it('the top page offers 画面申請 and 一括申請, はじめての方, よくあるご質問, 用語集 and お知らせ', async () => {
    const res = await new TestBrowser(t.app).get('/');
    expect(res.statusCode).toBe(200);
    const text = textOf(res.body);
    for (const words of ['軽自動車OSS申請', 'こちら 画面申請', 'こちら 一括申請', 'はじめての方', 'よくあるご質問', '用語集', 'お知らせ', 'お知らせ一覧へ', 'お問い合わせ', 'サイトマップ', '文字サイズ 小 中 大']) {
      expect(text).toContain(words);
    }
    expect(text).toContain('年末年始の窓口業務について');
    expect(res.body).toContain('<html lang="ja" data-font-size="medium">');
    expect(res.body).toContain('<a class="skip-link" href="#main">');
  });

  it('the 画面申請 menu has 申請を行う, 状況の照会 and 納付を行う, and no dead link', async () => {
    const res = await new TestBrowser(t.app).get('/online');
    const text = textOf(res.body);
    expect(text).toContain('事前の準備が整った方（主なメニュー）');
    for (const label of ['申請を行う', '状況の照会', '納付を行う']) expect(text).toContain(label);
    expect(res.body).toContain('href="/inquiry/login"');
    const hrefs = [...res.body.matchAll(/href="(\/[^"#]*)"/g)].map((m) => m[1]!).filter((h) => !h.startsWith('/assets') && !h.startsWith('/font-size'));
    for (const href of new Set(hrefs)) {
      const page = await new TestBrowser(t.app).get(href);
      expect([200, 303], `${href} answers`).toContain(page.statusCode);
    }
  });

  it('申請状況の詳細 lists the manual 14 statuses in order with 参照先の手順書', async () => {
    const res = await new TestBrowser(t.app).get('/inquiry/status-guide');
    const text = textOf(res.body);
    expect(text).toContain('以下の「申請状況」が表示されている場合、「参照先の手順書」に従って、操作を行ってください。');
    const order = ['検査手数料等納付待ち', '検査手数料等まとめ払い中', '自動車重量税納付待ち', '自動車重量税まとめ払い中', '軽自動車税納付待ち', '軽自動車税まとめ払い中', '交付準備完了', '返付準備完了', '検査申請補正待ち', '軽自動車税申告補正待ち', '検査申請取り下げ', '検査申請無効', '検査申請却下', '未受付'];
    let last = -1;
    for (const label of order) {
      const at = text.indexOf(label, last + 1);
      expect(at, label).toBeGreaterThan(last);
      last = at;
    }
    expect(text).toContain('【画面申請】税・手数料納付の操作手順');
    expect(text).toContain('【画面申請】二次元コード発行の操作手順');
    expect(text).toContain('【申請共通】補正申請の操作手順 もしくは、【申請共通】申請取り下げの操作手順');
    expect(res.body).toContain('id="status-inspectionCorrectionRequested"');
  });

  it('content pages answer honestly: お問い合わせ gives the manual number', async () => {
    const contact = await new TestBrowser(t.app).get('/contact');
    expect(textOf(contact.body)).toContain('軽自動車OSS専用ダイヤル TEL： 050-3364-0800');
    for (const [path, title] of [
      ['/faq', 'よくあるご質問'],
      ['/glossary', '用語集'],
      ['/sitemap', 'サイトマップ'],
      ['/first-time', 'はじめての方'],
      ['/bulk', '一括申請'],
      ['/notices', 'お知らせ一覧'],
    ] as const) {
      const page = await new TestBrowser(t.app).get(path);
      expect(page.statusCode).toBe(200);
      expect(titleOf(page.body)).toBe(`${title}｜軽自動車OSS`);
    }
  });

  it('文字サイズ is remembered across pages, and only local return paths are followed', async () => {
    const b = new TestBrowser(t.app);
    const set = await b.get('/font-size?size=large&return=%2Ffaq');
    expect(set.statusCode).toBe(303);
    expect(set.headers.location).toBe('/faq');
    const page = await b.get('/glossary');
    expect(page.body).toContain('data-font-size="large"');
    expect(page.body).toMatch(/aria-label="文字サイズ 大" aria-current="true"/);
    const open = await b.get('/font-size?size=small&return=%2F%2Fevil.example');
    expect(open.headers.location).toBe('/');
    const bad = await b.get('/font-size?size=huge');
    expect(bad.statusCode).toBe(400);
  });

  it('an unknown page is a Japanese 404 without internals', async () => {
    const res = await new TestBrowser(t.app).get('/no/such/page');
    expect(res.statusCode).toBe(404);
    expect(textOf(res.body)).toContain('お探しのページは見つかりませんでした。');
  });

  it('sends a strict Content-Security-Policy, no framing, no server banner', async () => {
    const res = await new TestBrowser(t.app).get('/');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers.server).toBeUndefined();
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('serves the stylesheets and the script', async () => {
    const b = new TestBrowser(t.app);
    for (const asset of ['/assets/site.css', '/assets/print.css', '/assets/site.js', '/assets/design-tokens.css']) {
      expect((await b.get(asset)).statusCode, asset).toBe(200);
    }
    expect((await b.get('/assets/design-tokens.css')).body).toContain('--color-primitive-blue-900');
  });
});
