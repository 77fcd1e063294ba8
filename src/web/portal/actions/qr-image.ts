import { crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';

/**
 * The 2D code as pictures: an SVG path for the page (sharp at any print size, built as elements by
 * preact, no HTML strings) and a PNG for download, with the 受付番号 drawn beside the code.
 * The PNG is encoded here (grayscale, one IDAT) so that no image library is needed at run time.
 */

export interface QrMatrix {
  readonly size: number;
  dark(x: number, y: number): boolean;
}

/** Error correction M (15 %): a printed code survives a crease or a smudge. */
export function qrMatrix(content: string): QrMatrix {
  const modules = QRCode.create(content, { errorCorrectionLevel: 'M' }).modules;
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
 * Digits in a 5×7 dot font drawn for this file (the receipt number is digits and spaces only, so
 * no font file is needed). Each row is five bits, left to right.
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

class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height).fill(255);
  }
  fill(x: number, y: number, w: number, h: number): void {
    for (let yy = y; yy < y + h; yy++) this.pixels.fill(0, yy * this.width + x, yy * this.width + x + w);
  }
}

function drawText(c: Canvas, text: string, left: number, top: number, scale: number): void {
  let x = left;
  for (const ch of text) {
    const glyph = DIGITS[ch];
    if (!glyph) throw new Error(`no glyph for ${JSON.stringify(ch)}`);
    glyph.forEach((bits, row) => {
      for (let col = 0; col < GLYPH_W; col++) {
        if (bits & (1 << (GLYPH_W - 1 - col))) c.fill(x + col * scale, top + row * scale, scale, scale);
      }
    });
    x += (GLYPH_W + 1) * scale;
  }
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit grayscale PNG of the canvas. */
function encodePng(c: Canvas): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(c.width, 0);
  header.writeUInt32BE(c.height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(0, 9); // colour type: grayscale
  header.writeUInt8(0, 10); // compression
  header.writeUInt8(0, 11); // filter
  header.writeUInt8(0, 12); // no interlace
  const raw = Buffer.alloc((c.width + 1) * c.height);
  for (let y = 0; y < c.height; y++) {
    raw[y * (c.width + 1)] = 0; // filter: none
    raw.set(c.pixels.subarray(y * c.width, (y + 1) * c.width), y * (c.width + 1) + 1);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** Pixels per module, and the quiet zone the QR standard asks for (4 modules). */
const MODULE_PX = 8;
const QUIET = 4;
const TEXT_SCALE = 4;

const TYPED_SCALE = 3;

/**
 * The PNG to download: the code with its quiet zone and, to its right, the 受付番号 (4-4-4-5) in
 * digits large enough to read aloud at the counter; under both, the 手入力用の番号 (issue 14), for
 * the counter to type when its camera cannot read the code.
 */
export function collectionCodePng(content: string, receiptNumberText: string, typedText: string): Buffer {
  const m = qrMatrix(content);
  const codePx = (m.size + QUIET * 2) * MODULE_PX;
  const textW = [...receiptNumberText].length * (GLYPH_W + 1) * TEXT_SCALE;
  const margin = QUIET * MODULE_PX;
  const typedW = [...typedText].length * (GLYPH_W + 1) * TYPED_SCALE;
  const typedH = GLYPH_H * TYPED_SCALE + margin;
  const c = new Canvas(Math.max(codePx + textW + margin, typedW + 2 * margin), codePx + typedH);
  for (let y = 0; y < m.size; y++) {
    for (let x = 0; x < m.size; x++) if (m.dark(x, y)) c.fill((x + QUIET) * MODULE_PX, (y + QUIET) * MODULE_PX, MODULE_PX, MODULE_PX);
  }
  drawText(c, receiptNumberText, codePx, Math.floor((codePx - GLYPH_H * TEXT_SCALE) / 2), TEXT_SCALE);
  drawText(c, typedText, margin, codePx, TYPED_SCALE);
  return encodePng(c);
}
