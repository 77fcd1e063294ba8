import { ConfigError, loadConfig } from '../config.js';
import { demoLogins, seedDemo } from '../demo/seed.js';
import { DEMO_ACCOUNT, DEMO_ACCOUNT_COPIES } from '../demo/account.js';
import { formatUserId } from '../domain/accounts.js';
import { createLogger } from '../logger.js';
import { serve } from '../server.js';
import { migrateToLatest, openDatabase } from '../store/database.js';
import { ENVIRONMENT_HELP, type Command } from './command.js';
import { runCluster, withWorkers } from '../cluster.js';
import { databaseCommands } from './database-commands.js';
import { opsCommands } from './ops-commands.js';
import { agencyCommands } from './agency-commands.js';
import { mailCommands } from './mail-commands.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the web server (portal, staff UI, agency API) / サーバーを起動する',
  help: `Usage: kei-oss serve [--workers N]

Runs the migrations, fills an empty embedded database with demo data (DEMO_DATA), and serves
the applicants' portal, the staff UI and the agency API. Stops gracefully on SIGTERM/SIGINT.
マイグレーションを実行し、必要ならデモデータを作成してから、サーバーを起動します。

Options:
  --workers N    N server processes on this machine sharing the port (default: WORKERS, 1);
                 see docs/deployment.md

${ENVIRONMENT_HELP}
  WORKERS        server processes on this machine (default 1; --workers wins)
  KEI_OSS_HEAP_MB  V8 old space of each server process, MB (default 128, at least 64; off: Node's
                 own limits). serve starts itself again with --max-old-space-size=<it>
                 --max-semi-space-size=2 (a small first process waits for it and passes signals on),
                 unless NODE_OPTIONS sets either flag or node was started with flags of its own
  PORT           default 3000
  HOST           default 127.0.0.1 (0.0.0.0 to listen on every interface)
  DEMO_DATA      on | off (default: on for the embedded SQLite database outside production)
  TRUST_PROXY    comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-* are believed
  SWEEP_INTERVAL_SECONDS  how often the deadline sweeper runs in the server (default 60; 0 = never)
  STATUS_PAGE_CACHE_MB  rendered status pages kept per process, MB (default 64, about 12,000
                 pages; 0 = none kept); see docs/benchmarks.md
  DB_POOL_SIZE, DB_STATEMENT_TIMEOUT_MS  PostgreSQL pool size (10) and statement timeout (5000)
  BASE_URL       the portal's public address, for the links in mails (default http://HOST:PORT)
  SMTP_URL       smtp://user:pass@host:587 (STARTTLS) or smtps://…:465; unset: each mail is written
                 as an .eml file under MAIL_DIR (see docs/notifications.md)
  SMTP_RATE      messages a second at most over SMTP (default 10)
  SMTP_CONNECTIONS  connections to the SMTP server at once (default 10)
  MAIL_FROM      the From of every mail (default 軽自動車OSS <noreply@kei-oss.localhost>)
  MAIL_DIR       where the .eml files go without SMTP_URL (default ./data/mail)
  MAIL_POLL_SECONDS   how often the delivery worker looks for due mail (default 2; 0 = no worker)
  MAIL_REMINDER_DAYS  business days before a deadline on which a reminder is sent (default 3,1)
  METRICS_PORT   serve Prometheus metrics at GET /metrics on this port of its own (default: off);
                 with --workers N the primary serves every worker's, aggregated
  METRICS_HOST   address of the metrics port (default 127.0.0.1; other than loopback needs METRICS_TOKEN)
  METRICS_TOKEN  Bearer token /metrics asks for (32–200 characters); when set, /metrics is also
                 served on PORT, to that token only (see docs/deployment.md, "Metrics")
  ACCOUNT_TOTP_REQUIRED  on | off (default off): a 利用者ID holding more than one application must
                 set 二要素認証 (TOTP) before using its pages; see docs/accounts.md
  PENDING_PASSWORD_KEY  32–200 characters, outside the database (same in every process): bulk
                 filings answer before hashing their passwords, kept encrypted until a background
                 hasher hashes them within seconds (decision 0017); unset: hashed in the request
  NODE_ENV       production: demo data off by default
  BENCH_ROUTES   1 | 0 (default 0): benchmarks only, also serve GET /__bench/hello (a fixed small
                 JSON, the ceiling of npm run bench) and GET /__bench/memory (the process's
                 memory, for npm run bench:mail); see bench/README.md`,
  options: { workers: { type: 'string' } },
  async run(values) {
    const config = withWorkers(loadConfig(), values.workers);
    const logger = createLogger(config.logLevel);
    if (config.workers > 1) {
      await runCluster(config, logger);
      return -1; // keep running
    }
    await serve(config, logger);
    logger.info({ url: `http://${config.host}:${config.port}/` }, 'kei-oss is listening');
    return -1; // keep running
  },
};

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Create or update the database schema / データベースを最新の構造にする',
  help: `Usage: kei-oss migrate

Applies every migration not yet run, on SQLite or PostgreSQL (DATABASE_URL). Safe to run twice.

${ENVIRONMENT_HELP}`,
  async run() {
    const config = loadConfig();
    const handle = openDatabase(config.database);
    try {
      const applied = await migrateToLatest(handle);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      return 0;
    } finally {
      await handle.close();
    }
  },
};

