import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReceiptNumber } from '../../../src/domain/receipt-number.js';
import { CSV_COLUMNS } from '../../../src/web/api/account/filing-input.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { filing, office } from '../../services/support.js';

const CLIENT = resolve(import.meta.dirname, '../../../examples/account-client.ts');

/** The example client in its own process (through tsx), as a dealer runs it; resolves when it exits. */
function runClient(args: string[], env: Record<string, string>, onLine: (line: string) => void = () => undefined) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLIENT, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

describe('examples/account-client.ts against a real server (issue 17)', () => {
  let t: TestApp;
  let url: string;
  let token: string;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const r = await t.services.accounts.register({ kind: 'business', name: '大崎モータース株式会社', mailAddress: 'office@osaki.example.jp', password: 'kei dealer passphrase 2026' }, { clientAddress: null });
    if (!r.ok) throw new Error(r.refusal.message);
    const tk = await t.services.accountApi.tokens.create(r.value.accountId, { name: '販売管理システム', scopes: ['read', 'file'], days: 30 });
    if (!tk.ok) throw new Error(tk.refusal.message);
    token = tk.value.token;
    dir = mkdtempSync(join(tmpdir(), 'kei-client-'));
  }, 120_000);
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('files a CSV, reports each row, then follows the changes feed until every filed application is accepted', async () => {
    const line = (r: Record<string, unknown>) => CSV_COLUMNS.map((c) => (r[c] === undefined ? '' : `"${String(r[c])}"`)).join(',');
    const rows = [
      { ...filing(), rowKey: 'order-1001', password: 'dealer2026pass' },
      { ...filing(), rowKey: 'order-1002', password: 'dealer2026pass', vehicleNumber: '' },
      { ...filing(), rowKey: 'order-1003', password: 'dealer2026pass' },
    ];
    const csv = join(dir, 'applications.csv');
    writeFileSync(csv, `${CSV_COLUMNS.join(',')}\r\n${rows.map(line).join('\r\n')}\r\n`);

    // The office accepts each application as soon as the client has printed its 到達番号.
    const accepted: Promise<unknown>[] = [];
    const run = await runClient([csv, '--until', 'acceptedAwaitingAttachments', '--poll', '0.2'], { KEI_OSS_TOKEN: token, KEI_OSS_URL: url }, (l) => {
      const m = /^\d+行目: 到達番号 (\d{17})$/.exec(l);
      if (!m) return;
      accepted.push(
        (async () => {
          const number = parseReceiptNumber(m[1]!);
          if (!number.ok) throw new Error(m[1]);
          const id = await t.services.findApplicationId(number.value);
          if (!id) throw new Error(`not filed: ${m[1]}`);
          const moved = await t.services.actOnApplication(id, { type: 'accept' }, office());
          if (!moved.ok) throw new Error(moved.refusal.message);
        })(),
      );
    });
    await Promise.all(accepted);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout.trimEnd().split('\n');
    const arrivals = out.flatMap((l) => /^\d行目: 到達番号 (\d{17})$/.exec(l)?.[1] ?? []);
    expect(arrivals).toHaveLength(2);
    expect(out.slice(0, 4)).toEqual([
      `1行目: 到達番号 ${arrivals[0]}`,
      '2行目: vehicleNumber: 車両番号を入力してください。',
      `3行目: 到達番号 ${arrivals[1]}`,
      '申請 2 件、誤り 1 件',
    ]);
    // Each filed application's two changes, each once, then the end.
    const changes = out.slice(4, -1).map((l) => l.replace(/^\S+ /, ''));
    expect(changes.sort()).toEqual(
      [`${arrivals[0]} #1 申請の到達 → 受付審査中`, `${arrivals[0]} #2 受付 → 申請受付済（添付書類取得待ち）`, `${arrivals[1]} #1 申請の到達 → 受付審査中`, `${arrivals[1]} #2 受付 → 申請受付済（添付書類取得待ち）`].sort(),
    );
    expect(out.at(-1)).toBe('すべての申請が acceptedAwaitingAttachments になりました。');
    expect(readFileSync(`${csv}.cursor`, 'utf8')).not.toBe('');

    // Run again on the same file: nothing filed twice (the Idempotency-Key of the file), the feed goes on from its cursor.
    const again = await runClient([csv, '--until', 'acceptedAwaitingAttachments', '--poll', '0.2'], { KEI_OSS_TOKEN: token, KEI_OSS_URL: url });
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n').slice(0, 4)).toEqual([
      `1行目: 到達番号 ${arrivals[0]}（申請済み）`,
      '2行目: vehicleNumber: 車両番号を入力してください。',
      `3行目: 到達番号 ${arrivals[1]}（申請済み）`,
      '申請 2 件、誤り 1 件',
    ]);
  }, 120_000);

  it('says what is wrong, in Japanese, with a wrong token or without arguments', async () => {
    const csv = join(dir, 'one.csv');
    writeFileSync(csv, `${CSV_COLUMNS.join(',')}\r\n`);
    const wrong = await runClient([csv], { KEI_OSS_TOKEN: 'keioss_acct_wrong', KEI_OSS_URL: url });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^申請できませんでした（HTTP 401）: /);
    const usage = await runClient([], { KEI_OSS_URL: url });
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toBe('使い方: KEI_OSS_TOKEN=keioss_acct_… npx tsx examples/account-client.ts applications.csv [--until 状況コード] [--poll 秒]');
  }, 120_000);
});
