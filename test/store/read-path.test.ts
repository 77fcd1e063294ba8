import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenarios } from '../../src/demo/scenarios.js';
import { seedDemo } from '../../src/demo/seed.js';
import { applicationRepository, applicationStamp, loadApplication } from '../../src/store/applications.repository.js';
import { findSession, findSessionWithStamp, sessionRepository } from '../../src/store/sessions.repository.js';
import type { Tx } from '../../src/store/database.js';
import { silentLogger, TEST_NOW } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * Runs `read` while another transaction holds `write` uncommitted, lets that transaction roll
 * back, and gives what the read saw (the read starts inside the other's transaction and ends after it).
 */
async function readDuringRolledBackWrite<R>(t: TestDatabase, write: (tx: Tx) => Promise<void>, read: () => Promise<R>): Promise<R> {
  let written!: () => void;
  const writtenInTransaction = new Promise<void>((r) => (written = r));
  let finish!: () => void;
  const gate = new Promise<void>((r) => (finish = r));
  const transaction = t.handle.db
    .transaction()
    .execute(async (tx) => {
      await write(tx);
      written();
      await gate;
      throw new Error('rolled back on purpose');
    })
    .catch((e: Error) => e.message);
  await writtenInTransaction;
  const seen = read();
  finish();
  expect(await transaction).toBe('rolled back on purpose');
  return seen;
}

/**
 * The status page's read path (statements prepared once, queries compiled once) gives exactly what
 * the repository's own `load` and `find` give, and never shows another request's unfinished write.
 */
describe('the read path of 申請状況確認 (loadApplication, findSession)', () => {
  let t: TestDatabase;
  let ids: string[];
  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemo(t.handle, { logger: silentLogger, now: TEST_NOW });
    ids = (await t.handle.db.selectFrom('applications').select('id').orderBy('arrival_number').execute()).map((r) => r.id);
  }, 120_000);
  afterAll(async () => {
    await t.destroy();
  });

  it('reads every demo application (every status of both procedures) exactly as load does', async () => {
    expect(ids).toHaveLength(demoScenarios.length);
    const repo = applicationRepository(t.handle.db, t.handle.dialect);
    for (const id of ids) {
      const expected = await repo.load(id);
      expect(expected).not.toBeNull();
      // Twice: the second call runs the prepared statements / compiled queries again.
      expect(await loadApplication(t.handle, id)).toEqual(expected);
      expect(await loadApplication(t.handle, id)).toEqual(expected);
    }
  });

  it('gives null for an application that does not exist', async () => {
    expect(await loadApplication(t.handle, '00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('reads parts in their order: attachments by position, payment lines by position, notices by time', async () => {
    const withEverything = ids.map(async (id) => (await loadApplication(t.handle, id))!);
    const apps = await Promise.all(withEverything);
    const manual = apps.find((a) => a.receiptNumber === '99999999999999999')!;
    expect(manual.attachments.map((a) => a.kind)).toEqual(['insuranceCertificate', 'safetyStandardCertificate']);
    expect(manual.paymentLines.map((l) => l.feeKind)).toEqual(['検査手数料', '技術情報管理手数料', '自動車重量税']);
    expect(manual.notices.map((n) => n.kind)).toEqual(['correction']);
  });

  it('does not show a change that another request has not committed (and then rolled back)', async () => {
    const id = ids[0]!;
    const before = (await loadApplication(t.handle, id))!;
    const seen = (await readDuringRolledBackWrite(
      t,
      async (tx) => {
        await tx.updateTable('applications').set({ applicant_name: '未確定の変更' }).where('id', '=', id).execute();
        await tx.deleteFrom('attachments').where('application_id', '=', id).execute();
      },
      () => loadApplication(t.handle, id),
    ))!;
    expect(seen.applicant.name).toBe(before.applicant.name);
    expect(seen.attachments).toEqual(before.attachments);
  });

  it('finds a session exactly as the repository does, and null for an unknown token', async () => {
    const token = randomBytes(32).toString('base64url');
    const now = new Date(TEST_NOW);
    await sessionRepository(t.handle.db).insert(token, {
      kind: 'applicant',
      applicationId: ids[1]!,
      staffUserId: null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + 8 * 3600_000),
    });
    const expected = await sessionRepository(t.handle.db).find(token);
    expect(expected?.applicationId).toBe(ids[1]);
    expect(await findSession(t.handle, token)).toEqual(expected);
    expect(await findSession(t.handle, token)).toEqual(expected);
    expect(await findSession(t.handle, 'no-such-token')).toBeNull();
  });

  it('reads a session with its application\'s stamp exactly as findSession and applicationStamp do, for every demo application', async () => {
    const now = new Date(TEST_NOW);
    const expires = new Date(now.getTime() + 8 * 3600_000);
    for (const id of ids) {
      const token = randomBytes(32).toString('base64url');
      await sessionRepository(t.handle.db).insert(token, { kind: 'applicant', applicationId: id, staffUserId: null, createdAt: now, lastSeenAt: now, expiresAt: expires });
      const stamp = await applicationStamp(t.handle, id);
      expect(stamp).not.toBeNull();
      expect(await findSessionWithStamp(t.handle, token)).toEqual({ session: await findSession(t.handle, token), stamp });
    }
    // A session without an application (a 利用者ID's with none opened) has no stamp; an unknown token, nothing.
    const token = randomBytes(32).toString('base64url');
    await sessionRepository(t.handle.db).insert(token, { kind: 'account', applicationId: null, staffUserId: null, createdAt: now, lastSeenAt: now, expiresAt: expires });
    const found = await findSessionWithStamp(t.handle, token);
    expect(found?.session.kind).toBe('account');
    expect(found?.stamp).toBeNull();
    expect(await findSessionWithStamp(t.handle, 'no-such-token')).toBeNull();
  });

  it('reads the stamp of the version committed, not of a change another request has not committed (and then rolled back)', async () => {
    const now = new Date(TEST_NOW);
    const id = ids[1]!;
    const token = randomBytes(32).toString('base64url');
    await sessionRepository(t.handle.db).insert(token, { kind: 'applicant', applicationId: id, staffUserId: null, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + 3600_000) });
    const before = (await findSessionWithStamp(t.handle, token))!;
    const during = await readDuringRolledBackWrite(
      t,
      async (tx) => {
        await tx.updateTable('applications').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', id).execute();
      },
      () => findSessionWithStamp(t.handle, token),
    );
    expect(during?.stamp?.version).toBe(before.stamp!.version);
    // With no transaction open, the same read (now without waiting for the connection) gives the same.
    expect(await findSessionWithStamp(t.handle, token)).toEqual(before);
  });

  it('does not find a session whose login has not committed (and then rolled back)', async () => {
    const token = randomBytes(32).toString('base64url');
    const found = readDuringRolledBackWrite(
      t,
      async (tx) => {
        const now = new Date(TEST_NOW);
        await sessionRepository(tx).insert(token, { kind: 'applicant', applicationId: ids[2]!, staffUserId: null, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + 3600_000) });
      },
      () => findSession(t.handle, token),
    );
    expect(await found).toBeNull();
  });
});
