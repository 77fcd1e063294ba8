import { createHash, timingSafeEqual } from 'node:crypto';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { applicationRepository, type LoginRecord } from '../store/applications.repository.js';
import type { ServiceDeps } from './context.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * An application's 申請用パスワード checked at a login (the applicant's, or 申請の追加 of a 利用者ID):
 * against its hash, or, while the hash is pending, against the decrypted value in constant time
 * (SHA-256 digests of equal length), the hash then written at once. Every refusal costs one argon2
 * verification, as an unknown number does, so the time tells nothing of a pending row.
 */
export async function verifyApplicationPassword(deps: ServiceDeps, found: LoginRecord | null, password: string, dummyHash: Promise<string>): Promise<boolean> {
  if (found?.passwordPending == null) return (await deps.passwords.verify(found?.passwordHash ?? (await dummyHash), password)) && found !== null;
  const plain = deps.pendingPasswords?.open(found.id, found.passwordPending) ?? null;
  if (plain === null) deps.logger.error({ event: 'pending-password-unreadable', applicationId: found.id }, 'a pending password cannot be decrypted (PENDING_PASSWORD_KEY missing or changed)');
  if (plain === null || !timingSafeEqual(digest(plain), digest(password))) {
    await deps.passwords.verify(await dummyHash, password);
    return false;
  }
  try {
    const hash = await deps.passwords.hash(password);
    await applicationRepository(deps.database.db, deps.database.dialect).settlePendingPassword(found.id, found.passwordPending, hash);
  } catch (err) {
    // The login stands: the background hasher writes the hash later.
    deps.logger.error({ err, event: 'pending-password-settle-failed', applicationId: found.id }, 'could not write the hash of a pending password');
  }
  return true;
}

/** Hashes in flight at once in one process (each on libuv's pool): the HTTP server keeps the rest. */
export const HASHES_IN_FLIGHT = 2;

/**
 * Bulk filings running in this process: while one runs, the hasher keeps one hash in flight instead
 * of two, so that the filing's own writes keep a core (it never stops: filings cannot starve it).
 */
export function makeFilingActivity() {
  let running = 0;
  return {
    async during<T>(work: () => Promise<T>): Promise<T> {
      running++;
      try {
        return await work();
      } finally {
        running--;
      }
    },
    get busy(): boolean {
      return running > 0;
    },
  };
}

export type FilingActivity = ReturnType<typeof makeFilingActivity>;
/** Rows a hasher claims at a time, and for how long (a hasher that died frees them after that). */
const CLAIM_ROWS = 8;
const CLAIM_MS = 60_000;

/**
 * The background hasher's step (decision 0017): claims a few pending passwords, hashes them with
 * argon2id two at a time (one while a bulk filing runs in this process), yielding to the event loop
 * between hashes, and writes each hash while
 * clearing its encrypted value in one compare-and-set statement.
 */
export function makePendingPasswordHashing(deps: ServiceDeps, filings: FilingActivity = makeFilingActivity()) {
  const repo = () => applicationRepository(deps.database.db, deps.database.dialect);
  return {
    /** One claim's worth; `claimed` 0 means nothing is pending (or everything is claimed by others). */
    async hashPending(): Promise<{ claimed: number; hashed: number }> {
      const cipher = deps.pendingPasswords;
      if (!cipher) return { claimed: 0, hashed: 0 };
      const now = deps.clock.now();
      const rows = await repo().claimPendingPasswords(now, new Date(now.getTime() + CLAIM_MS), CLAIM_ROWS);
      let hashed = 0;
      let next = 0;
      const lane = async (n: number) => {
        // The second lane waits out a bulk filing of this process (the first goes on).
        for (let i = next++; i < rows.length; i = next++) {
          while (n > 0 && filings.busy) await new Promise((resolve) => setTimeout(resolve, 50));
          const { id, sealed } = rows[i]!;
          const plain = cipher.open(id, sealed);
          if (plain === null) {
            deps.logger.error({ event: 'pending-password-unreadable', applicationId: id }, 'a pending password cannot be decrypted (PENDING_PASSWORD_KEY changed?)');
            continue;
          }
          const hash = await deps.passwords.hash(plain);
          if (await repo().settlePendingPassword(id, sealed, hash)) hashed++;
          await yieldToEvents();
        }
      };
      await Promise.all(Array.from({ length: Math.min(HASHES_IN_FLIGHT, rows.length) }, (_, n) => lane(n)));
      return { claimed: rows.length, hashed };
    },
    /** Passwords still waiting for their hash (all processes). */
    pendingCount: () => repo().countPendingPasswords(),
  };
}

export type PendingPasswordHashing = ReturnType<typeof makePendingPasswordHashing>;
