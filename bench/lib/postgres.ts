import SQLite from 'better-sqlite3';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../../src/store/database.js';
import { TABLES } from './templates.js';

/**
 * Loads a generated SQLite file into PostgreSQL: the product's migrations first (same schema), then
 * each table in batches of multi-row INSERTs (`INSERT … SELECT * FROM unnest($1::text[], …)`: one
 * parameter per column, thousands of rows per statement), with the non-unique indexes built after
 * the load and the foreign-key triggers off while loading (the rows are consistent by construction).
 */

const BATCH = 5000;

export interface PostgresLoadReport {
  readonly url: string;
  readonly rows: Record<string, number>;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly bytes: number;
}

/** Creates the database of the URL if it does not exist (connecting to the server's `postgres` database). */
async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('--postgres: the URL must name a database (postgres://user@host:5432/kei_bench)');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

export async function loadIntoPostgres(sqliteFile: string, url: string, o: { replace: boolean; log: (l: string) => void }): Promise<PostgresLoadReport> {
  const started = performance.now();
  await ensureDatabase(url);
  const handle = openDatabase({ kind: 'postgres', url }, { poolSize: 2, statementTimeoutMs: 3_600_000 });
  await migrateToLatest(handle);
  await handle.close();

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const source = new SQLite(sqliteFile, { readonly: true });
  const rows: Record<string, number> = {};
  try {
    await client.query('set statement_timeout = 0');
    await client.query('set synchronous_commit = off');
    const existing = Number((await client.query<{ n: string }>('select count(*) as n from applications')).rows[0]!.n);
    if (existing > 0) {
      if (!o.replace) throw new Error(`${url} already holds ${existing} applications: add --replace to empty the generated tables first`);
      await client.query(`truncate ${[...TABLES, 'notifications', 'sessions'].join(', ')} cascade`);
    }
    // Foreign-key triggers off for this session while loading (needs a superuser, as on a test server).
    await client.query('set session_replication_role = replica');
    const tables = [...TABLES, 'notifications'];
    const indexes = (
      await client.query<{ indexname: string; indexdef: string }>(
        `select i.indexname, i.indexdef from pg_indexes i
         where i.schemaname = current_schema() and i.tablename = any($1)
           and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
        [tables],
      )
    ).rows.filter((i) => !/create unique/i.test(i.indexdef));
    for (const i of indexes) await client.query(`drop index "${i.indexname}"`);

    for (const table of tables) {
      const columns = (
        await client.query<{ column_name: string; data_type: string }>(
          'select column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name = $1 order by ordinal_position',
          [table],
        )
      ).rows;
      const cast = (t: string) => (t === 'integer' ? 'int4' : t === 'bigint' ? 'int8' : 'text');
      const sql = `insert into ${table} (${columns.map((c) => `"${c.column_name}"`).join(', ')}) select * from unnest(${columns.map((c, i) => `$${i + 1}::${cast(c.data_type)}[]`).join(', ')})`;
      const arrays: unknown[][] = columns.map(() => []);
      let count = 0;
      const t0 = performance.now();
      const flush = async () => {
        if (arrays[0]!.length === 0) return;
        await client.query(sql, arrays);
        for (const a of arrays) a.length = 0;
      };
      await client.query('begin');
      for (const r of source.prepare(`select ${columns.map((c) => `"${c.column_name}"`).join(', ')} from ${table} order by rowid`).raw().iterate() as Iterable<unknown[]>) {
        for (let k = 0; k < r.length; k++) arrays[k]!.push(r[k]);
        count += 1;
        if (arrays[0]!.length >= BATCH) await flush();
        if (count % 500_000 === 0) o.log(`  ${table}: ${count.toLocaleString('en')} rows`);
      }
      await flush();
      await client.query('commit');
      rows[table] = count;
      o.log(`  ${table}: ${count.toLocaleString('en')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    for (const i of indexes) {
      const t0 = performance.now();
      await client.query(i.indexdef);
      o.log(`  index ${i.indexname} built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    await client.query('set session_replication_role = origin');
    await client.query('analyze');
    const bytes = Number((await client.query<{ n: string }>('select pg_database_size(current_database()) as n')).rows[0]!.n);
    const seconds = (performance.now() - started) / 1000;
    const total = Object.values(rows).reduce((a, b) => a + b, 0);
    return { url: url.replace(/\/\/[^@]*@/, '//…@'), rows, seconds: Math.round(seconds * 10) / 10, rowsPerSecond: Math.round(total / seconds), bytes };
  } finally {
    source.close();
    await client.end();
  }
}
