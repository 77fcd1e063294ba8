import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedStatements, migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/store/database.js';

describe("the SQLite connection's statement cache (Kysely prepares every query)", () => {
  const opened: DatabaseHandle[] = [];
  afterEach(async () => {
    for (const h of opened.splice(0)) await h.close();
  });

  it('hands out the same prepared statement for the same SQL, and drops the oldest when full', () => {
    const sqlite = new SQLite(':memory:');
    const cache = cachedStatements(sqlite, 3);
    const one = cache.prepare('select 1 as n');
    expect(cache.prepare('select 1 as n')).toBe(one);
    cache.prepare('select 2 as n');
    cache.prepare('select 3 as n');
    expect(cache.cached).toBe(3);
    cache.prepare('select 4 as n');
    expect(cache.cached).toBe(3);
    // the oldest went: asking for it again prepares a new statement
    expect(cache.prepare('select 1 as n')).not.toBe(one);
    expect(cache.prepare('select 4 as n').get()).toEqual({ n: 4 });
    cache.close();
    expect(sqlite.open).toBe(false);
  });

  it('opens each connection with an 8 MiB page cache (decision 0019), WAL and synchronous=FULL', () => {
    const handle = openDatabase({ kind: 'sqlite', path: ':memory:' });
    opened.push(handle);
    expect(handle.sqlite!.pragma('cache_size', { simple: true })).toBe(-8192);
    expect(handle.sqlite!.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('serves Kysely: the same query run again with other parameters reads the right rows, writes included', async () => {
    const handle = openDatabase({ kind: 'sqlite', path: ':memory:' });
    opened.push(handle);
    await migrateToLatest(handle);
    const now = new Date().toISOString();
    for (const [id, name] of [['n1', '一'], ['n2', '二'], ['n3', '三']] as const) {
      await handle.db
        .insertInto('notifications')
        .values({ id, application_id: null, title: name, body: `本文${name}`, published_at: now })
        .execute();
    }
    const read = (id: string) => handle.db.selectFrom('notifications').select(['id', 'title']).where('id', '=', id).executeTakeFirst();
    expect(await read('n2')).toEqual({ id: 'n2', title: '二' });
    expect(await read('n3')).toEqual({ id: 'n3', title: '三' });
    expect(await read('n9')).toBeUndefined();
    // in a transaction too (begin immediate … commit, each cached)
    await handle.db.transaction().execute(async (tx) => {
      await tx.updateTable('notifications').set({ title: '弐' }).where('id', '=', 'n2').execute();
    });
    expect(await read('n2')).toEqual({ id: 'n2', title: '弐' });
  });
});
