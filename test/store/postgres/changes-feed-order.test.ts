import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFiling } from '../../../src/domain/filing.js';
import { FEED_START } from '../../../src/domain/account-api.js';
import { createTestApp, type TestApp } from '../../support/app.js';
import { filing, office } from '../../services/support.js';

/**
 * The changes feed on PostgreSQL (decision 0011): a transaction that began first but commits last
 * is still delivered after a reader has seen later ones — the feed holds every change back until
 * all older transactions have ended, so a cursor never passes a change that is not committed yet.
 */
describe('changes feed: commit order across concurrent transactions (PostgreSQL)', () => {
  let t: TestApp;
  let accountId: string;
  beforeAll(async () => {
    t = await createTestApp();
    const r = await t.services.accounts.register({ kind: 'business', name: '大崎モータース株式会社', mailAddress: 'office@osaki.example.jp', password: 'kei dealer passphrase 2026' }, { clientAddress: null });
    if (!r.ok) throw new Error(r.refusal.message);
    accountId = r.value.accountId;
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  async function file() {
    const valid = validateFiling(filing());
    if (!valid.ok) throw new Error('filing');
    const r = await t.services.registerApplication(valid.value, 'demo1234pass', { kind: 'applicant' }, { accountId });
    if (!r.ok) throw new Error(r.refusal.message);
    return r.value;
  }

  it('delivers a slow transaction’s change after the cursor passed a later one, never skipping it', async () => {
    const slow = await file();
    const fast = await file();
    const start = await t.services.accountApi.changes(accountId, FEED_START, 1000);
    expect(start.changes.map((c) => c.arrivalNumber)).toEqual([slow.arrivalNumber, fast.arrivalNumber]);
    const cursor = start.changes.at(-1)!.cursor;

    // The slow transaction writes its history row first and holds its commit until released.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const slowAct = t.services.actOnApplication(slow.id, { type: 'accept' }, office(), {
      once: {
        begin: async () => undefined,
        end: async () => {
          written();
          await gate;
        },
      },
    });
    await wrote;
    // A second server's transaction begins later, in the same millisecond, and commits first.
    const fastAct = await t.services.actOnApplication(fast.id, { type: 'accept' }, office());
    expect(fastAct.ok).toBe(true);

    // The reader polls while the slow one is still open: the committed fast change is held back.
    const during = await t.services.accountApi.changes(accountId, cursor, 1000);
    expect(during.changes).toEqual([]);

    release();
    expect((await slowAct).ok).toBe(true);
    const after = await t.services.accountApi.changes(accountId, cursor, 1000);
    expect(after.changes.map((c) => [c.arrivalNumber, c.entry.event])).toEqual([
      [slow.arrivalNumber, 'accept'],
      [fast.arrivalNumber, 'accept'],
    ]);
    expect(after.changes[0]!.cursor.position).toBeLessThan(after.changes[1]!.cursor.position);
  });

  it('reads each change once over many concurrent writers and small pages', async () => {
    const apps = await Promise.all(Array.from({ length: 12 }, () => file()));
    let cursor = (await t.services.accountApi.changes(accountId, FEED_START, 1000)).changes.at(-1)!.cursor;
    const seen: string[] = [];
    const writers = Promise.all(apps.map((a) => t.services.actOnApplication(a.id, { type: 'accept' }, office())));
    for (let i = 0; i < 200 && seen.length < apps.length; i++) {
      const page = await t.services.accountApi.changes(accountId, cursor, 3);
      for (const c of page.changes) seen.push(`${c.arrivalNumber}:${c.entry.seq}`);
      cursor = page.changes.at(-1)?.cursor ?? cursor;
      if (page.changes.length === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await writers;
    const rest = await t.services.accountApi.changes(accountId, cursor, 1000);
    for (const c of rest.changes) seen.push(`${c.arrivalNumber}:${c.entry.seq}`);
    expect([...seen].sort()).toEqual(apps.map((a) => `${a.arrivalNumber}:2`).sort());
  });
});
