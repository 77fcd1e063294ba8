import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_CODE_MESSAGE } from '../../../../src/services/collection-codes.js';
import { createTestApp, type TestApp } from '../../../support/app.js';
import { textOf, titleOf } from '../../../support/browser.js';
import { allKeys, loginAs, snapshot, versionOf, type Logged } from './support.js';

const CODE = '受取者認証兼受取車両個別申告用二次元コード';

/** jsqr is a CommonJS bundle whose module.exports is the decoder itself. */
type JsQR = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = createRequire(import.meta.url)('jsqr') as JsQR;

/** The QR code of a downloaded PNG, read back the way a counter's scanner would. */
function decodePng(body: Buffer): string {
  const image = PNG.sync.read(body);
  const found = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  if (!found) throw new Error('no QR code in the PNG');
  return found.data;
}

async function issue(l: Logged): Promise<void> {
  const page = await l.b.get('/inquiry/collection-code');
  expect(page.statusCode).toBe(200);
  const res = await l.b.post('/inquiry/collection-code', { version: versionOf(page.body) });
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/inquiry/collection-code');
}

async function downloadCode(l: Logged): Promise<string> {
  const png = await l.b.get('/inquiry/collection-code.png');
  expect(png.statusCode).toBe(200);
  expect(png.headers['content-type']).toBe('image/png');
  expect(png.headers['content-disposition']).toMatch(/^attachment; filename="collection-code-\d{17}\.png"$/);
  return decodePng(png.rawPayload);
}

/** 返付準備完了 (継続検査) and 交付準備完了 (新車), where no usable 記録等事務代行者 collects. */
const allowed: Record<string, { receipt: string; vehicle: string; status: string }> = {
  'ci-ready': { receipt: '1100 0000 0000 00013', vehicle: '品川 - 580 - し - 7788', status: '返付準備完了' },
  'nv-ready': { receipt: '2200 0000 0000 00015', vehicle: '品川 - 580 - は - 1515', status: '交付準備完了' },
};

