import type { Actor } from '../domain/actors.js';
import { statuses } from '../domain/statuses.js';
import { applicationRepository } from '../store/applications.repository.js';
import type { ServiceDeps } from './context.js';
import type { makeActOnApplication } from './application-events.js';

export interface SweepResult {
  readonly examined: number;
  readonly expiredCorrections: number;
  readonly expiredPayments: number;
  readonly skipped: number;
}

const CLOCK: Actor = { kind: 'clock' };

/**
 * 期限切れ: applies the clock's events to every application whose running deadline has passed.
 * Finds them through the partial index on deadline_at (never a full scan). Each application is
 * moved in its own transaction by the same door as every other event, so two sweepers running at
 * once cannot expire one application twice: the second finds it already moved and is refused.
 */
export function makeSweepDeadlines(deps: ServiceDeps, act: ReturnType<typeof makeActOnApplication>) {
  return async function sweepDeadlines(batchSize = 500): Promise<SweepResult> {
    const seen = new Set<string>();
    let expiredCorrections = 0;
    let expiredPayments = 0;
    let skipped = 0;
    for (;;) {
      const now = deps.clock.now();
      const due = (await applicationRepository(deps.database.db, deps.database.dialect).dueForSweep(now, batchSize + seen.size)).filter((id) => !seen.has(id));
      if (due.length === 0) break;
      for (const id of due.slice(0, batchSize)) {
        seen.add(id);
        const app = await applicationRepository(deps.database.db, deps.database.dialect).load(id);
        if (!app) continue;
        const deadline = statuses[app.status].deadline;
        if (deadline === null) {
          skipped += 1;
          continue;
        }
        const result = await act(id, { type: deadline === 'correction' ? 'expireCorrection' : 'expirePayment' }, CLOCK);
        if (!result.ok) {
          skipped += 1;
          continue;
        }
        if (deadline === 'correction') expiredCorrections += 1;
        else expiredPayments += 1;
      }
    }
    return { examined: seen.size, expiredCorrections, expiredPayments, skipped };
  };
}
