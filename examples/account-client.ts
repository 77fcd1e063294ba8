/**
 * A small client of the 一括申請 API (docs/api.md): files a CSV of applications, then follows them
 * through the changes feed, printing each change, until interrupted (or, with --until, until every
 * application it filed has reached that status).
 *
 *   KEI_OSS_TOKEN=keioss_acct_… [KEI_OSS_URL=http://127.0.0.1:3000] npx tsx examples/account-client.ts applications.csv
 *     [--until acceptedAwaitingAttachments] [--poll 60]
 *
 * The CSV is sent as it is (UTF-8 or Shift_JIS: the server detects it). The request carries an
 * Idempotency-Key made from the file's content, so running it twice on the same file files nothing
 * twice. The feed's cursor is kept in a file beside the CSV, so a restart goes on where it stopped.
 * Exit status: 0 done (--until reached), 1 the server refused or could not be reached, 2 wrong usage.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const USAGE = '使い方: KEI_OSS_TOKEN=keioss_acct_… npx tsx examples/account-client.ts applications.csv [--until 状況コード] [--poll 秒]';

interface RowResult {
  row: number;
  ok: boolean;
  arrivalNumber?: string;
  replayed?: boolean;
  errors?: { field: string; message: string }[];
}
interface Change {
  arrivalNumber: string;
  seq: number;
  eventLabel: string;
  toStatus: string;
  toStatusLabel: string;
  occurredAt: string;
}
interface ErrorBody {
  error?: { code?: string; message?: string };
}

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: { until: { type: 'string' }, poll: { type: 'string' } } });
  } catch (e) {
    return fail(`${(e as Error).message}\n${USAGE}`, 2);
  }
})();
const token = process.env.KEI_OSS_TOKEN;
const csvPath = positionals[0];
const pollSeconds = Number(values.poll ?? '60');
if (!token || !csvPath || positionals.length > 1 || !(pollSeconds > 0)) fail(USAGE, 2);
const base = `${(process.env.KEI_OSS_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '')}/api/v1/account`;
const auth = { authorization: `Bearer ${token}` };

/** A request, waiting as the server says when it answers 429; a server that cannot be reached ends the run. */
async function call(url: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
    } catch (e) {
      return fail(`${url} に接続できませんでした: ${String((e as Error).cause ?? (e as Error).message)}`);
    }
    if (res.status !== 429) return res;
    await sleep(Number(res.headers.get('retry-after') ?? '5') * 1000);
  }
}

/** The answer's JSON, or null when it is not JSON (a proxy's error page). */
async function json<T>(res: Response): Promise<T | null> {
  try {
    return (await res.json()) as T;
  } catch {
    return null;
  }
}

const csv = readFileSync(csvPath);
const filed = await call(`${base}/applications`, {
  method: 'POST',
  headers: { 'content-type': 'text/csv', 'idempotency-key': `csv-${createHash('sha256').update(csv).digest('hex').slice(0, 32)}` },
  body: csv,
});
const answer = await json<{ filed?: number; failed?: number; results?: RowResult[] } & ErrorBody>(filed);
if (!filed.ok || !answer?.results) fail(`申請できませんでした（HTTP ${filed.status}）: ${answer?.error?.message ?? ''}`);
for (const r of answer.results) {
  if (r.ok) console.log(`${r.row}行目: 到達番号 ${r.arrivalNumber}${r.replayed ? '（申請済み）' : ''}`);
  else console.log(`${r.row}行目: ${r.errors?.map((e) => `${e.field}: ${e.message}`).join(' / ')}`);
}
console.log(`申請 ${answer.filed} 件、誤り ${answer.failed} 件`);

// --until: the filed applications that have not reached that status yet.
const waiting = new Set(answer.results.flatMap((r) => (r.ok && r.arrivalNumber ? [r.arrivalNumber] : [])));
if (values.until !== undefined && waiting.size > 0) {
  // Filed before (a second run): their earlier changes may stand below the kept cursor, so read their state now.
  const res = await call(`${base}/applications/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ numbers: [...waiting] }) });
  const now = await json<{ results?: { application?: { arrivalNumber: string; status: string } }[] } & ErrorBody>(res);
  if (!res.ok || !now?.results) fail(`申請状況を読めませんでした（HTTP ${res.status}）: ${now?.error?.message ?? ''}`);
  for (const r of now.results) if (r.application?.status === values.until) waiting.delete(r.application.arrivalNumber);
}
const cursorFile = `${csvPath}.cursor`;
let cursor = existsSync(cursorFile) ? readFileSync(cursorFile, 'utf8').trim() : '';
for (;;) {
  const res = await call(`${base}/changes?limit=1000${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`);
  const page = await json<{ changes: Change[]; nextCursor: string; hasMore: boolean } & ErrorBody>(res);
  if (!res.ok || !page?.changes) fail(`変更の一覧を読めませんでした（HTTP ${res.status}）: ${page?.error?.message ?? ''}`);
  for (const c of page.changes) {
    console.log(`${c.occurredAt} ${c.arrivalNumber} #${c.seq} ${c.eventLabel} → ${c.toStatusLabel}`);
    if (c.toStatus === values.until) waiting.delete(c.arrivalNumber);
  }
  if (page.nextCursor && page.nextCursor !== cursor) writeFileSync(cursorFile, (cursor = page.nextCursor));
  if (values.until !== undefined && waiting.size === 0) {
    console.log(`すべての申請が ${values.until} になりました。`);
    break;
  }
  // Caught up: ask again after the poll interval (a minute by default; the rate limit allows far more).
  if (!page.hasMore) await sleep(pollSeconds * 1000);
}
