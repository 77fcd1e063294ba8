import { PNG } from 'pngjs';
import QRCode from 'qrcode';

/**
 * The 2D code as pictures: an SVG path for the page (sharp at any print size, built as elements by
 * preact, no HTML strings) and a PNG for download, with the 受付番号 drawn beside the code. The
 * code's PNG is qrcode's own; pngjs puts it on a wider image with the digits and encodes the result.
 */

export interface QrMatrix {
  readonly size: number;
  dark(x: number, y: number): boolean;
}

/** Error correction M (15 %): a printed code survives a crease or a smudge. */
const ERROR_CORRECTION = 'M';

export function qrMatrix(content: string): QrMatrix {
  const modules = QRCode.create(content, { errorCorrectionLevel: ERROR_CORRECTION }).modules;
  return { size: modules.size, dark: (x, y) => modules.data[y * modules.size + x] === 1 };
}

/** One `M x yh1v1h-1z` square per dark module, runs of a row merged into one rectangle. */
export function qrSvgPath(m: QrMatrix): string {
  const parts: string[] = [];
  for (let y = 0; y < m.size; y++) {
    let x = 0;
    while (x < m.size) {
      if (!m.dark(x, y)) {
        x++;
        continue;
      }
      let run = 1;
      while (x + run < m.size && m.dark(x + run, y)) run++;
      parts.push(`M${x} ${y}h${run}v1h-${run}z`);
      x += run;
    }
  }
  return parts.join('');
}

/**
 * Digits in a 5×7 dot font (the receipt number is digits and spaces only, so no font file is
 * needed). Each row is five bits, left to right.
 */
const DIGITS: Record<string, readonly number[]> = {
  '0': [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110],
  '1': [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
  '2': [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111],
  '3': [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110],
  '4': [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010],
  '5': [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110],
  '6': [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110],
  '7': [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000],
  '8': [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110],
  '9': [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100],
  ' ': [0, 0, 0, 0, 0, 0, 0],
  '-': [0, 0, 0, 0b11111, 0, 0, 0],
};
const GLYPH_W = 5;
const GLYPH_H = 7;

/** Pixels per module, and the quiet zone the QR standard asks for (4 modules). */
const MODULE_PX = 8;
const QUIET = 4;
const TEXT_SCALE = 4;

const TYPED_SCALE = 3;

/** Paints a black rectangle on an RGBA image. */
function fill(image: PNG, x: number, y: number, w: number, h: number): void {
  for (let yy = y; yy < y + h; yy++) {
    for (let xx = x; xx < x + w; xx++) {
      const i = (yy * image.width + xx) * 4;
      image.data[i] = 0;
      image.data[i + 1] = 0;
      image.data[i + 2] = 0;
      image.data[i + 3] = 255;
    }
  }
}

function drawText(image: PNG, text: string, left: number, top: number, scale: number): void {
  let x = left;
  for (const ch of text) {
    const glyph = DIGITS[ch];
    if (!glyph) throw new Error(`no glyph for ${JSON.stringify(ch)}`);
    glyph.forEach((bits, row) => {
      for (let col = 0; col < GLYPH_W; col++) {
        if (bits & (1 << (GLYPH_W - 1 - col))) fill(image, x + col * scale, top + row * scale, scale, scale);
      }
    });
    x += (GLYPH_W + 1) * scale;
  }
}

/**
 * The PNG to download: the code with its quiet zone and, to its right, the 受付番号 (4-4-4-5) in
 * digits large enough to read aloud at the counter; under both, the 手入力用の番号 (issue 14), for
 * the counter to type when its camera cannot read the code.
 */
export async function collectionCodePng(content: string, receiptNumberText: string, typedText: string): Promise<Buffer> {
  const code = PNG.sync.read(await QRCode.toBuffer(content, { type: 'png', errorCorrectionLevel: ERROR_CORRECTION, margin: QUIET, scale: MODULE_PX }));
  const textW = [...receiptNumberText].length * (GLYPH_W + 1) * TEXT_SCALE;
  const margin = QUIET * MODULE_PX;
  const typedW = [...typedText].length * (GLYPH_W + 1) * TYPED_SCALE;
  const typedH = GLYPH_H * TYPED_SCALE + margin;
  const image = new PNG({ width: Math.max(code.width + textW + margin, typedW + 2 * margin), height: code.height + typedH, colorType: 6 });
  image.data.fill(255);
  PNG.bitblt(code, image, 0, 0, code.width, code.height, 0, 0);
  drawText(image, receiptNumberText, code.width, Math.floor((code.height - GLYPH_H * TEXT_SCALE) / 2), TEXT_SCALE);
  drawText(image, typedText, margin, code.height, TYPED_SCALE);
  return PNG.sync.write(image, { colorType: 0 });
}
