import { isDatabaseUnavailable, migrationsCurrent } from '../store/database.js';
import type { ServiceDeps } from './context.js';

/** /readyz answers within this time even when the database does not answer at all. */
export const READINESS_TIMEOUT_MS = 3000;

export interface Readiness {
  readonly database: 'ok' | 'unreachable';
  readonly migrations: 'current' | 'pending' | 'unknown';
}

/** Whether this process can serve: the database answers (within the timeout) and every migration has run. */
export function makeHealth(deps: ServiceDeps) {
  return {
    async readiness(): Promise<Readiness> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), READINESS_TIMEOUT_MS);
      });
      try {
        const current = await Promise.race([migrationsCurrent(deps.database), timeout]);
        if (current === 'timeout') return { database: 'unreachable', migrations: 'unknown' };
        return { database: 'ok', migrations: current ? 'current' : 'pending' };
      } catch (err) {
        // Reachable but the migration tables are missing: not migrated yet.
        if (!isDatabaseUnavailable(err)) return { database: 'ok', migrations: 'pending' };
        return { database: 'unreachable', migrations: 'unknown' };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Whether an error means "the database cannot serve now; try again later" (connection lost, failover,
 * busy, timeout), as opposed to a bug. The web answers it with 503 and a Japanese page, never a 500.
 */
export function isTransientFailure(error: unknown): boolean {
  return isDatabaseUnavailable(error);
}
