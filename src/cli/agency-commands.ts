import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { AuditActor } from '../services/audit.js';
import { loadConfig } from '../config.js';
import { inspectionOffices, taxOffices } from '../domain/offices.js';
import { systemClock } from '../domain/time.js';
import { createLogger } from '../logger.js';
import { describeScope } from '../services/api-tokens.js';
import type { ServiceDeps } from '../services/context.js';
import { randomIds } from '../services/ids.js';
import { createServices, loadServerSecrets, type Services } from '../services/index.js';
import { argon2Hasher } from '../services/passwords.js';
import { STAFF_PASSWORD_MIN, staffRoleLabels } from '../services/staff-auth.js';
import { migrateToLatest, openDatabase } from '../store/database.js';
import { ENVIRONMENT_HELP, UsageError, type Command } from './command.js';

/** Where a command writes: the console in use, an array in tests. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: Output = { out: (l) => console.log(l), err: (l) => console.error(l) };

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const str = (values: Values, name: string): string | undefined => (typeof values[name] === 'string' ? (values[name]) : undefined);

function required(values: Values, name: string): string {
  const v = str(values, name);
  if (v === undefined || v.trim() === '') throw new UsageError(`--${name} を指定してください（--help で使い方を表示）。`);
  return v;
}

/** The services on the configured database (DATABASE_URL), migrated, for one command. */
export async function withServices<T>(work: (services: Services) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const handle = openDatabase(config.database, { poolSize: 2, statementTimeoutMs: config.dbStatementTimeoutMs });
  try {
    await migrateToLatest(handle);
    const deps: ServiceDeps = { database: handle, clock: systemClock, ids: randomIds, passwords: argon2Hasher, logger, mail: config.mail };
    return await work(createServices(deps, await loadServerSecrets(deps)));
  } finally {
    await handle.close();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Who acted, in the audit trail, when a command did it: the command and the operating-system user. */
const COMMAND_LINE = (command: string): AuditActor => ({ kind: 'commandLine', label: `kei-oss ${command}（${userInfoName()}）` });

function userInfoName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** A password for a clerk who will change it: 20 characters from a 64-letter alphabet (120 bits). */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

const officeList = Object.entries(inspectionOffices)
  .map(([code, o]) => `${code} (${o.name})`)
  .join(', ');
const taxOfficeList = Object.entries(taxOffices)
  .map(([code, o]) => `${code} (${o.name})`)
  .join(', ');

export async function runCreateStaffUser(services: Services, values: Values, io: Output, readPassword: () => Promise<string> = readStdin): Promise<number> {
  const loginId = required(values, 'login-id');
  const name = required(values, 'name');
  const office = required(values, 'office');
  const generated = values['password-stdin'] !== true;
  const password = generated ? generatePassword() : await readPassword();
  const role = str(values, 'role') ?? 'clerk';
  const result = await services.staffAuth.createUser({ loginId, password, displayName: name, officeCode: office, role }, { by: { actor: COMMAND_LINE('create-staff-user'), clientAddress: null } });
  if (!result.ok) {
    io.err(`kei-oss: ${result.refusal.message}`);
    return result.refusal.code === 'alreadyDone' ? 1 : 2;
  }
  const u = result.value;
  io.out(`created staff user ${u.loginId}: ${u.displayName}（${inspectionOffices[u.officeCode].name}・${staffRoleLabels[u.role]}） role ${u.role} id ${u.id}`);
  if (generated) io.out(`password (shown once, give it to the clerk by a safe channel): ${password}`);
  return 0;
}

export async function runCreateApiToken(services: Services, values: Values, io: Output): Promise<number> {
  const name = required(values, 'name');
  const role = required(values, 'role');
  const result = await services.apiTokens.create({ name, role, officeCode: str(values, 'office') }, { by: COMMAND_LINE('create-api-token') });
  if (!result.ok) {
    io.err(`kei-oss: ${result.refusal.message}`);
    return 2;
  }
  const { token, record } = result.value;
  if (values.json === true) {
    io.out(JSON.stringify({ id: record.id, name: record.name, role: record.role, officeCode: record.officeCode, token }, null, 2));
    return 0;
  }
  io.out(`created API token ${record.id}: ${record.name} — ${describeScope(record)}`);
  io.out('token (shown once; only its SHA-256 hash is stored, so store it now):');
  io.out(token);
  return 0;
}

export async function runRevokeApiToken(services: Services, values: Values, io: Output): Promise<number> {
  const id = required(values, 'id');
  if (await services.apiTokens.revoke(id, COMMAND_LINE('revoke-api-token'))) {
    io.out(`revoked API token ${id}`);
    return 0;
  }
  io.err(`kei-oss: API token ${id} not found or already revoked`);
  return 1;
}

export async function runSweepDeadlines(services: Services, values: Values, io: Output): Promise<number> {
  const result = await services.sweepDeadlines();
  // The mail reminders before the deadlines still running (issue 15), as the server's sweeper sends them.
  const reminders = await services.sendReminders();
  if (values.json === true) io.out(JSON.stringify({ ...result, reminders }));
  else {
    io.out(
      `deadline sweep: ${result.examined} past their deadline; ${result.expiredCorrections} rejected (補正期限切れ: 期限切れ却下), ` +
        `${result.expiredPayments} invalidated (納付期限切れ: 検査申請無効), ${result.skipped} skipped (already moved)` +
        (reminders > 0 ? `; ${reminders} reminder mail${reminders === 1 ? '' : 's'} queued` : ''),
    );
  }
  return 0;
}

export const createStaffUserCommand: Command = {
  name: 'create-staff-user',
  summary: 'Create an office clerk for the staff UI / 事務所等の職員を作成する',
  help: `Usage: kei-oss create-staff-user --login-id <id> --name <表示名> --office <code> [--role <role>] [--password-stdin]

Creates a staff user of one inspection office (軽自動車検査協会の事務所等) who logs in to the staff UI
at /staff, with a role: clerk (職員: the work list, decisions, the counter; the default), viewer
(閲覧のみ: reads the work list and applications, cannot act) or supervisor (監督者: a clerk who also
reads the audit trail and creates staff users from the UI). The creation is recorded in the audit trail. The password is stored as an argon2id hash. Without --password-stdin a random password
is generated and printed once; with it, the password is read from standard input (at least
${STAFF_PASSWORD_MIN} characters), e.g.  printf '%s' "$PASSWORD" | kei-oss create-staff-user … --password-stdin
事務所等用画面（/staff）にログインする職員を作成します。

Options:
  --login-id <id>     login id: lower-case letters, digits, . _ - (3–64)
  --name <name>       display name shown in the staff UI and the history (e.g. "検査 一郎")
  --office <code>     ${officeList}
  --role <role>       clerk (default), viewer or supervisor
  --password-stdin    read the password from standard input instead of generating one

${ENVIRONMENT_HELP}`,
  options: { 'login-id': { type: 'string' }, name: { type: 'string' }, office: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  run: (values) => withServices((services) => runCreateStaffUser(services, values, consoleOutput)),
};

export const createApiTokenCommand: Command = {
  name: 'create-api-token',
  summary: 'Create a bearer token for the agency API / 事務所等 API のトークンを作成する',
  help: `Usage: kei-oss create-api-token --name <name> --role <role> [--office <code>] [--json]

Creates a token for the agency API (/api/v1) and prints it once: only its SHA-256 hash is stored.
The token acts as its role, and for offices only on their own applications.
事務所等 API のトークンを作成し、一度だけ表示します（保存されるのはハッシュのみ）。

Options:
  --name <name>       who uses it, shown in the history (e.g. "東京主管事務所 審査システム")
  --role <role>       inspectionOffice | taxOffice | paymentNetwork | attachmentSource
  --office <code>     inspectionOffice: ${officeList}
                      taxOffice: ${taxOfficeList}
                      (none for paymentNetwork and attachmentSource)
  --json              print {id, name, role, officeCode, token} as JSON

Example:
  kei-oss create-api-token --name "東京主管事務所 審査システム" --role inspectionOffice --office tokyo

${ENVIRONMENT_HELP}`,
  options: { name: { type: 'string' }, role: { type: 'string' }, office: { type: 'string' }, json: { type: 'boolean' } },
  run: (values) => withServices((services) => runCreateApiToken(services, values, consoleOutput)),
};

export const revokeApiTokenCommand: Command = {
  name: 'revoke-api-token',
  summary: 'Revoke an agency API token / 事務所等 API のトークンを失効させる',
  help: `Usage: kei-oss revoke-api-token --id <token id>

Revokes a token (its id is printed by create-api-token and returned by GET /api/v1/me): every
later request with it gets 401. トークンを失効させます。

Options:
  --id <id>           the token's id (not the token itself)

${ENVIRONMENT_HELP}`,
  options: { id: { type: 'string' } },
  run: (values) => withServices((services) => runRevokeApiToken(services, values, consoleOutput)),
};

export const sweepDeadlinesCommand: Command = {
  name: 'sweep-deadlines',
  summary: 'Expire applications past their deadline, once / 期限切れの申請を一度処理する',
  help: `Usage: kei-oss sweep-deadlines [--json]

Runs the deadline sweeper once and prints what it did: every application whose 補正期限 has passed
is rejected (期限切れ却下), every one whose 納付期限 has passed is invalidated (検査申請無効).
Then queues the reminder mails due today (MAIL_REMINDER_DAYS business days before a deadline, to
confirmed 連絡先メールアドレス; each once, whoever runs the sweep; see docs/notifications.md).
It reads only the applications with a running deadline (partial index on deadline_at). Safe to run
from cron while servers also sweep (SWEEP_INTERVAL_SECONDS): each application moves once.
期限（補正期限・納付期限）を過ぎた申請を一度処理し、結果を表示します。

Options:
  --json              print {examined, expiredCorrections, expiredPayments, skipped, reminders} as JSON

${ENVIRONMENT_HELP}`,
  options: { json: { type: 'boolean' } },
  run: (values) => withServices((services) => runSweepDeadlines(services, values, consoleOutput)),
};

export const agencyCommands: readonly Command[] = [createStaffUserCommand, createApiTokenCommand, revokeApiTokenCommand, sweepDeadlinesCommand];
