import { createHash } from 'node:crypto';
import { withSavepoint, type Tx } from '../store/database.js';
import type { HistoryEntry } from '../domain/history.js';
import { historyRepository } from '../store/history.repository.js';
import { LEGACY_RESERVATION, idempotencyRepository, type IdempotencyRecord } from '../store/idempotency.repository.js';
import { transaction, type ServiceDeps, type TransactionHook } from './context.js';

/** A stored answer answers retries for a day; then the key may be used again. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Seconds a client is told to wait (`Retry-After`) when the same key is being worked on by another live request. */
export const IDEMPOTENCY_RETRY_AFTER_SECONDS = 1;

/** `Idempotency-Key`: 1–200 printable ASCII characters (a UUID is the usual choice). */
export function isValidIdempotencyKey(key: string): boolean {
  return /^[\x21-\x7e]{1,200}$/.test(key);
}

/** JSON with keys in a fixed order, so that the same request always has the same fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What identifies "the same request": method, path and body (key order and spacing ignored). */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${path}\n${canonical(body ?? null)}`).digest('hex');
}

/** An answer: an HTTP status and a JSON-serialisable body (for a form, e.g. where to redirect). */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export interface OnceRequest {
  /** Whose keys: the API token's id, or `form:` + the session's id. */
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
}

export type IdempotentOutcome =
  | { readonly kind: 'fresh'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'replay'; readonly status: number; readonly body: string }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'inProgress' };

/** What a render function may read inside the write's transaction. */
export interface TransactionReads {
  history(applicationId: string): Promise<HistoryEntry[]>;
  /** The instant the answer is rendered at (the service's clock). */
  readonly now: Date;
}

/** Given to the work of a keyed request: ties a use case's own transaction to the key. */
export interface Once {
  /**
   * The hook to pass to the use case (`{ once }`): it checks the key first thing in the
   * transaction and stores `render(result)` as the answer last thing, so the write and its answer
   * commit together or not at all.
   */
  within<T>(render: (result: T, reads: TransactionReads) => Answer | Promise<Answer>): TransactionHook<T> | undefined;
}

/** Thrown inside a transaction to roll it back: the key already has a committed answer. */
class AlreadyAnswered extends Error {
  constructor(readonly record: IdempotencyRecord) {
    super('already answered');
  }
}
/** Thrown inside a transaction to roll it back: another live request is working on the key. */
class KeyBusy extends Error {
  constructor() {
    super('key in progress');
  }
}

/**
 * Exactly-once writes for the agency API's `Idempotency-Key` and for forms' one-time tokens.
 *
 * There is no reservation row that could outlive a crash: the answer is inserted in the same
 * transaction as the write it answers. After any crash a retry finds either the committed answer
 * (and gets it again, byte for byte) or nothing (the write rolled back with it) and runs once.
 * Two live requests with one key: the second is told the key is in progress (409, Retry-After),
 * through a set of keys in flight in this process and, on PostgreSQL, a transaction-scoped advisory
 * lock across processes; on SQLite across processes the second waits for the first's write lock
 * and then gets its answer. Whatever the timing, the primary key (scope, key) lets one answer commit.
 */
export function makeIdempotency(deps: ServiceDeps) {
  const repo = (tx?: Tx) => idempotencyRepository(tx ?? deps.database.db, deps.database.dialect);
  const inFlight = new Set<string>();

  const isLive = (r: IdempotencyRecord, now: Date) => r.statusCode !== LEGACY_RESERVATION && r.createdAt.getTime() > now.getTime() - IDEMPOTENCY_TTL_MS;
  const answerOf = (r: IdempotencyRecord, fingerprint: string): IdempotentOutcome =>
    r.requestHash !== fingerprint ? { kind: 'mismatch' } : { kind: 'replay', status: r.statusCode, body: r.responseBody };

  /** First thing in the transaction: the key must be free (else roll back and answer from the record). */
  async function claim(tx: Tx, req: OnceRequest): Promise<void> {
    const r = repo(tx);
    if (!(await r.tryLock(req.scope, req.key))) throw new KeyBusy();
    const existing = await r.find(req.scope, req.key);
    if (existing && isLive(existing, deps.clock.now())) throw new AlreadyAnswered(existing);
    if (existing) await r.release(req.scope, req.key);
  }

  /** Last thing in the transaction: the answer. A server error is no answer (nothing is stored). */
  async function store(tx: Tx, req: OnceRequest, answer: Answer): Promise<boolean> {
    if (answer.status >= 500) return false;
    const inserted = await repo(tx).insert(req.scope, req.key, req.fingerprint, answer.status, JSON.stringify(answer.body), deps.clock.now());
    if (!inserted) {
      const existing = await repo(tx).find(req.scope, req.key);
      if (existing) throw new AlreadyAnswered(existing);
    }
    return inserted;
  }

  /**
   * One key's work, once per process at a time (a second request with the same key while the first
   * runs is told it is in progress); a key already answered gives that answer, a key another process
   * holds is in progress.
   */
  async function keyed(req: OnceRequest, body: () => Promise<IdempotentOutcome>): Promise<IdempotentOutcome> {
    const flightKey = `${req.scope}\n${req.key}`;
    if (inFlight.has(flightKey)) return { kind: 'inProgress' };
    inFlight.add(flightKey);
    try {
      return await body();
    } catch (err) {
      if (err instanceof AlreadyAnswered) return answerOf(err.record, req.fingerprint);
      if (err instanceof KeyBusy) return { kind: 'inProgress' };
      throw err;
    } finally {
      inFlight.delete(flightKey);
    }
  }

  return {
    async run(req: OnceRequest, work: (once: Once) => Promise<Answer>): Promise<IdempotentOutcome> {
      return keyed(req, async () => {
        const existing = await repo().find(req.scope, req.key);
        if (existing && isLive(existing, deps.clock.now())) return answerOf(existing, req.fingerprint);

        let stored: Answer | null = null;
        const once: Once = {
          within<T>(render: (result: T, reads: TransactionReads) => Answer | Promise<Answer>): TransactionHook<T> {
            return {
              begin: (tx) => claim(tx, req),
              async end(tx, result) {
                const answer = await render(result, { history: (id) => historyRepository(tx, deps.database.dialect).list(id), now: deps.clock.now() });
                if (await store(tx, req, answer)) stored = answer;
              },
            };
          },
        };
        const answer = await work(once);
        if (stored) {
          const s: Answer = stored;
          return { kind: 'fresh', status: s.status, body: s.body };
        }
        // An answer that wrote nothing (a refusal found before any transaction): kept on its own.
        if (answer.status < 500) {
          await transaction(deps, async (tx) => {
            await claim(tx, req);
            await store(tx, req, answer);
          });
        }
        return { kind: 'fresh', status: answer.status, body: answer.body };
      });
    },

    /**
     * The live answers already stored for some keys of one scope, by key (one query): a bulk filing
     * answers those rows again without hashing their passwords.
     */
    async answered(scope: string, keys: readonly { key: string; fingerprint: string }[]): Promise<Map<string, IdempotentOutcome>> {
      const now = deps.clock.now();
      const byKey = new Map((await repo().findMany(scope, keys.map((k) => k.key))).map((r) => [r.key, r]));
      const answers = new Map<string, IdempotentOutcome>();
      for (const { key, fingerprint } of keys) {
        const r = byKey.get(key);
        if (r && isLive(r, now)) answers.set(key, answerOf(r, fingerprint));
      }
      return answers;
    },

    /**
     * A keyed piece of work inside a transaction the caller holds (a batch), in a savepoint of its
     * own: the key is claimed first, the work's answer stored last, so they commit with the batch or
     * not at all. A key already answered or being worked on undoes only this savepoint.
     */
    async runWithin(tx: Tx, req: OnceRequest, work: () => Promise<Answer>): Promise<IdempotentOutcome> {
      return keyed(req, () =>
        withSavepoint(tx, async (): Promise<IdempotentOutcome> => {
          await claim(tx, req);
          const answer = await work();
          await store(tx, req, answer);
          return { kind: 'fresh', status: answer.status, body: answer.body };
        }),
      );
    },

    async purgeExpired(): Promise<number> {
      return repo().purge(new Date(deps.clock.now().getTime() - IDEMPOTENCY_TTL_MS));
    },
  };
}