export const seedDemoCommand: Command = {
  name: 'seed-demo',
  summary: 'Create the demo applications / デモ用の申請を作成する',
  help: `Usage: kei-oss seed-demo [--reset]

Creates the demo applications (every status of both procedures) by replaying their events,
with dates relative to today, and the demo 利用者ID (${formatUserId(DEMO_ACCOUNT.userId)}, password
${DEMO_ACCOUNT.password}) holding them and ${DEMO_ACCOUNT_COPIES} copies of each. Does nothing when they exist,
unless --reset, which deletes the demo applications and the demo 利用者ID first and creates them
again (the README's logins stay the same).

Options:
  --reset        delete and recreate the demo applications

${ENVIRONMENT_HELP}`,
  options: { reset: { type: 'boolean' } },
  async run(values) {
    const config = loadConfig();
    const logger = createLogger('warn');
    const handle = openDatabase(config.database);
    try {
      await migrateToLatest(handle);
      const created = await seedDemo(handle, { logger, reset: values.reset === true, accountCopies: DEMO_ACCOUNT_COPIES });
      console.log(created ? `created ${created} demo applications` : 'demo applications exist already (use --reset to recreate them)');
      return 0;
    } finally {
      await handle.close();
    }
  },
};

export const demoLoginsCommand: Command = {
  name: 'demo-logins',
  summary: 'List the demo logins (受付番号 and password) / デモ用のログイン情報を表示する',
  help: `Usage: kei-oss demo-logins [--json]

Lists the demo applications: procedure, current status, 受付番号 (or 到達番号) and password,
then the demo 利用者ID and its password. With --json, prints a JSON array of objects with procedure, status, receiptNumber, password
(and procedureLabel, statusLabel, note).

Options:
  --json         machine-readable output

${ENVIRONMENT_HELP}`,
  options: { json: { type: 'boolean' } },
  async run(values) {
    let handle: ReturnType<typeof openDatabase> | null;
    try {
      const config = loadConfig();
      handle = openDatabase(config.database);
      await migrateToLatest(handle);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      handle = null;
    }
    try {
      const logins = await demoLogins(handle);
      if (values.json) {
        console.log(JSON.stringify(logins, null, 2));
      } else {
        for (const l of logins) console.log(`${l.procedureLabel}\t${l.statusLabel}\t${l.receiptNumber}\t${l.password}\t${l.note}`);
        console.log(`利用者ID\t${formatUserId(DEMO_ACCOUNT.userId)}\t${DEMO_ACCOUNT.password}\t申請一覧（/account/login）`);
      }
      return 0;
    } finally {
      await handle?.close();
    }
  },
};

export const commands: readonly Command[] = [serveCommand, migrateCommand, seedDemoCommand, demoLoginsCommand, ...opsCommands, ...agencyCommands, ...mailCommands, ...databaseCommands];
