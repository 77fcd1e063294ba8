import { availableParallelism } from 'node:os';
import { checkApplicationPassword, validateFiling, type FilingErrors, type FilingInput, type ValidFiling } from '../domain/filing.js';
import { accountRepository } from '../store/accounts.repository.js';
import type { StoredPassword } from '../store/applications.repository.js';
import { isDatabaseUnavailable, withSavepoint, type Tx } from '../store/database.js';
import { registerWithin } from './application-events.js';
import { transaction, type ServiceDeps } from './context.js';
import { makeFilingActivity, type FilingActivity } from './pending-passwords.js';
import { requestFingerprint, type IdempotentOutcome, type makeIdempotency } from './idempotency.js';

/** Rows in one bulk filing request (JSON or CSV). */
export const BULK_FILING_MAX = 500;
/**
 * Passwords hashed at once by one request: the cores (at most 3), so that a bulk filing leaves at
 * least one thread of libuv's pool (4) to the other requests' logins, file reads and DNS lookups.
 */
const HASHING = Math.max(1, Math.min(availableParallelism(), 3));
/** Rows written in one transaction (each in its own savepoint): few commits, short write locks. */
const BATCH = 50;
/**
 * PostgreSQL: batches written at once, each on its own connection, so that one batch's round trips
 * overlap another's (SQLite has one writer: its batches follow each other).
 */
const PG_WRITERS = 3;

/** One row as the web read it: the filing, its 申請用パスワード, and its own idempotency key if any. */
export interface FilingRow {
  readonly input: FilingInput;
  readonly password: string;
  /** The row's key: a retry with the same key files nothing twice. */
  readonly rowKey?: string | undefined;
}

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** The answer for one row: its 到達番号, or its errors (field and Japanese message). */
export type RowResult =
  | { readonly row: number; readonly rowKey: string | null; readonly ok: true; readonly arrivalNumber: string; readonly replayed: boolean }
  | { readonly row: number; readonly rowKey: string | null; readonly ok: false; readonly errors: readonly FieldError[] };

const fieldErrors = (errors: FilingErrors & { password?: string }): FieldError[] => Object.entries(errors).map(([field, message]) => ({ field, message: message as string }));

/** Starts `work` on every item, at most `limit` at a time, and gives each item's promise in order. */
function limited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R>[] {
  const settle = items.map(() => {
    let resolve!: (r: R) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<R>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined); // awaited later, batch by batch: not an unhandled rejection meanwhile
    return { promise, resolve, reject };
  });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        settle[i]!.resolve(await work(items[i]!));
      } catch (e) {
        settle[i]!.reject(e);
      }
    }
  };
  for (let w = 0; w < Math.min(limit, items.length); w++) void worker();
  return settle.map((s) => s.promise);
}

/** A row that passed its checks and has no stored answer yet: to be hashed and written. */
interface Pending {
  readonly index: number;
  readonly base: { readonly row: number; readonly rowKey: string | null };
  readonly filing: ValidFiling;
  readonly password: string;
  readonly key: string | null;
  readonly fingerprint: string;
}

const ROW_FAILED_MESSAGE = 'この行を処理できませんでした。時間をおいて、もう一度送信してください（申請されていません）。';

/**
 * 一括申請 (issue 17): every row is validated by the rules of 申請を行う first; rows whose key already
 * has an answer are answered from it; the others' passwords are stored encrypted for the background
 * hasher (PENDING_PASSWORD_KEY, decision 0017) or else hashed, a few at a time on libuv's pool, while
 * the rows already hashed are written (decision 0014); 50 rows to a transaction, each row in a savepoint of its
 * own (a bad row never stops a good one). With a key (the row's, or the request's Idempotency-Key
 * and the row's number), the row's answer is stored in its savepoint, so a retried request answers a
 * filed row again instead of filing it twice.
 */
