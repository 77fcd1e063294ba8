import type { Executor } from './database.js';

/**
 * Server secrets (cookie signing, 2D-code signing) kept in the database when not given in the
 * environment, so that every process of a deployment agrees on them and they survive restarts.
 */
export function secretRepository(db: Executor) {
  return {
    async getOrCreate(name: string, generate: () => string, now: Date): Promise<string> {
      await db
        .insertInto('server_secrets')
        .values({ name, value: generate(), created_at: now.toISOString() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
      return row.value;
    },
  };
}
