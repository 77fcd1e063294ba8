import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { IdSource } from '../domain/events.js';

const digits = (n: number, next: (max: number) => number) => Array.from({ length: n }, () => String(next(10))).join('');

/** Identifiers and Pay-easy numbers from the operating system's random source. */
export const randomIds: IdSource & { digits(n: number): string } = {
  id: () => randomUUID(),
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