describe('受取者認証兼受取車両個別申告用二次元コードの発行 (【画面申請】二次元コード発行の操作手順)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ seed: true });
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  for (const [key, e] of Object.entries(allowed)) {
    it(`${key} (${e.status}): issues a code the counter check accepts; a tampered code and an earlier one after a reissue are refused`, async () => {
      const l = await loginAs(t, key);
      expect(l.status).toContain(`<button type="submit" class="button button--primary">${CODE}の発行</button>`);
      const intro = await l.b.get('/inquiry/collection-code');
      expect(titleOf(intro.body)).toBe(`${CODE}の発行｜軽自動車OSS`);
      expect(textOf(intro.body)).toContain('「受取者認証兼受取車両個別申告用二次元コード」を印刷し、交付物の受け取り時に、申請先の軽自動車検査協会の事務所等に提出してください。');
      const notYet = await l.b.get('/inquiry/collection-code.png');
      expect(notYet.statusCode).toBe(404);
      const before = await snapshot(t, l.id);

      await issue(l);
      const page = await l.b.get('/inquiry/collection-code');
      expect(page.statusCode).toBe(200);
      const text = textOf(page.body);
      expect(text).toContain('二次元コードを発行しました。');
      expect(text).toContain(`受付番号 ${e.receipt}`);
      expect(text).toContain(`車両番号 ${e.vehicle}`);
      expect(text).toContain('受取場所 東京主管事務所 東京都品川区東大井1-12-17 電話：050-3816-3100 窓口受付時間 開庁日（平日）8時45分〜12時00分、13時00分〜16時00分');
      expect(text).toMatch(/発行日時 2026年 11月 26日 10時 00分 00秒/);
      expect(page.body).toContain(`<svg xmlns="http://www.w3.org/2000/svg" class="collection-code__qr"`);
      expect(page.body).toContain(`aria-label="${CODE}（受付番号 ${e.receipt}）"`);
      expect(page.body).toMatch(/<button type="button" class="button button--primary" data-print(="")? hidden>印刷する<\/button>/);
      expect(page.body).toContain('href="/inquiry/collection-code.png" download');
      expect(text).toContain('再発行すると、これまでに発行した二次元コードは使用できなくなります。');

      const stored = await snapshot(t, l.id);
      expect(stored.application.collectionCodeSerial).toBe(1);
      expect(stored.application.status).toBe(before.application.status);
      expect(stored.history.at(-1)).toMatchObject({ event: 'issueCollectionCode', actorKind: 'applicant', details: { serial: 1 } });

      const first = await downloadCode(l);
      expect(first).toBe(t.services.collectionCodes.contentFor(stored.application));
      const checked = await t.services.collectionCodes.verify(first);
      expect(checked.ok && checked.value.id).toBe(l.id);

      // Altered codes: another receipt number, a changed signature, a raised serial.
      const [prefix, receipt, serial, signature] = first.split('.') as [string, string, string, string];
      const otherReceipt = `${prefix}.${receipt.slice(0, 16)}${receipt.endsWith('9') ? '8' : '9'}.${serial}.${signature}`;
      const otherSignature = `${prefix}.${receipt}.${serial}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      const otherSerial = `${prefix}.${receipt}.2.${signature}`;
      for (const forged of [otherReceipt, otherSignature, otherSerial, `${first}x`, 'KEIOSS1.' + receipt]) {
        const r = await t.services.collectionCodes.verify(forged);
        expect(r.ok ? 'accepted' : r.refusal.message, forged).toBe(INVALID_CODE_MESSAGE);
      }

      // Reissue: the first code stops working, the new one is accepted.
      const reissue = await l.b.post('/inquiry/collection-code', { version: versionOf(page.body) });
      expect(reissue.statusCode).toBe(303);
      const second = await l.b.follow(reissue);
      expect(textOf(second.body)).toContain('二次元コードを再発行しました。 以前に発行した二次元コードは使用できません。');
      const renewed = await downloadCode(l);
      expect(renewed).not.toBe(first);
      const old = await t.services.collectionCodes.verify(first);
      expect(old.ok ? 'accepted' : old.refusal.message).toBe('この二次元コードは再発行により無効になっています。最新の二次元コードを提示してください。');
      expect((await t.services.collectionCodes.verify(renewed)).ok).toBe(true);
      expect((await snapshot(t, l.id)).application.collectionCodeSerial).toBe(2);

      // The page rendered before the reissue, posted again: a stale form.
      const stale = await l.b.post('/inquiry/collection-code', { version: versionOf(page.body) });
      expect(stale.statusCode).toBe(409);
      expect((await snapshot(t, l.id)).application.collectionCodeSerial).toBe(2);
    });
  }

  for (const key of allKeys.filter((k) => !(k in allowed))) {
    it(`${key}: the code cannot be issued nor downloaded (4xx with a message); nothing changes`, async () => {
      const l = await loginAs(t, key);
      const before = await snapshot(t, l.id);
      const page = await l.b.get('/inquiry/collection-code');
      expect(page.statusCode).toBe(409);
      expect(titleOf(page.body)).toBe('二次元コードを発行できません｜軽自動車OSS');
      if (key === 'ci-ready-agent') expect(textOf(page.body)).toContain('記録等事務代行者が受け取るため、二次元コードの発行は不要です。');
      const posted = await l.b.post('/inquiry/collection-code', { version: String(before.application.version), _csrf: l.csrf });
      expect(posted.statusCode).toBe(409);
      const png = await l.b.get('/inquiry/collection-code.png');
      expect(png.statusCode).toBe(409);
      expect(png.headers['content-type']).toMatch(/^text\/html/);
      expect(await snapshot(t, l.id)).toEqual(before);
    });
  }

  it('prints the 手入力用の番号 under the code, on the page and in the PNG (issue 14)', async () => {
    const l = await loginAs(t, 'ci-ready');
    const page = await l.b.get('/inquiry/collection-code');
    if (page.body.includes('二次元コードを発行する</button>') && !page.body.includes('collection-code__qr')) await issue(l);
    const shown = await l.b.get('/inquiry/collection-code');
    const app = (await snapshot(t, l.id)).application;
    const typed = t.services.collectionCodes.typedFor(app);
    expect(typed).toMatch(/^1100 0000 0000 00013-\d+-\d{4} \d{4} \d{4} \d{4} \d{4}-\d$/);
    expect(textOf(shown.body)).toContain(`受付番号 1100 0000 0000 00013 手入力用の番号（二次元コードを読み取れない場合に窓口で入力します） ${typed}`);
    // The PNG: the code still reads, and under it a band of text as wide as the number (ink in its rows).
    const png = await l.b.get('/inquiry/collection-code.png');
    const image = PNG.sync.read(png.rawPayload);
    expect(decodePng(png.rawPayload)).toBe(t.services.collectionCodes.contentFor(app));
    const inkRows = (from: number, to: number) => {
      let rows = 0;
      for (let y = from; y < to; y++) {
        for (let x = 0; x < image.width; x++) if (image.data[(y * image.width + x) * 4]! < 128) { rows++; break; }
      }
      return rows;
    };
    // 7 rows of glyph dots, 3 px each, below the code's square (and its quiet zone).
    expect(image.height - image.width).toBeLessThan(0);
    expect(inkRows(image.height - 7 * 3 - 32, image.height)).toBe(7 * 3);
  });

  it('the code of a finished application (返付済) is no longer accepted at the counter', async () => {
    const l = await loginAs(t, 'ci-returned');
    const app = (await snapshot(t, l.id)).application;
    const r = await t.services.collectionCodes.verify(t.services.collectionCodes.contentFor(app));
    expect(r.ok ? 'accepted' : r.refusal.code).toBe('statusDoesNotAllow');
  });

  it('prints on A4 without navigation or the reissue part (print stylesheet)', () => {
    const css = readFileSync(new URL('../../../../public/print.css', import.meta.url), 'utf8');
    expect(css).toContain('@page { size: A4;');
    expect(css).toMatch(/\.collection-code__qr \{[^}]*width: 70mm/);
    expect(css).toContain('[data-no-print]');
  });
});
