import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiTokenCommand, createStaffUserCommand, revokeApiTokenCommand, runCreateStaffUser, sweepDeadlinesCommand } from '../../src/cli/agency-commands.js';
import { parse, UsageError } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands.js';
import { validateFiling } from '../../src/domain/filing.js';
import { fixedClock } from '../../src/domain/time.js';
import type { ServiceDeps } from '../../src/services/context.js';
import { randomIds } from '../../src/services/ids.js';
import { createServices, loadServerSecrets, type ServerSecrets, type Services } from '../../src/services/index.js';
import { argon2Hasher } from '../../src/services/passwords.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import { silentLogger } from '../support/app.js';

/**
 * The agency commands run against the database DATABASE_URL names, as an operator runs them.
 * They always use an SQLite file of their own here: what is tested is the command, not the dialect.
 */
describe('kei-oss create-staff-user, create-api-token, revoke-api-token, sweep-deadlines', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let services: Services;
  let baseDeps: ServiceDeps;
  let secrets: ServerSecrets;
  const previous = process.env.DATABASE_URL;
  const lines: string[] = [];
  const errors: string[] = [];

  async function run(command: typeof createApiTokenCommand, argv: string[]): Promise<number> {
    lines.length = 0;
    errors.length = 0;
    const { values, positionals } = parse(command, argv);
    return command.run(values, positionals);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kei-oss-cli-'));
    process.env.DATABASE_URL = join(dir, 'cli.sqlite');
    handle = openDatabase({ kind: 'sqlite', path: process.env.DATABASE_URL });
    await migrateToLatest(handle);
    const deps: ServiceDeps = { database: handle, clock: fixedClock(new Date()), ids: randomIds, passwords: argon2Hasher, logger: silentLogger };
    baseDeps = deps;
    secrets = await loadServerSecrets(deps);
    services = createServices(deps, secrets);
    vi.spyOn(console, 'log').mockImplementation((l: unknown) => void lines.push(String(l)));
    vi.spyOn(console, 'error').mockImplementation((l: unknown) => void errors.push(String(l)));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    if (previous === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previous;
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are listed by `kei-oss --help`, each with its own --help', () => {
    for (const name of ['create-staff-user', 'create-api-token', 'revoke-api-token', 'sweep-deadlines']) {
      const c = commands.find((x) => x.name === name);
      expect(c, name).toBeDefined();
      expect(c!.help).toMatch(new RegExp(`^Usage: kei-oss ${name}`));
      expect(parse(c!, ['--help']).values.help).toBe(true);
    }
    expect(createApiTokenCommand.help).toContain('inspectionOffice | taxOffice | paymentNetwork | attachmentSource');
    expect(createApiTokenCommand.help).toContain('tokyo (東京主管事務所)');
    expect(createApiTokenCommand.help).toContain('tokyoTax (東京都)');
  });

  it('create-api-token prints the token once; the database holds only its hash; the token works', async () => {
    expect(await run(createApiTokenCommand, ['--name', '東京主管事務所 審査システム', '--role', 'inspectionOffice', '--office', 'tokyo'])).toBe(0);
    expect(lines[0]).toMatch(/^created API token [0-9a-f-]{36}: 東京主管事務所 審査システム — 軽自動車検査協会事務所等（東京主管事務所）$/);
    expect(lines[1]).toBe('token (shown once; only its SHA-256 hash is stored, so store it now):');
    const token = lines[2]!;
    expect(token).toMatch(/^keioss_[A-Za-z0-9_-]{43}$/);
    const rows = await handle.db.selectFrom('api_tokens').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(await services.apiTokens.authenticate(token)).toMatchObject({ role: 'inspectionOffice', officeCode: 'tokyo', name: '東京主管事務所 審査システム' });

    expect(await run(createApiTokenCommand, ['--name', 'Pay-easy', '--role', 'paymentNetwork', '--json'])).toBe(0);
    const out = JSON.parse(lines.join('\n'));
    expect(out).toMatchObject({ name: 'Pay-easy', role: 'paymentNetwork', officeCode: null });
    expect(await services.apiTokens.authenticate(out.token)).not.toBeNull();

    expect(await run(revokeApiTokenCommand, ['--id', out.id])).toBe(0);
    expect(lines).toEqual([`revoked API token ${out.id}`]);
    expect(await services.apiTokens.authenticate(out.token)).toBeNull();
    expect(await run(revokeApiTokenCommand, ['--id', out.id])).toBe(1);
  });

  it('create-api-token refuses a wrong role or office with a message (exit 2) and creates nothing', async () => {
    const before = (await handle.db.selectFrom('api_tokens').select('id').execute()).length;
    expect(await run(createApiTokenCommand, ['--name', 'x', '--role', 'admin'])).toBe(2);
    expect(errors[0]).toBe('kei-oss: ロールは inspectionOffice, taxOffice, paymentNetwork, attachmentSource のいずれかで指定してください（指定値: admin）。');
    expect(await run(createApiTokenCommand, ['--name', 'x', '--role', 'inspectionOffice', '--office', 'tokyoTax'])).toBe(2);
    expect(errors[0]).toContain('inspectionOffice のトークンには事務所等のコードを指定してください');
    expect(await run(createApiTokenCommand, ['--name', 'x', '--role', 'taxOffice', '--office', 'tokyo'])).toBe(2);
    expect(await run(createApiTokenCommand, ['--name', 'x', '--role', 'paymentNetwork', '--office', 'tokyo'])).toBe(2);
    await expect(run(createApiTokenCommand, ['--role', 'paymentNetwork'])).rejects.toThrow(UsageError);
    await expect(run(createApiTokenCommand, ['--name', 'x', '--rolle', 'paymentNetwork'])).rejects.toThrow(UsageError);
    expect((await handle.db.selectFrom('api_tokens').select('id').execute()).length).toBe(before);
  });

  it('create-staff-user generates a password shown once, or reads one from standard input; the clerk can log in', async () => {
    expect(await run(createStaffUserCommand, ['--login-id', 'adachi-clerk', '--name', '足立 太郎', '--office', 'adachi'])).toBe(0);
    expect(lines[0]).toMatch(/^created staff user adachi-clerk: 足立 太郎（足立支所・職員） role clerk id [0-9a-f-]{36}$/);
    const password = /^password \(shown once, give it to the clerk by a safe channel\): (\S+)$/.exec(lines[1]!)![1]!;
    expect(password).toHaveLength(20);
    const login = await services.staffAuth.login('adachi-clerk', password);
    expect(login.ok && login.value.user.officeCode).toBe('adachi');

    const out = { out: (l: string) => lines.push(l), err: (l: string) => errors.push(l) };
    lines.length = 0;
    const { values } = parse(createStaffUserCommand, ['--login-id', 'hachioji-clerk', '--name', '八王子 花子', '--office', 'hachioji', '--password-stdin']);
    expect(await runCreateStaffUser(services, values, out, async () => 'a passphrase typed in')).toBe(0);
    expect(lines).toHaveLength(1);
    expect((await services.staffAuth.login('hachioji-clerk', 'a passphrase typed in')).ok).toBe(true);
    errors.length = 0;
    expect(await runCreateStaffUser(services, values, out, async () => 'short')).toBe(2);
    expect(errors).toEqual(['kei-oss: パスワードは12文字以上128文字以内で指定してください。']);
  });

  it('create-staff-user refuses a taken login id, an unknown office and a bad login id', async () => {
    expect(await run(createStaffUserCommand, ['--login-id', 'adachi-clerk', '--name', '別人', '--office', 'adachi'])).toBe(1);
    expect(errors).toEqual(['kei-oss: ログインID「adachi-clerk」はすでに使われています。']);
    expect(await run(createStaffUserCommand, ['--login-id', 'x-clerk', '--name', 'x', '--office', 'hokkaido'])).toBe(2);
    expect(errors).toEqual(['kei-oss: 事務所等のコードが正しくありません: hokkaido']);
    expect(await run(createStaffUserCommand, ['--login-id', 'Bad Id', '--name', 'x', '--office', 'tokyo'])).toBe(2);
    expect(errors[0]).toContain('ログインIDは半角英小文字・数字・記号');
  });

  it('create-staff-user --role makes a viewer (閲覧のみ) or a supervisor (監督者), refuses any other role, and is recorded in the audit trail', async () => {
    expect(await run(createStaffUserCommand, ['--login-id', 'chiba-supervisor', '--name', '千葉 監督', '--office', 'chiba', '--role', 'supervisor'])).toBe(0);
    expect(lines[0]).toMatch(/^created staff user chiba-supervisor: 千葉 監督（千葉事務所・監督者） role supervisor id [0-9a-f-]{36}$/);
    expect(await run(createStaffUserCommand, ['--login-id', 'chiba-viewer', '--name', '千葉 閲覧', '--office', 'chiba', '--role', 'viewer'])).toBe(0);
    expect(lines[0]).toMatch(/^created staff user chiba-viewer: 千葉 閲覧（千葉事務所・閲覧のみ） role viewer id [0-9a-f-]{36}$/);
    expect(await run(createStaffUserCommand, ['--login-id', 'chiba-admin', '--name', 'x', '--office', 'chiba', '--role', 'admin'])).toBe(2);
    expect(errors).toEqual(['kei-oss: 権限は clerk（職員）、viewer（閲覧のみ）、supervisor（監督者）のいずれかで指定してください（指定値: admin）。']);
    const trail = await handle.db.selectFrom('audit_log').select(['action', 'actor_kind', 'detail']).where('action', '=', 'staffUserCreated').where('detail', 'like', '千葉%').orderBy('occurred_at').orderBy('detail').execute();
    expect(trail).toEqual([
      { action: 'staffUserCreated', actor_kind: 'commandLine', detail: '千葉 監督（chiba-supervisor）、千葉事務所、監督者' },
      { action: 'staffUserCreated', actor_kind: 'commandLine', detail: '千葉 閲覧（chiba-viewer）、千葉事務所、閲覧のみ' },
    ]);
  });

  it('sweep-deadlines runs the sweeper once and prints what it did', async () => {
    const filing = validateFiling({
      procedure: 'continuousInspection',
      officeCode: 'tokyo',
      applicantName: '期限 切れ',
      applicantAddress: '東京都',
      userName: '期限 切れ',
      userAddress: '東京都',
      vehicleNumber: '品川 580 ほ 1',
      chassisNumber: 'JF3-1',
      vehicleModel: 'X',
      weightTaxBand: 'standard',
    });
    if (!filing.ok) throw new Error();
    // Filed and given fees due yesterday (the clock of these services stands two days back).
    const deps: ServiceDeps = { ...baseDeps, clock: fixedClock(new Date(Date.now() - 2 * 86_400_000)) };
    const past = createServices(deps, secrets);
    const app = await past.registerApplication(filing.value, 'pass1234word', { kind: 'applicant' });
    if (!app.ok) throw new Error();
    const office = { kind: 'inspectionOffice' as const, officeCode: 'tokyo' as const, id: 'cli', label: 'cli' };
    expect((await past.actOnApplication(app.value.id, { type: 'accept' }, office)).ok).toBe(true);
    const dueOn = new Date(Date.now() - 2 * 86_400_000 + 9 * 3_600_000).toISOString().slice(0, 10);
    expect((await past.actOnApplication(app.value.id, { type: 'issueFees', dueOn: dueOn as never }, office)).ok).toBe(true);

    expect(await run(sweepDeadlinesCommand, [])).toBe(0);
    expect(lines).toEqual(['deadline sweep: 1 past their deadline; 0 rejected (補正期限切れ: 期限切れ却下), 1 invalidated (納付期限切れ: 検査申請無効), 0 skipped (already moved)']);
    expect((await services.statusInquiry.read(app.value.id))!.application.status).toBe('invalidated');
    expect(await run(sweepDeadlinesCommand, ['--json'])).toBe(0);
    expect(JSON.parse(lines[0]!)).toEqual({ examined: 0, expiredCorrections: 0, expiredPayments: 0, skipped: 0, reminders: 0 });
  });
});
