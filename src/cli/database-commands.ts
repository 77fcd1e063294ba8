import { loadConfig } from '../config.js';
import { CopyRefused, copySqliteToPostgres } from '../store/copy-database.js';
import { openDatabase, parseDatabaseUrl } from '../store/database.js';
import { ENVIRONMENT_HELP, UsageError, type Command } from './command.js';

export const copyDatabaseCommand: Command = {
  name: 'copy-database',
  summary: 'Copy the SQLite database into an empty PostgreSQL database / SQLite のデータを PostgreSQL へ移す',
  help: `Usage: kei-oss copy-database --to postgres://…

Copies every row of the SQLite database (DATABASE_URL, default ./data/kei-oss.sqlite) into an
empty PostgreSQL database: the target is migrated first, the source is read as one consistent
snapshot and everything is written in one transaction (all or nothing). Refused when the target
already holds data. Stop the server first, so that nothing written after the snapshot is lost;
then start it with DATABASE_URL=postgres://… (see docs/deployment.md).
SQLite のデータを、空の PostgreSQL データベースへ一括でコピーします（サーバーを止めてから実行してください）。

Options:
  --to URL       the PostgreSQL database (postgres://user@host:5432/db); a schema may be chosen
                 with ?options=-c%20search_path%3Dname (it must exist)

${ENVIRONMENT_HELP}`,
  options: { to: { type: 'string' } },
  async run(values) {
    const to = typeof values.to === 'string' ? values.to : '';
    if (!/^postgres(ql)?:\/\//i.test(to)) throw new UsageError('copy-database: --to postgres://… を指定してください。');
    const config = loadConfig();
    const source = openDatabase(config.database);
    const target = openDatabase(parseDatabaseUrl(to), { statementTimeoutMs: 0, poolSize: 1 });
    const started = Date.now();
    let lastTable = '';
    try {
      const result = await copySqliteToPostgres(source, target, ({ table, rows }) => {
        if (table !== lastTable && lastTable) process.stdout.write('\n');
        lastTable = table;
        process.stdout.write(`\r${table}: ${rows.toLocaleString('en')} rows`);
      });
      if (lastTable) process.stdout.write('\n');
      const seconds = (Date.now() - started) / 1000;
      console.log(`copied ${result.rows.toLocaleString('en')} rows from ${result.tables.length} tables in ${seconds.toFixed(1)} s (${Math.round(result.rows / Math.max(seconds, 0.001)).toLocaleString('en')} rows/s)`);
      return 0;
    } catch (e) {
      if (e instanceof CopyRefused) {
        console.error(`kei-oss: ${e.message}`);
        return 2;
      }
      throw e;
    } finally {
      await source.close();
      await target.close();
    }
  },
};

export const databaseCommands: readonly Command[] = [copyDatabaseCommand];