export function makeAccountFiling(deps: ServiceDeps, idempotency: ReturnType<typeof makeIdempotency>, filings: FilingActivity = makeFilingActivity()) {
  return {
    /**
     * Files the rows (at most BULK_FILING_MAX, checked by the caller) and answers each, in order.
     * `row`: the row's number in the request (1-based); `requestKey`: the request's Idempotency-Key,
     * the key of each row that has none of its own (with the row's number).
     */
    fileMany(accountId: string, rows: readonly { row: number; filing: FilingRow }[], requestKey: string | null, clientAddress: string | null): Promise<RowResult[]> {
      return filings.during(() => fileManyNow(accountId, rows, requestKey, clientAddress));
    },
  };

  async function fileManyNow(accountId: string, rows: readonly { row: number; filing: FilingRow }[], requestKey: string | null, clientAddress: string | null): Promise<RowResult[]> {
    const scope = `account:${accountId}`;
    const results = new Array<RowResult>(rows.length);
    const firstRowOfChassis = new Map<string, number>();
    const pending: Pending[] = [];
    for (const [index, { row, filing: r }] of rows.entries()) {
      const base = { row, rowKey: r.rowKey ?? null };
      const refused = (errors: FieldError[]) => (results[index] = { ...base, ok: false, errors });
      const chassis = (r.input.chassisNumber ?? '').normalize('NFKC').replace(/\s+/g, '').toUpperCase();
      const first = chassis === '' ? undefined : firstRowOfChassis.get(chassis);
      if (chassis !== '' && first === undefined) firstRowOfChassis.set(chassis, row);
      // A row with errors writes nothing and stores no answer: corrected, it may be sent again with the same key.
      if (first !== undefined) {
        refused([{ field: 'chassisNumber', message: `${first}行目と同じ車台番号です。同じ車両の申請は1行にしてください。` }]);
        continue;
      }
      const filing = validateFiling(r.input);
      const passwordError = checkApplicationPassword(r.password);
      if (!filing.ok || passwordError) {
        refused(fieldErrors({ ...(filing.ok ? {} : filing.errors), ...(passwordError ? { password: passwordError } : {}) }));
        continue;
      }
      const key = r.rowKey !== undefined ? `row:${r.rowKey}` : requestKey !== null ? `request:${requestKey}#${row}` : null;
      const fingerprint = key === null ? '' : requestFingerprint('POST', '/api/v1/account/applications#row', { input: r.input, password: r.password });
      pending.push({ index, base, filing: filing.value, password: r.password, key, fingerprint });
    }

    const answerOf = (p: Pending, outcome: IdempotentOutcome): RowResult => {
      switch (outcome.kind) {
        case 'fresh':
          return outcome.body as RowResult;
        case 'replay': {
          const stored = JSON.parse(outcome.body) as RowResult;
          return stored.ok ? { ...stored, ...p.base, replayed: true } : { ...stored, ...p.base };
        }
        case 'mismatch':
          return { ...p.base, ok: false, errors: [{ field: 'rowKey', message: 'このキーは、内容の異なる別の申請にすでに使われています。新しいキーを指定してください。' }] };
        case 'inProgress':
          return { ...p.base, ok: false, errors: [{ field: 'rowKey', message: '同じキーの申請を処理中です。しばらく待ってから、もう一度送信してください。' }] };
      }
    };

    // A retried request: the rows answered before are answered again, without hashing their passwords.
    const keyed = pending.filter((p) => p.key !== null);
    const stored = keyed.length > 0 ? await idempotency.answered(scope, keyed.map((p) => ({ key: p.key!, fingerprint: p.fingerprint }))) : new Map<string, IdempotentOutcome>();
    const toFile = pending.filter((p) => {
      const answer = p.key === null ? undefined : stored.get(p.key);
      if (answer) results[p.index] = answerOf(p, answer);
      return !answer;
    });

    // Decision 0017: with PENDING_PASSWORD_KEY, each password is stored encrypted with its row and
    // hashed after the answer by the background hasher; without it, hashed here (decision 0014).
    const cipher = deps.pendingPasswords;
    const hashes: Promise<StoredPassword>[] = cipher
      ? toFile.map((p) => Promise.resolve({ pending: (applicationId: string) => cipher.seal(applicationId, p.password) }))
      : limited(toFile, HASHING, async (p) => ({ hash: await deps.passwords.hash(p.password) }));
    const fileOne = async (tx: Tx, p: Pending, password: StoredPassword): Promise<RowResult> => {
      const write = async (): Promise<RowResult> => {
        const app = await registerWithin(deps, tx, p.filing, password, { kind: 'applicant' }, { accountId, clientAddress, logFiled: false });
        return { ...p.base, ok: true, arrivalNumber: app.arrivalNumber, replayed: false };
      };
      if (p.key === null) return withSavepoint(tx, write);
      return answerOf(p, await idempotency.runWithin(tx, { scope, key: p.key, fingerprint: p.fingerprint }, async () => ({ status: 201, body: await write() })));
    };
    const batches = Array.from({ length: Math.ceil(toFile.length / BATCH) }, (_, n) => n * BATCH);
    const written = limited(batches, deps.database.dialect === 'postgres' ? PG_WRITERS : 1, async (b) => {
      const batch = toFile.slice(b, b + BATCH);
      const batchHashes = await Promise.all(hashes.slice(b, b + BATCH));
      const answers = await transaction(deps, async (tx) => {
        const out: RowResult[] = [];
        for (const [i, p] of batch.entries()) {
          try {
            out.push(await fileOne(tx, p, batchHashes[i]!));
          } catch (err) {
            // Undone alone (its savepoint); the database gone is the whole request's failure, not a row's.
            if (isDatabaseUnavailable(err)) throw err;
            deps.logger.error({ err, event: 'bulk-filing-row-failed', accountId, row: p.base.row }, 'bulk filing row failed');
            out.push({ ...p.base, ok: false, errors: [{ field: '', message: ROW_FAILED_MESSAGE }] });
          }
        }
        // The account log's lines of the rows filed (not the replayed), in one insert at the batch's end.
        const filed = out.filter((r): r is RowResult & { ok: true } => r.ok && !r.replayed);
        await accountRepository(tx).appendLogLines(
          accountId,
          filed.map((r) => ({ id: deps.ids.id(), action: 'applicationFiled' as const, at: deps.clock.now(), receiptNumber: r.arrivalNumber, clientAddress })),
          deps.database.dialect === 'postgres',
        );
        return out;
      });
      for (const [i, p] of batch.entries()) results[p.index] = answers[i]!;
    });
    // Every batch ends (commits or rolls back) before the request is answered, even when one failed.
    const failed = (await Promise.allSettled(written)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    deps.logger.info({ event: 'bulk-filing', accountId, rows: rows.length, filed: results.filter((r) => r.ok && !r.replayed).length }, 'bulk filing');
    return results;
  }
}
