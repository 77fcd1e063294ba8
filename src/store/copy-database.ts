import type { Kysely } from 'kysely';
import { migrateToLatest, migrationsCurrent, type DatabaseHandle } from './database.js';

export interface CopyProgress {
  readonly table: string;
  readonly rows: number;
}

export interface CopyResult {
  readonly tables: { readonly table: string; readonly rows: number }[];
  readonly rows: number;
}

export class CopyRefused extends Error {}

/** PostgreSQL takes at most 65,535 parameters in one statement. */
const MAX_PARAMETERS = 60_000;

/**
 * The tables to copy, parents before children (foreign keys), from SQLite's own catalogue:
 * every table the migrations made, whatever migration added it, except Kysely's bookkeeping.
 */
function tablesInOrder(sqlite: NonNullable<DatabaseHandle['sqlite']>): string[] {
  const names = (sqlite.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name").all() as { name: string }[]).map((r) => r.name);
  const parents = new Map(names.map((n) => [n, (sqlite.prepare(`pragma foreign_key_list("${n}")`).all() as { table: string }[]).map((f) => f.table).filter((t) => t !== n)]));
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name)) return;
    if (path.includes(name)) throw new Error(`circular foreign keys: ${[...path, name].join(' → ')}`);
    for (const parent of parents.get(name) ?? []) if (names.includes(parent)) visit(parent, [...path, name]);
    ordered.push(name);
  };
  for (const n of names) visit(n, []);
  return ordered;
}

/**
 * Copies every row of an embedded SQLite database into an empty PostgreSQL database (the move
 * from one machine to several, see docs/deployment.md). The target is migrated first; the copy
 * reads one consistent snapshot of the source and writes everything in ONE transaction, so the
 * target ends up with all of it or nothing. Refused when the source's migrations are not current
 * or the target already holds data.
 */
export async function copySqliteToPostgres(source: DatabaseHandle, target: DatabaseHandle, onProgress: (p: CopyProgress) => void = () => undefined): Promise<CopyResult> {
  if (source.dialect !== 'sqlite' || !source.sqlite) throw new CopyRefused('コピー元は SQLite のデータベースを指定してください（DATABASE_URL）。');
  if (target.dialect !== 'postgres') throw new CopyRefused('コピー先は PostgreSQL のデータベース（postgres://…）を指定してください。');
  if (!(await migrationsCurrent(source))) throw new CopyRefused('コピー元のデータベースが最新の構造ではありません。先に kei-oss migrate を実行してください。');
  await migrateToLatest(target);

  const sqlite = source.sqlite;
  const tables = tablesInOrder(sqlite);
  const db = target.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  for (const table of tables) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(row.n) > 0) throw new CopyRefused(`コピー先のテーブル ${table} にデータがあります。空のデータベース（またはスキーマ）を指定してください。`);
  }

  const copied: { table: string; rows: number }[] = [];
  // A read transaction on the source: one snapshot, even if a server writes meanwhile (WAL).
  sqlite.exec('begin');
  try {
    await db.transaction().execute(async (tx) => {
      for (const table of tables) {
        const columns = (sqlite.prepare(`pragma table_info("${table}")`).all() as { name: string }[]).map((c) => c.name);
        const batch = Math.max(1, Math.min(1000, Math.floor(MAX_PARAMETERS / columns.length)));
        const page = sqlite.prepare(`select rowid as "__rowid", ${columns.map((c) => `"${c}"`).join(', ')} from "${table}" where rowid > ? order by rowid limit ?`);
        let last = 0;
        let rows = 0;
        for (;;) {
          const chunk = page.all(last, batch) as Record<string, unknown>[];
          if (chunk.length === 0) break;
          last = chunk[chunk.length - 1]!.__rowid as number;
          const values = chunk.map(({ __rowid: _r, ...rest }) => rest);
          await tx.insertInto(table).values(values).execute();
          rows += chunk.length;
          onProgress({ table, rows });
        }
        copied.push({ table, rows });
      }
      // SQLite's feed positions count rows, PostgreSQL's are transaction ids: the copied changes stand
      // before every new one (decision 0011; a feed client starts again after the move).
      if (tables.includes('status_history')) await tx.updateTable('status_history').set({ feed_position: 0 }).execute();
    });
  } finally {
    sqlite.exec('commit');
  }
  return { tables: copied, rows: copied.reduce((s, t) => s + t.rows, 0) };
}
