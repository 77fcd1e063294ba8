import { sql, type RawBuilder } from 'kysely';
import type { Executor } from './database.js';

type Value = string | number | null;

/** Parameters per statement: SQLite's limit is 32,766, PostgreSQL's 65,535. */
const MAX_PARAMETERS = 30_000;

/**
 * Many rows of one table updated by ONE statement per chunk, each row with its own values:
 * `WITH v(k…, c…) AS (VALUES (…), (…)) UPDATE t SET c = v.c … FROM v WHERE t.k = v.k … RETURNING t.k1`
 * (the same text on SQLite ≥ 3.35 and PostgreSQL). `where` are the key columns and any guard (a
 * version); `set` the columns written. Returns the first key column of every row updated, so that
 * a guard that did not match (a row changed meanwhile) is seen by its absence.
 * `integers`: columns that are integers (PostgreSQL types a VALUES list's parameters as text otherwise).
 */
export async function updateFromValues(
  db: Executor,
  dialect: 'sqlite' | 'postgres',
  table: string,
  where: readonly string[],
  set: readonly string[],
  rows: readonly (readonly Value[])[],
  integers: ReadonlySet<string>,
): Promise<string[]> {
  const columns = [...where, ...set];
  const guardAlias = (c: string, i: number) => (i < where.length ? `w_${c}` : c);
  const aliases = columns.map(guardAlias);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const cast = (value: Value, column: string): RawBuilder<unknown> => (dialect === 'postgres' && integers.has(column) ? sql`cast(${value} as integer)` : sql`${value}`);
  const updated: string[] = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values = sql.join(chunk.map((row) => sql`(${sql.join(row.map((v, j) => cast(v, columns[j]!)))})`));
    const assignments = sql.join(set.map((c) => sql`${sql.id(c)} = v.${sql.id(c)}`));
    const conditions = sql.join(
      where.map((c, j) => sql`${sql.id(table)}.${sql.id(c)} = v.${sql.id(aliases[j]!)}`),
      sql` and `,
    );
    const result = await sql<{ k: string }>`with v(${sql.join(aliases.map((a) => sql.id(a)))}) as (values ${values}) update ${sql.id(table)} set ${assignments} from v where ${conditions} returning ${sql.id(table)}.${sql.id(where[0]!)} as k`.execute(db);
    for (const r of result.rows) updated.push(String(r.k));
  }
  return updated;
}
