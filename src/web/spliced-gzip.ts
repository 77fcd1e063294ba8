import { constants, crc32 } from 'node:zlib';
import { promptZlib } from './plugins/compression.js';

/**
 * A gzip body assembled from parts compressed once (issue 18): a kept page is stored as raw
 * deflate parts, each compressed on its own and ending with a full flush (byte-aligned, no
 * back-reference into another part), so that a per-request piece (a CSRF token) can be put between
 * them as a stored block without compressing the page again. A gzip stream is header + deflate
 * blocks + CRC-32 and length of the uncompressed bytes; the CRC-32 of the whole is combined from
 * the parts' own (crc32Combine), so no part is read again per request.
 *
 * Brotli cannot be spliced this way (its meta-blocks share state the encoder alone knows), so a
 * kept page goes out gzip to a client that accepts gzip (every browser).
 */
export interface GzipPart {
  /** Raw deflate blocks, byte-aligned at both ends, none final. */
  readonly deflated: Buffer;
  /** CRC-32 and length of the uncompressed bytes. */
  readonly crc: number;
  readonly length: number;
  /** x^(8·length) modulo the CRC-32 polynomial: what combining its CRC-32 after others needs, computed once. */
  readonly shift: number;
}

/**
 * A few per-request characters (a CSRF token, a banner) that go out as stored (uncompressed)
 * deflate blocks: no zlib and no buffer of their own; gzipOf writes them straight into the body.
 */
export interface StoredText {
  readonly text: string;
  /** CRC-32 and length of its UTF-8 bytes. */
  readonly crc: number;
  readonly length: number;
  readonly shift: number;
}

/** A part compressed once (level 9: its cost is paid once, its bytes at every view). */
export function deflatePart(bytes: Buffer): GzipPart {
  // Copied out into memory of its own: zlib's result is a view of its output chunk, which would be
  // kept whole, and Buffer.from would take a slice of Node's shared 8 KB pool, which keeps the whole
  // slab alive for a part of 1–3 KB (the rest of the slab being the request's garbage).
  const out = promptZlib.deflateRawSync(bytes, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const deflated = Buffer.allocUnsafeSlow(out.length);
  out.copy(deflated);
  return { deflated, crc: crc32(bytes), length: bytes.length, shift: shiftOf(bytes.length) };
}

const STORED_MAX = 0xffff;

/** Text to be sent as stored deflate blocks (see StoredText). */
export function storedText(text: string): StoredText {
  const length = Buffer.byteLength(text, 'utf8');
  return { text, crc: crc32(text), length, shift: shiftOf(length) };
}

/** Bytes the stored blocks of `length` bytes take: 5 bytes of block header per 65,535 bytes. */
function storedSize(length: number): number {
  return length + 5 * Math.max(1, Math.ceil(length / STORED_MAX));
}

/** Writes `text` as stored blocks at `at`; returns the offset after them. */
function writeStored(out: Buffer, at: number, part: StoredText): number {
  if (part.length <= STORED_MAX) {
    writeStoredHeader(out, at, part.length);
    return at + 5 + out.write(part.text, at + 5, 'utf8');
  }
  const bytes = Buffer.from(part.text, 'utf8');
  for (let from = 0; from < bytes.length; from += STORED_MAX) {
    const chunk = bytes.subarray(from, from + STORED_MAX);
    writeStoredHeader(out, at, chunk.length);
    at += 5 + chunk.copy(out, at + 5);
  }
  return at;
}

// BFINAL 0, BTYPE 00, then (byte-aligned) LEN and its one's complement, little-endian.
function writeStoredHeader(out: Buffer, at: number, length: number): void {
  out[at] = 0;
  out.writeUInt16LE(length, at + 1);
  out.writeUInt16LE(~length & 0xffff, at + 3);
}

// CRC-32 of A followed by B from the CRC-32 of each and B's length: multiplication by x^(8·len)
// modulo the CRC polynomial (reflected), with x^(2^n) precomputed.
const POLY = 0xedb88320;
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}
const X2N: number[] = [0x40000000];
for (let n = 1; n < 32; n++) X2N.push(multModP(X2N[n - 1]!, X2N[n - 1]!));
function x8nModP(bytes: number): number {
  let p = 0x80000000;
  let k = 3;
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) if (n % 2) p = multModP(X2N[k & 31]!, p);
  return p;
}

/** CRC-32 of the concatenation A‖B from crc(A), crc(B) and B's length. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x8nModP(lengthB), crcA) ^ crcB) >>> 0;
}

// The shifts of the lengths seen lately (a CSRF token always has the same length): at most a few hundred.
const shifts = new Map<number, number>();
function shiftOf(length: number): number {
  let shift = shifts.get(length);
  if (shift === undefined) {
    if (shifts.size >= 512) shifts.clear();
    shift = x8nModP(length);
    shifts.set(length, shift);
  }
  return shift;
}

// ID1 ID2, CM deflate, no flags, MTIME 0, XFL 0, OS unknown.
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
// A final fixed-Huffman block holding only its end: BFINAL 1, BTYPE 01, code 0000000.
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/**
 * One valid gzip member of the parts in order, written into one buffer of its exact size (one
 * allocation a body; the parts are copied, the stored texts encoded in place).
 */
export function gzipOf(parts: readonly (GzipPart | StoredText)[]): Buffer {
  let size = HEADER.length + FINAL_BLOCK.length + 8;
  for (const part of parts) if (part.length > 0) size += 'text' in part ? storedSize(part.length) : part.deflated.length;
  const out = Buffer.allocUnsafe(size);
  HEADER.copy(out, 0);
  let at = HEADER.length;
  let crc = 0;
  let length = 0;
  for (const part of parts) {
    if (part.length === 0) continue;
    crc = length === 0 ? part.crc : (multModP(part.shift, crc) ^ part.crc) >>> 0;
    length += part.length;
    at = 'text' in part ? writeStored(out, at, part) : at + part.deflated.copy(out, at);
  }
  at += FINAL_BLOCK.copy(out, at);
  out.writeUInt32LE(crc >>> 0, at);
  out.writeUInt32LE(length % 0x100000000, at + 4);
  return out;
}
