import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_STALE_MS, IDEMPOTENCY_TTL_MS, requestFingerprint } from '../../src/services/idempotency.js';
import { TEST_NOW, createTestApp, type TestApp } from '../support/app.js';

describe('Idempotency-Key results (per token)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const fp = (body: unknown) => requestFingerprint('POST', '/api/v1/applications/1/events', body);

  it('the fingerprint ignores key order but not values, method or path', () => {
    expect(fp({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(fp({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(fp({ a: 1 })).not.toBe(fp({ a: 2 }));
    expect(requestFingerprint('POST', '/x', { a: 1 })).not.toBe(requestFingerprint('POST', '/y', { a: 1 }));
  });

  it('two requests racing with one key: the work runs once, the other is told it is in progress, a later retry replays', async () => {
    let runs = 0;
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = new Promise<void>((r) => (started = r));
    const work = async () => {
      runs += 1;
      started();
      await gate;
      return { status: 200, body: { done: runs } };
    };
    const first = t.services.idempotency.run('token-a', 'race', fp({ x: 1 }), work);
    // The first request holds the key (its work has started) when the second arrives.
    await running;
    const second = await t.services.idempotency.run('token-a', 'race', fp({ x: 1 }), work);
    expect(second).toEqual({ kind: 'inProgress' });
    release();
    expect(await first).toEqual({ kind: 'fresh', status: 200, body: { done: 1 } });
    expect(await t.services.idempotency.run('token-a', 'race', fp({ x: 1 }), work)).toEqual({ kind: 'replay', status: 200, body: '{"done":1}' });
    expect(runs).toBe(1);
  });

  it('keys are per token, and a different request under a used key is a mismatch', async () => {
    const work = async () => ({ status: 201, body: { ok: true } });
    expect((await t.services.idempotency.run('token-a', 'k1', fp({ a: 1 }), work)).kind).toBe('fresh');
    expect((await t.services.idempotency.run('token-b', 'k1', fp({ a: 2 }), work)).kind).toBe('fresh');
    expect(await t.services.idempotency.run('token-a', 'k1', fp({ a: 2 }), work)).toEqual({ kind: 'mismatch' });
  });

  it('a server error or an exception is not kept: a retry does the work', async () => {
    let n = 0;
    await expect(
      t.services.idempotency.run('token-a', 'boom', fp({}), async () => {
        n += 1;
        throw new Error('database went away');
      }),
    ).rejects.toThrow('database went away');
    expect((await t.services.idempotency.run('token-a', 'boom', fp({}), async () => ({ status: 503, body: {} }))).kind).toBe('fresh');
    const third = await t.services.idempotency.run('token-a', 'boom', fp({}), async () => {
      n += 1;
      return { status: 200, body: { n } };
    });
    expect(third).toEqual({ kind: 'fresh', status: 200, body: { n: 2 } });
  });

  it('a result is kept for a day; a reservation left by a dead process is taken over after five minutes', async () => {
    await t.db.handle.db
      .insertInto('idempotency_keys')
      .values({ token_id: 'token-c', idempotency_key: 'stuck', request_hash: fp({}), status_code: 0, response_body: '', created_at: new Date(TEST_NOW.getTime() - IDEMPOTENCY_STALE_MS - 1).toISOString() })
      .execute();
    expect(await t.services.idempotency.run('token-c', 'stuck', fp({}), async () => ({ status: 200, body: { took: 'over' } }))).toEqual({ kind: 'fresh', status: 200, body: { took: 'over' } });

    await t.services.idempotency.run('token-c', 'old', fp({ v: 1 }), async () => ({ status: 200, body: {} }));
    t.clock.set(new Date(TEST_NOW.getTime() + IDEMPOTENCY_TTL_MS + 1000));
    try {
      expect((await t.services.idempotency.run('token-c', 'old', fp({ v: 2 }), async () => ({ status: 200, body: { v: 2 } }))).kind).toBe('fresh');
      expect(await t.services.idempotency.purgeExpired()).toBeGreaterThan(0);
      const left = await t.db.handle.db.selectFrom('idempotency_keys').select('idempotency_key').where('token_id', '=', 'token-c').execute();
      expect(left.map((r) => r.idempotency_key)).toEqual(['old']);
    } finally {
      t.clock.set(TEST_NOW);
    }
  });
});
