import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationRepository } from '../../../src/store/applications.repository.js';
import { withSavepoint } from '../../../src/store/database.js';
import { TEST_NOW } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { insertDueApplications } from '../../multiprocess/support/due-applications.js';

const SWEEP_AT = new Date(TEST_NOW.getTime() + 90 * 24 * 60 * 60 * 1000);

describe('claiming due applications on PostgreSQL: FOR UPDATE SKIP LOCKED inside one transaction per batch, one savepoint per application', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await insertDueApplications(db.handle, 30, TEST_NOW);
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
  });

  it('gives two batches open at once different applications, and a claim ends with its batch', async () => {
    const repo = () => applicationRepository(db.handle.db, 'postgres');
    const all = await repo().dueForSweep(SWEEP_AT, 100);
    expect(all).toHaveLength(30);

    let releaseFirst!: () => void;
    let firstClaimed!: (ids: string[]) => void;
    const claimedByFirst = new Promise<string[]>((r) => (firstClaimed = r));
    const first = db.handle.db.transaction().execute(async (tx) => {
      firstClaimed(await applicationRepository(tx, 'postgres').dueForSweep(SWEEP_AT, 10));
      await new Promise<void>((r) => (releaseFirst = r));
    });
    const a = await claimedByFirst;
    const b = await db.handle.db.transaction().execute((tx) => applicationRepository(tx, 'postgres').dueForSweep(SWEEP_AT, 10));
    expect(a).toHaveLength(10);
    expect(b).toHaveLength(10);
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    // The first batch's rows are skipped, not waited for: a third claim takes the remaining ten.
    const c = await db.handle.db.transaction().execute((tx) => applicationRepository(tx, 'postgres').dueForSweep(SWEEP_AT, 30));
    expect(c).toHaveLength(20);
    expect(c.filter((id) => a.includes(id))).toEqual([]);
    releaseFirst();
    await first;
    // Committed without moving them: they are due again for the next claim.
    expect(await db.handle.db.transaction().execute((tx) => applicationRepository(tx, 'postgres').dueForSweep(SWEEP_AT, 100))).toHaveLength(30);
  });

  it('runs each use case of a batch in its own savepoint: a failing one is undone alone (the transaction is not left aborted), the others commit with the batch', async () => {
    const at = '2026-11-26T00:00:00.000Z';
    await db.handle.db.transaction().execute(async (tx) => {
      await withSavepoint(tx, () => tx.insertInto('server_secrets').values({ name: 'batch-1', value: 'one', created_at: at }).execute());
      const failed = await withSavepoint(tx, async () => {
        await tx.insertInto('server_secrets').values({ name: 'batch-2', value: 'two', created_at: at }).execute();
        await tx.insertInto('server_secrets').values({ name: 'batch-1', value: 'duplicate', created_at: at }).execute();
      }).catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: '23505' });
      await withSavepoint(tx, () => tx.insertInto('server_secrets').values({ name: 'batch-3', value: 'three', created_at: at }).execute());
    });
    const rows = await db.handle.db.selectFrom('server_secrets').select(['name', 'value']).where('name', 'like', 'batch-%').orderBy('name').execute();
    expect(rows).toEqual([
      { name: 'batch-1', value: 'one' },
      { name: 'batch-3', value: 'three' },
    ]);
  });

  it('undoes the whole batch when the work throws', async () => {
    const at = '2026-11-26T00:00:00.000Z';
    const error = await db.handle.db
      .transaction()
      .execute(async (tx) => {
        await withSavepoint(tx, () => tx.insertInto('server_secrets').values({ name: 'undone', value: 'x', created_at: at }).execute());
        throw new Error('stop');
      })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('stop');
    expect(await db.handle.db.selectFrom('server_secrets').select('name').where('name', '=', 'undone').execute()).toEqual([]);
    // The connection went back to the pool in a usable state.
    expect(await db.handle.db.selectFrom('server_secrets').select('name').where('name', '=', 'batch-3').execute()).toEqual([{ name: 'batch-3' }]);
  });
});
