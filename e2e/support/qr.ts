import { createRequire } from 'node:module';
import { PNG } from 'pngjs';

/** jsqr is a CommonJS bundle whose module.exports is the decoder itself. */
type JsQR = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = createRequire(import.meta.url)('jsqr') as JsQR;

/** Reads the QR code in a PNG (a screenshot of the page's code, or the downloaded image) as a counter's scanner would. */
export function decodeQr(png: Buffer): string {
  const image = PNG.sync.read(png);
  const found = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  if (!found) throw new Error('no QR code found in the image');
  return found.data;
}
