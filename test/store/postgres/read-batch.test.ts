import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../src/demo/seed.js';
import { findSession, findSessionWithStamp, MAX_KEYS_A_READ, sessionRepository } from '../../../src/store/sessions.repository.js';
import { silentLogger, TEST_NOW } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/**
 * PostgreSQL: the session reads asked for in one turn of the event loop go to PostgreSQL as one
 * statement (`ReadBatch`, issue 18 round seven), and each caller gets exactly the row it would
 * have got alone.
 */
describe('the session reads of one turn, read in one statement (PostgreSQL)', () => {
  let t: TestDatabase;
  let pool: pg.Pool;
  let tokens: string[];
  /** The statements the reads sent: their names and how many keys each carried. */
  let sent: { name: string; keys: number }[];
  let failNext: Error | null;

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemo(t.handle, { logger: silentLogger, now: TEST_NOW });
    const ids = (await t.handle.db.selectFrom('applications').select('id').orderBy('arrival_number').execute()).map((r) => r.id);
    const now = new Date(TEST_NOW);
    tokens = [];
    for (const id of ids) {
      const token = randomBytes(32).toString('base64url');
      await sessionRepository(t.handle.db).insert(token, { kind: 'applicant', applicationId: id, staffUserId: null, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + 3600_000) });
      tokens.push(token);
    }
    pool = t.handle.pool!;
    // Every statement the reads send passes here (Kysely takes a client of its own, not pool.query).
    const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
    (pool as unknown as { query: (config: pg.QueryConfig) => Promise<pg.QueryResult> }).query = (config) => {
      const values = config.values ?? [];
      sent.push({ name: config.name ?? '', keys: Array.isArray(values[0]) ? values[0].length : 1 });
      if (failNext) {
        const err = failNext;
        failNext = null;
        return Promise.reject(err);
      }
      return query(config);
    };
  }, 120_000);
  afterAll(async () => {
    await t.destroy();
  });
  beforeEach(() => {
    sent = [];
    failNext = null;
  });

  it('reads the sessions (with their stamps) asked for together in ONE statement, each caller getting what it would get alone', async () => {
    const alone = [];
    for (const token of tokens) alone.push(await findSessionWithStamp(t.handle, token));
    expect(sent).toEqual(tokens.map(() => ({ name: 'kei_find_session_stamp', keys: 1 })));
    expect(alone.every((r) => r !== null && r.stamp !== null)).toBe(true);

    sent = [];
    // The same token twice and an unknown one among them.
    const together = await Promise.all([...tokens, tokens[0]!, 'no-such-token'].map((token) => findSessionWithStamp(t.handle, token)));
    expect(sent).toEqual([{ name: 'kei_find_session_stamp_many', keys: tokens.length + 1 }]);
    expect(together).toEqual([...alone, alone[0], null]);
  });

  it('reads the plain session the same way, in a statement of its own', async () => {
    const alone = await findSession(t.handle, tokens[1]!);
    sent = [];
    const together = await Promise.all([findSession(t.handle, tokens[1]!), findSession(t.handle, tokens[2]!), findSessionWithStamp(t.handle, tokens[3]!)]);
    expect(sent.map((s) => s.name).sort()).toEqual(['kei_find_session_many', 'kei_find_session_stamp']);
    expect(together[0]).toEqual(alone);
    expect(together[1]?.applicationId).toBe((await findSession(t.handle, tokens[2]!))?.applicationId);
    expect(together[2]?.session.idHash).toBe((await findSession(t.handle, tokens[3]!))?.idHash);
  });

  it(`sends at most ${MAX_KEYS_A_READ} keys a statement`, async () => {
    const many = Array.from({ length: 2 * MAX_KEYS_A_READ + 7 }, (_, i) => tokens[i % tokens.length]! + (i < tokens.length ? '' : `-${i}`));
    const found = await Promise.all(many.map((token) => findSessionWithStamp(t.handle, token)));
    expect(sent).toEqual([
      { name: 'kei_find_session_stamp_many', keys: MAX_KEYS_A_READ },
      { name: 'kei_find_session_stamp_many', keys: MAX_KEYS_A_READ },
      { name: 'kei_find_session_stamp_many', keys: 7 },
    ]);
    expect(found.filter((r) => r !== null)).toHaveLength(tokens.length);
  });

  it('fails every read of a statement that failed, and reads again at the next turn', async () => {
    failNext = new Error('connection terminated');
    const reads = [findSessionWithStamp(t.handle, tokens[0]!), findSessionWithStamp(t.handle, tokens[1]!)];
    await expect(reads[0]).rejects.toThrow('connection terminated');
    await expect(reads[1]).rejects.toThrow('connection terminated');
    expect((await findSessionWithStamp(t.handle, tokens[0]!))?.session.applicationId).not.toBeNull();
    expect(sent).toHaveLength(2);
  });

  it('reads a change committed before the read was asked for', async () => {
    const before = (await findSessionWithStamp(t.handle, tokens[4]!))!;
    await t.handle.db.updateTable('applications').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', before.session.applicationId!).execute();
    const [after] = await Promise.all([findSessionWithStamp(t.handle, tokens[4]!), findSessionWithStamp(t.handle, tokens[5]!)]);
    expect(after?.stamp?.version).toBe(before.stamp!.version + 1);
  });
});
