import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { IdSource } from '../domain/events.js';

const digits = (n: number, next: (max: number) => number) => Array.from({ length: n }, () => String(next(10))).join('');

/**
 * Ten bytes from the operating system's random source, taken from a pool of 4 KiB filled at once
 * (one call into OpenSSL for 409 ids instead of one each: 2 µs an id, 0.9 of the deadline sweep's
 * CPU seconds, docs/benchmarks.md round five). The bytes are as random; each is used once.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;
function randomTen(): Buffer {
  if (poolOffset + 10 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  poolOffset += 10;
  return pool.subarray(poolOffset - 10, poolOffset);
}

/**
 * A UUID of version 7 (RFC 9562): the Unix time in milliseconds (48 bits), then 74 random bits.
 * New rows' ids grow with time, so each primary-key index takes them at its end (a few pages
 * shared by every insert of a batch) instead of at a random page each: the deadline sweep writes
 * about a third fewer pages (docs/benchmarks.md). 74 random bits stay unguessable.
 */
export function uuidV7(ms: number = Date.now(), random: Buffer = randomTen()): string {
  const b = Buffer.alloc(16);
  b.writeUIntBE(Math.max(0, Math.floor(ms)) % 2 ** 48, 0, 6);
  random.copy(b, 6, 0, 10);
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Identifiers and Pay-easy numbers from the operating system's random source. */
export const randomIds: IdSource & { digits(n: number): string } = {
  id: () => uuidV7(),
  paymentNumber: () => `3${digits(19, randomInt)}`,
  confirmationNumber: () => digits(6, randomInt),
  digits: (n) => digits(n, randomInt),
};

/**
 * Repeatable identifiers for demo data and tests: the same seed gives the same ids and numbers,
 * so the demo logins in the README stay true.
 */
export function seededIds(seed: string): IdSource & { digits(n: number): string } {
  let counter = 0;
  const nextHash = () => createHash('sha256').update(`${seed}:${counter++}`).digest();
  const nextDigit = (max: number) => nextHash().readUInt32BE(0) % max;
  const uuid = () => {
    const h = nextHash().toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  return {
    id: uuid,
    paymentNumber: () => `3${digits(19, nextDigit)}`,
    confirmationNumber: () => digits(6, nextDigit),
    digits: (n) => digits(n, nextDigit),
  };
}
