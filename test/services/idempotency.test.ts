import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFiling, type FilingInput } from '../../src/domain/filing.js';
import type { ServiceDeps } from '../../src/services/context.js';
import { randomIds } from '../../src/services/ids.js';
import { IDEMPOTENCY_TTL_MS, makeIdempotency, requestFingerprint, type Answer } from '../../src/services/idempotency.js';
import { argon2Hasher } from '../../src/services/passwords.js';
import { continuousFiling } from '../web/api/support.js';
import { TEST_NOW, createTestApp, silentLogger, type TestApp } from '../support/app.js';
import { testDatabaseKind } from '../support/database.js';

describe('Idempotency-Key and form-token answers (stored in the write’s own transaction)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const fp = (body: unknown) => requestFingerprint('POST', '/api/v1/applications/1/events', body);
  const office = { kind: 'inspectionOffice', officeCode: 'tokyo', id: 'test-office', label: '東京主管事務所' } as const;
  const filing = () => {
    const { password: _p, ...input } = continuousFiling({ chassisNumber: `IDEM-${Math.random().toString(36).slice(2, 9)}` });
    const v = validateFiling(input as FilingInput);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    return v.value;
  };
  const countApplications = async () => Number((await t.db.handle.db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const keyRow = (scope: string, key: string) => t.db.handle.db.selectFrom('idempotency_keys').selectAll().where('token_id', '=', scope).where('idempotency_key', '=', key).executeTakeFirst();

  /** A keyed registration as the API runs it: the answer (with the 到達番号) is rendered and stored inside the registration's transaction. */
  const register = (scope: string, key: string, fail?: () => void) =>
    t.services.idempotency.run({ scope, key, fingerprint: fp({ register: key }) }, async (once) => {
      const render = (r: { ok: boolean; value?: { arrivalNumber: string } }): Answer => {
        fail?.();
        return { status: 201, body: { arrivalNumber: r.value?.arrivalNumber } };
      };
      const r = await t.services.registerApplication(filing(), 'Passw0rd-123', office, { once: once.within(render) });
      return render(r as never);
    });

  it('the fingerprint ignores key order but not values, method or path', () => {
    expect(fp({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(fp({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(fp({ a: 1 })).not.toBe(fp({ a: 2 }));
    expect(requestFingerprint('POST', '/x', { a: 1 })).not.toBe(requestFingerprint('POST', '/y', { a: 1 }));
  });

  it('a write and its answer commit together: the answer is in the database as soon as the write is', async () => {
    const before = await countApplications();
    const first = await register('token-a', 'reg-1');
    expect(first.kind).toBe('fresh');
    const arrival = (first as { body: { arrivalNumber: string } }).body.arrivalNumber;
    expect(arrival).toMatch(/^\d{17}$/);
    const row = await keyRow('token-a', 'reg-1');
    expect(row?.status_code).toBe(201);
    expect(JSON.parse(row!.response_body)).toEqual({ arrivalNumber: arrival });
    // The process "dies" before the reply; the client retries: the first 到達番号, no second application.
    expect(await register('token-a', 'reg-1')).toEqual({ kind: 'replay', status: 201, body: JSON.stringify({ arrivalNumber: arrival }) });
    expect(await countApplications()).toBe(before + 1);
  });

  it('a failure after the write but before the commit leaves neither the write nor the answer: the retry runs once', async () => {
    const before = await countApplications();
    await expect(
      register('token-a', 'reg-2', () => {
        throw new Error('process died');
      }),
    ).rejects.toThrow('process died');
    expect(await countApplications()).toBe(before);
    expect(await keyRow('token-a', 'reg-2')).toBeUndefined();
    expect((await register('token-a', 'reg-2')).kind).toBe('fresh');
    expect(await countApplications()).toBe(before + 1);
  });

  it('a reservation left by an older version (status 0, no answer) does not hold the key: the retry runs at once, with no five-minute wait', async () => {
    await t.db.handle.db
      .insertInto('idempotency_keys')
      .values({ token_id: 'token-c', idempotency_key: 'stuck', request_hash: fp({ register: 'stuck' }), status_code: 0, response_body: '', created_at: TEST_NOW.toISOString() })
      .execute();
    const before = await countApplications();
    expect((await register('token-c', 'stuck')).kind).toBe('fresh');
    expect(await countApplications()).toBe(before + 1);
    expect((await keyRow('token-c', 'stuck'))?.status_code).toBe(201);
  });

  it('two requests racing with one key in one process: the work runs once, the other is told it is in progress, a later retry replays', async () => {
    let runs = 0;
    let release!: () => void;
    let started!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = new Promise<void>((r) => (started = r));
    const work = async (): Promise<Answer> => {
      runs += 1;
      started();
      await gate;
      return { status: 200, body: { done: runs } };
    };
    const req = { scope: 'token-a', key: 'race', fingerprint: fp({ x: 1 }) };
    const first = t.services.idempotency.run(req, work);
    await running;
    expect(await t.services.idempotency.run(req, work)).toEqual({ kind: 'inProgress' });
    release();
    expect(await first).toEqual({ kind: 'fresh', status: 200, body: { done: 1 } });
    expect(await t.services.idempotency.run(req, work)).toEqual({ kind: 'replay', status: 200, body: '{"done":1}' });
    expect(runs).toBe(1);
  });

  it('two processes with one key: never two writes (PostgreSQL: the second is told it is in progress; SQLite: nothing is visible until the commit); afterwards the other process replays', async () => {
    const other = t.db.reopen();
    try {
      const deps: ServiceDeps = { database: other, clock: t.clock, ids: randomIds, passwords: argon2Hasher, logger: silentLogger };
      const second = makeIdempotency(deps);
      let release!: () => void;
      let inside!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const holding = new Promise<void>((r) => (inside = r));
      const req = { scope: 'token-d', key: 'cross', fingerprint: fp({ cross: 1 }) };
      const before = await countApplications();
      const first = t.services.idempotency.run(req, async (once) => {
        const hook = once.within(() => ({ status: 201, body: { n: 1 } }))!;
        const r = await t.services.registerApplication(filing(), 'Passw0rd-123', office, {
          once: {
            begin: async (tx) => {
              await hook.begin(tx);
              inside();
              await gate;
            },
            end: (tx, result) => hook.end(tx, result),
          },
        });
        return { status: r.ok ? 201 : 400, body: { n: 1 } };
      });
      await holding;
      if (testDatabaseKind() === 'postgres') {
        expect(await second.run(req, async () => ({ status: 201, body: { n: 2 } }))).toEqual({ kind: 'inProgress' });
      } else {
        // SQLite: a second writer would wait for the first's write lock (better-sqlite3 waits synchronously,
        // so it cannot be raced from this one process); what it would see meanwhile is no answer at all.
        expect(await other.db.selectFrom('idempotency_keys').selectAll().where('token_id', '=', 'token-d').executeTakeFirst()).toBeUndefined();
      }
      release();
      expect(await first).toEqual({ kind: 'fresh', status: 201, body: { n: 1 } });
      expect(await second.run(req, async () => ({ status: 201, body: { n: 3 } }))).toEqual({ kind: 'replay', status: 201, body: '{"n":1}' });
      expect(await countApplications()).toBe(before + 1);
    } finally {
      await other.close();
    }
  });

  it('keys are per scope, and a different request under a used key is a mismatch', async () => {
    const work = async () => ({ status: 201, body: { ok: true } });
    expect((await t.services.idempotency.run({ scope: 'token-a', key: 'k1', fingerprint: fp({ a: 1 }) }, work)).kind).toBe('fresh');
    expect((await t.services.idempotency.run({ scope: 'token-b', key: 'k1', fingerprint: fp({ a: 2 }) }, work)).kind).toBe('fresh');
    expect(await t.services.idempotency.run({ scope: 'token-a', key: 'k1', fingerprint: fp({ a: 2 }) }, work)).toEqual({ kind: 'mismatch' });
  });

  it('a server error or an exception is not kept: a retry does the work', async () => {
    let n = 0;
    const req = { scope: 'token-a', key: 'boom', fingerprint: fp({}) };
    await expect(
      t.services.idempotency.run(req, async () => {
        n += 1;
        throw new Error('database went away');
      }),
    ).rejects.toThrow('database went away');
    expect((await t.services.idempotency.run(req, async () => ({ status: 503, body: {} }))).kind).toBe('fresh');
    const third = await t.services.idempotency.run(req, async () => {
      n += 1;
      return { status: 200, body: { n } };
    });
    expect(third).toEqual({ kind: 'fresh', status: 200, body: { n: 2 } });
  });

  it('an answer is kept for a day; then the key may be used again', async () => {
    const run = (v: number) => t.services.idempotency.run({ scope: 'token-e', key: 'old', fingerprint: fp({ v }) }, async () => ({ status: 200, body: { v } }));
    await run(1);
    t.clock.set(new Date(TEST_NOW.getTime() + IDEMPOTENCY_TTL_MS + 1000));
    try {
      expect(await run(2)).toEqual({ kind: 'fresh', status: 200, body: { v: 2 } });
      expect(await t.services.idempotency.purgeExpired()).toBeGreaterThan(0);
      const left = await t.db.handle.db.selectFrom('idempotency_keys').select('idempotency_key').where('token_id', '=', 'token-e').execute();
      expect(left.map((r) => r.idempotency_key)).toEqual(['old']);
    } finally {
      t.clock.set(TEST_NOW);
    }
  });
});
