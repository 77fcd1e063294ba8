import type { Logger } from 'pino';
import type { IdSource } from '../domain/events.js';
import type { Clock } from '../domain/time.js';
import type { DatabaseHandle, Tx } from '../store/database.js';
import type { PasswordHasher } from './passwords.js';

/** What every use case is given: passed in by hand, so a test can stand on a deadline's last second. */
export interface ServiceDeps {
  readonly database: DatabaseHandle;
  readonly clock: Clock;
  readonly ids: IdSource & { digits(n: number): string };
  readonly passwords: PasswordHasher;
  readonly logger: Logger;
}

/** One use case, one transaction. */
export function transaction<T>(deps: ServiceDeps, work: (tx: Tx) => Promise<T>): Promise<T> {
  return deps.database.db.transaction().execute(work);
}
