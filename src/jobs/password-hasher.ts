import type { Logger } from 'pino';
import type { PendingPasswordHashing } from '../services/pending-passwords.js';

/** How often the hasher looks for pending passwords when it found none (decision 0017). */
export const PASSWORD_HASHER_INTERVAL_MS = 1000;

/**
 * The background hasher inside a server process (decision 0017): at start (the leftovers of a process
 * that died) and on each tick it hashes the pending passwords of bulk filings, going on at once while
 * there are more. Several processes may run it: their claims keep them off each other's rows. A
 * failing database is logged, never fatal.
 */
export function startPasswordHasher(hashing: PendingPasswordHashing, logger: Logger, intervalMs = PASSWORD_HASHER_INTERVAL_MS) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        for (;;) {
          const run = await hashing.hashPending();
          if (run.hashed > 0) logger.debug({ event: 'password-hasher', ...run }, 'pending passwords hashed');
          if (stopped || run.claimed === 0 || run.hashed === 0) break;
        }
      } catch (err) {
        logger.error({ err, event: 'password-hasher-failed' }, 'pending passwords: hashing failed');
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    async idle() {
      await running;
    },
  };
}
