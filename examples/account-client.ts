/**
 * A small client of the 一括申請 API (docs/api.md): files a CSV of applications, then follows them
 * through the changes feed, printing each change, until interrupted.
 *
 *   KEI_OSS_TOKEN=keioss_acct_… [KEI_OSS_URL=http://127.0.0.1:3000] npx tsx examples/account-client.ts applications.csv
 *
 * The CSV is sent as it is (UTF-8 or Shift_JIS: the server detects it). The request carries an
 * Idempotency-Key made from the file's content, so running it twice on the same file files nothing
 * twice. The feed's cursor is kept in a file beside the CSV, so a restart goes on where it stopped.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const base = `${(process.env.KEI_OSS_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '')}/api/v1/account`;
const token = process.env.KEI_OSS_TOKEN;
const csvPath = process.argv[2];
if (!token || !csvPath) {
  console.error('使い方: KEI_OSS_TOKEN=keioss_acct_… npx tsx examples/account-client.ts applications.csv');
  process.exit(2);
}
const auth = { authorization: `Bearer ${token}` };

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
  toStatusLabel: string;
  occurredAt: string;
}

/** A request, waiting as the server says when it answers 429. */
async function call(url: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const res = await fetch(url, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
    if (res.status !== 429) return res;
    await sleep(Number(res.headers.get('retry-after') ?? '5') * 1000);
  }
}

const csv = readFileSync(csvPath);
const filed = await call(`${base}/applications`, {
  method: 'POST',
  headers: { 'content-type': 'text/csv', 'idempotency-key': `csv-${createHash('sha256').update(csv).digest('hex').slice(0, 32)}` },
  body: csv,
});
const answer = (await filed.json()) as { filed?: number; failed?: number; results?: RowResult[]; error?: { message: string } };
if (!filed.ok || !answer.results) {
  console.error(`申請できませんでした（HTTP ${filed.status}）: ${answer.error?.message ?? ''}`);
  process.exit(1);
}
for (const r of answer.results) {
  if (r.ok) console.log(`${r.row}行目: 到達番号 ${r.arrivalNumber}${r.replayed ? '（申請済み）' : ''}`);
  else console.log(`${r.row}行目: ${r.errors?.map((e) => `${e.field}: ${e.message}`).join(' / ')}`);
}
console.log(`申請 ${answer.filed} 件、誤り ${answer.failed} 件`);

const cursorFile = `${csvPath}.cursor`;
let cursor = existsSync(cursorFile) ? readFileSync(cursorFile, 'utf8').trim() : '';
for (;;) {
  const res = await call(`${base}/changes?limit=1000${cursor ? `&after=${cursor}` : ''}`);
  if (!res.ok) {
    console.error(`変更の一覧を読めませんでした（HTTP ${res.status}）`);
    process.exit(1);
  }
  const page = (await res.json()) as { changes: Change[]; nextCursor: string; hasMore: boolean };
  for (const c of page.changes) console.log(`${c.occurredAt} ${c.arrivalNumber} #${c.seq} ${c.eventLabel} → ${c.toStatusLabel}`);
  if (page.nextCursor && page.nextCursor !== cursor) writeFileSync(cursorFile, (cursor = page.nextCursor));
  // Caught up: ask again in a minute (the rate limit allows far more).
  if (!page.hasMore) await sleep(60_000);
}
