import { resolve } from 'node:path';
import type { TwoFactorPolicy } from './domain/accounts.js';
import type { MailSettings } from './services/context.js';
import type { MailTransportConfig } from './services/mail-transport.js';
import { parseDatabaseUrl, type DatabaseLocation } from './store/database.js';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseLocation;
  readonly databaseUrlGiven: boolean;
  readonly logLevel: string;
  /** Fill an empty database with demo applications at start (default: on for the embedded SQLite file). */
  readonly demoData: boolean;
  /** Proxies whose X-Forwarded-* headers are believed (addresses or CIDRs); none by default. */
  readonly trustProxy: string[];
  /** Server processes on this machine. */
  readonly workers: number;
  /** How often the deadline sweeper runs inside the server (0: never; run it from cron instead). */
  readonly sweepIntervalMs: number;
  /** Benchmarks only (BENCH_ROUTES=1): also serve GET /__bench/hello, a fixed small JSON, and GET /__bench/memory (see bench/README.md). */
  readonly benchRoutes: boolean;
  /** STATUS_PAGE_CACHE_MB: rendered status pages kept per process, in MB (default 64; 0: none). */
  readonly statusPageCacheMb: number;
  /** GET /metrics on a port of its own (METRICS_PORT; null: none) at METRICS_HOST (loopback by default). */
  readonly metricsPort: number | null;
  readonly metricsHost: string;
  /** METRICS_TOKEN: a Bearer token for /metrics (also on the public port when set). */
  readonly metricsToken: string | null;
  readonly dbPoolSize: number;
  readonly dbStatementTimeoutMs: number;
  readonly production: boolean;
  /** Mail to applicants (issue 15): links, reminders, Message-IDs. */
  readonly mail: MailSettings;
  /** SMTP_URL / SMTP_RATE / SMTP_CONNECTIONS / MAIL_FROM / MAIL_DIR. */
  readonly mailTransport: MailTransportConfig;
  /** How often the delivery worker looks for due mail (MAIL_POLL_SECONDS; 0: no worker in this process). */
  readonly mailPollMs: number;
  /** ACCOUNT_TOTP_REQUIRED=on: a 利用者ID holding more than one application must set 二要素認証 (default off). */
  readonly twoFactorPolicy: TwoFactorPolicy;
  /** PENDING_PASSWORD_KEY (decision 0017): bulk filings hash their passwords after the answer; null: inside the request. */
  readonly pendingPasswordKey: string | null;
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} は ${min}〜${max} の整数で指定してください（指定値: ${raw}）。`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(`${name} は ${min}〜${max} の整数で指定してください（指定値: ${raw}）。`);
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} は on または off で指定してください（指定値: ${env[name]}）。`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Settings come from the environment and are checked at start, with a message that says what to fix. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let database: DatabaseLocation;
  try {
    database = parseDatabaseUrl(env.DATABASE_URL);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const production = env.NODE_ENV === 'production';
  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL は fatal, error, warn, info, debug, trace, silent のいずれかで指定してください（指定値: ${logLevel}）。`);
  }
  const metricsToken = env.METRICS_TOKEN?.trim() || null;
  if (metricsToken !== null && !/^[\x21-\x7e]{32,200}$/.test(metricsToken)) {
    throw new ConfigError('METRICS_TOKEN は32〜200文字の英数字・記号（空白を除く）で指定してください（例: openssl rand -hex 32）。');
  }
  const metricsPortRaw = env.METRICS_PORT?.trim();
  const trustProxy = (env.TRUST_PROXY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const port = int(env, 'PORT', 3000, 0, 65535);
  const metricsPort = metricsPortRaw ? int(env, 'METRICS_PORT', 0, 1, 65535) : null;
  if (metricsPort !== null && metricsPort === port) throw new ConfigError(`METRICS_PORT は PORT（${port}）と別の番号で指定してください（メトリクスは公開するポートでは提供しません）。`);
  const metricsHost = env.METRICS_HOST?.trim() || '127.0.0.1';
  if (metricsPort !== null && metricsToken === null && !isLoopback(metricsHost)) {
    throw new ConfigError(`METRICS_HOST（${metricsHost}）がループバック以外のときは METRICS_TOKEN も指定してください。`);
  }
  const baseUrl = (env.BASE_URL?.trim() || `http://${['0.0.0.0', '::'].includes(env.HOST?.trim() ?? '') ? '127.0.0.1' : env.HOST?.trim() || '127.0.0.1'}:${port}`).replace(/\/+$/, '');
  let baseHost: string;
  try {
    const u = new URL(baseUrl);
    if (!['http:', 'https:'].includes(u.protocol)) throw new Error('protocol');
    baseHost = u.hostname;
  } catch {
    throw new ConfigError(`BASE_URL は https://… の形式で指定してください（指定値: ${baseUrl}）。`);
  }
  const smtpUrl = env.SMTP_URL?.trim() || null;
  if (smtpUrl !== null && !/^smtps?:\/\/[^/]+/i.test(smtpUrl)) throw new ConfigError('SMTP_URL は smtp://ユーザー:パスワード@ホスト:587 または smtps://…:465 の形式で指定してください。');
  const reminderRaw = env.MAIL_REMINDER_DAYS?.trim() || '3,1';
  const reminderDays = reminderRaw.split(',').map((d) => d.trim());
  if (!reminderDays.every((d) => /^\d{1,2}$/.test(d) && Number(d) >= 1 && Number(d) <= 30)) {
    throw new ConfigError(`MAIL_REMINDER_DAYS は 1〜30 の整数をカンマ区切りで指定してください（例: 3,1。指定値: ${reminderRaw}）。`);
  }
  const pendingPasswordKey = env.PENDING_PASSWORD_KEY?.trim() || null;
  if (pendingPasswordKey !== null && !/^[\x21-\x7e]{32,200}$/.test(pendingPasswordKey)) {
    throw new ConfigError('PENDING_PASSWORD_KEY は32〜200文字の英数字・記号（空白を除く）で指定してください（例: openssl rand -hex 32）。');
  }
  const mailFrom = env.MAIL_FROM?.trim() || '軽自動車OSS <noreply@kei-oss.localhost>';
  if (/[\r\n]/.test(mailFrom)) throw new ConfigError('MAIL_FROM に改行は使えません。');
  return {
    mail: { baseUrl, reminderDays: [...new Set(reminderDays.map(Number))].sort((a, b) => b - a), messageIdDomain: /^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]+$/i.test(baseHost) ? baseHost : 'kei-oss.localhost' },
    mailTransport: { smtpUrl, smtpRate: int(env, 'SMTP_RATE', 10, 1, 1000), smtpConnections: int(env, 'SMTP_CONNECTIONS', 10, 1, 50), mailDir: resolve(env.MAIL_DIR?.trim() || 'data/mail'), from: mailFrom },
    mailPollMs: int(env, 'MAIL_POLL_SECONDS', 2, 0, 3600) * 1000,
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    database,
    databaseUrlGiven: Boolean(env.DATABASE_URL?.trim()),
    logLevel,
    demoData: bool(env, 'DEMO_DATA', database.kind === 'sqlite' && !production),
    trustProxy,
    workers: int(env, 'WORKERS', 1, 1, 64),
    sweepIntervalMs: int(env, 'SWEEP_INTERVAL_SECONDS', 60, 0, 86_400) * 1000,
    benchRoutes: bool(env, 'BENCH_ROUTES', false),
    statusPageCacheMb: int(env, 'STATUS_PAGE_CACHE_MB', 64, 0, 4096),
    metricsPort,
    metricsHost,
    metricsToken,
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 200),
    dbStatementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
    production,
    twoFactorPolicy: { requiredForSeveralApplications: bool(env, 'ACCOUNT_TOTP_REQUIRED', false) },
    pendingPasswordKey,
  };
}
