import type { Application } from '../domain/application.js';
import { checkApplicationPassword, validateFiling, type FilingErrors, type FilingInput } from '../domain/filing.js';
import type { Result } from '../domain/result.js';
import type { RegisterApplication } from './application-events.js';
import type { ServiceDeps, TransactionHook } from './context.js';
import { requestFingerprint, type makeIdempotency } from './idempotency.js';

/** Rows in one bulk filing request (JSON or CSV). */
export const BULK_FILING_MAX = 500;
/** Rows filed at once: the password hash of one overlaps the write of another. */
const CONCURRENCY = 4;

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

/**
 * 一括申請 (issue 17): each row validated by the rules of 申請を行う and filed on its own (its own
 * transaction: a bad row never stops a good one), into the account's list. With a key (the row's, or
 * the request's Idempotency-Key and the row's number), the row's answer is stored in the row's
 * transaction, so that a retried request answers a filed row again instead of filing it twice.
 */
export function makeAccountFiling(deps: ServiceDeps, register: RegisterApplication, idempotency: ReturnType<typeof makeIdempotency>) {
  async function fileRow(accountId: string, row: FilingRow, rowNumber: number, key: string | null, clientAddress: string | null, duplicateOf: number | null): Promise<RowResult> {
    const base = { row: rowNumber, rowKey: row.rowKey ?? null };
    const refused = (errors: FieldError[]): RowResult => ({ ...base, ok: false, errors });
    // A row with errors writes nothing and stores no answer: corrected, it may be sent again with the same key.
    if (duplicateOf !== null) return refused([{ field: 'chassisNumber', message: `${duplicateOf}行目と同じ車台番号です。同じ車両の申請は1行にしてください。` }]);
    const filing = validateFiling(row.input);
    const passwordError = checkApplicationPassword(row.password);
    if (!filing.ok || passwordError) return refused(fieldErrors({ ...(filing.ok ? {} : filing.errors), ...(passwordError ? { password: passwordError } : {}) }));

    const toResult = (r: Result<Application>, replayed: boolean): RowResult => (r.ok ? { ...base, ok: true, arrivalNumber: r.value.arrivalNumber, replayed } : refused([{ field: '', message: r.refusal.message }]));
    const file = (once?: TransactionHook<Result<Application>>) => register(filing.value, row.password, { kind: 'applicant' }, { accountId, clientAddress, once });
    if (key === null) return toResult(await file(), false);

    const fingerprint = requestFingerprint('POST', '/api/v1/account/applications#row', { input: row.input, password: row.password });
    const answer = (r: Result<Application>) => ({ status: r.ok ? 201 : 409, body: toResult(r, false) });
    const outcome = await idempotency.run({ scope: `account:${accountId}`, key, fingerprint }, async (once) => answer(await file(once.within(answer))));
    switch (outcome.kind) {
      case 'fresh':
        return outcome.body as RowResult;
      case 'replay': {
        const stored = JSON.parse(outcome.body) as RowResult;
        return stored.ok ? { ...stored, ...base, replayed: true } : { ...stored, ...base };
      }
      case 'mismatch':
        return refused([{ field: 'rowKey', message: 'このキーは、内容の異なる別の申請にすでに使われています。新しいキーを指定してください。' }]);
      case 'inProgress':
        return refused([{ field: 'rowKey', message: '同じキーの申請を処理中です。しばらく待ってから、もう一度送信してください。' }]);
    }
  }

  return {
    /**
     * Files the rows (at most BULK_FILING_MAX, checked by the caller) and answers each, in order.
     * `row`: the row's number in the request (1-based); `requestKey`: the request's Idempotency-Key,
     * the key of each row that has none of its own (with the row's number).
     */
    async fileMany(accountId: string, rows: readonly { row: number; filing: FilingRow }[], requestKey: string | null, clientAddress: string | null): Promise<RowResult[]> {
      const firstRowOfChassis = new Map<string, number>();
      const duplicateOf = rows.map(({ row, filing }) => {
        const chassis = (filing.input.chassisNumber ?? '').normalize('NFKC').replace(/\s+/g, '').toUpperCase();
        if (chassis === '') return null;
        const first = firstRowOfChassis.get(chassis);
        if (first === undefined) firstRowOfChassis.set(chassis, row);
        return first ?? null;
      });
      const results = new Array<RowResult>(rows.length);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < rows.length; i = next++) {
          const { row, filing } = rows[i]!;
          const key = filing.rowKey !== undefined ? `row:${filing.rowKey}` : requestKey !== null ? `request:${requestKey}#${row}` : null;
          results[i] = await fileRow(accountId, filing, row, key, clientAddress, duplicateOf[i] ?? null);
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, rows.length) }, worker));
      deps.logger.info({ event: 'bulk-filing', accountId, rows: rows.length, filed: results.filter((r) => r.ok).length }, 'bulk filing');
      return results;
    },
  };
}
