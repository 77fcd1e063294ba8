import { bumpListVersions } from '../store/accounts.repository.js';
import type { Logger } from 'pino';
import type { Actor } from '../domain/actors.js';
import { validateFiling } from '../domain/filing.js';
import { inspectionOffices, taxOfficeFor, type OfficeCode } from '../domain/offices.js';
import { asReceiptNumber } from '../domain/receipt-number.js';
import { statuses } from '../domain/statuses.js';
import { addDays, fixedClock, japanDateOf, type JapanDate } from '../domain/time.js';
import { applicationRepository } from '../store/applications.repository.js';
import type { DatabaseHandle } from '../store/database.js';
import { notificationRepository } from '../store/notifications.repository.js';
import { makeActOnApplication, makeRegisterApplication } from '../services/application-events.js';
import type { ServiceDeps } from '../services/context.js';
import { seededIds } from '../services/ids.js';
import { argon2Hasher, type PasswordHasher } from '../services/passwords.js';
import { demoScenarios, loginNumber, type DemoActor, type DemoScenario } from './scenarios.js';
import { seedAgencyDemo } from './agency.js';
import { DEMO_ACCOUNT, seedDemoAccount } from './account.js';

const japanInstant = (date: JapanDate, time: string) => new Date(`${date}T${time}+09:00`);

function actorFor(kind: DemoActor, officeCode: OfficeCode): Actor {
  const office = inspectionOffices[officeCode];
  switch (kind) {
    case 'applicant':
      return { kind: 'applicant' };
    case 'office':
      return { kind: 'inspectionOffice', officeCode, id: `demo-${officeCode}`, label: `${office.name}（デモ）` };
    case 'tax': {
      const tax = taxOfficeFor(officeCode);
      return { kind: 'taxOffice', taxOfficeCode: tax.code as never, id: `demo-${tax.code}`, label: `${tax.name}（デモ）` };
    }
    case 'payment':
      return { kind: 'paymentNetwork', id: 'demo-payeasy', label: 'Pay-easy 収納機関（デモ）' };
    case 'attachments':
      return { kind: 'attachmentSource', id: 'demo-attachments', label: '添付書類取得元システム（デモ）' };
    case 'clock':
      return { kind: 'clock' };
  }
}

export interface SeedOptions {
  readonly now?: Date;
  readonly reset?: boolean;
  readonly logger: Logger;
  readonly passwords?: PasswordHasher;
  /** Copies of each demo application the demo 利用者ID holds besides the originals (seed-demo: 8). */
  readonly accountCopies?: number;
}

/** Removes the demo applications (their parts, history and sessions go with them). */
async function removeDemo(handle: DatabaseHandle): Promise<number> {
  const numbers = demoScenarios.map((s) => s.arrivalNumber);
  // The demo 利用者ID and its copies of the demo applications (src/demo/account.ts) go first.
  const account = await handle.db.selectFrom('accounts').select('id').where('user_id', '=', DEMO_ACCOUNT.userId).executeTakeFirst();
  // Every other 利用者ID holding one of them shows its list changed (its kept first page is not sent again).
  const demoIds = await handle.db.selectFrom('applications').select('id').where('arrival_number', 'in', numbers).execute();
  const copies = account ? await handle.db.selectFrom('account_applications').select('application_id as id').where('account_id', '=', account.id).execute() : [];
  await bumpListVersions(handle.db, [...demoIds, ...copies].map((r) => r.id));
  if (account) {
    const held = handle.db.selectFrom('account_applications').select('application_id').where('account_id', '=', account.id);
    await handle.db.deleteFrom('sessions').where('account_id', '=', account.id).execute();
    await handle.db.deleteFrom('applications').where('id', 'in', held).where('arrival_number', 'not in', numbers).execute();
    await handle.db.deleteFrom('accounts').where('id', '=', account.id).execute();
  }
  const result = await handle.db.deleteFrom('applications').where('arrival_number', 'in', numbers).executeTakeFirst();
  await handle.db.deleteFrom('notifications').where('id', 'like', 'demo-%').execute();
  return Number(result.numDeletedRows);
}

async function seedOne(deps: ServiceDeps, clock: ReturnType<typeof fixedClock>, today: JapanDate, s: DemoScenario): Promise<void> {
  const filing = validateFiling(s.filing);
  if (!filing.ok) throw new Error(`demo ${s.key}: invalid filing ${JSON.stringify(filing.errors)}`);
  clock.set(japanInstant(addDays(today, s.filedDay), s.filedTime));
  const registered = await makeRegisterApplication(deps)(filing.value, s.password, { kind: 'applicant' }, { arrivalNumber: asReceiptNumber(s.arrivalNumber) });
  if (!registered.ok) throw new Error(`demo ${s.key}: ${registered.refusal.message}`);
  const act = makeActOnApplication(deps);
  for (const step of s.steps) {
    clock.set(japanInstant(addDays(today, step.day), step.time));
    const result = await act(registered.value.id, step.event(today), actorFor(step.actor, filing.value.officeCode));
    if (!result.ok) throw new Error(`demo ${s.key}: step ${step.event(today).type} refused: ${result.refusal.message}`);
  }
  const app = await applicationRepository(deps.database.db, deps.database.dialect).load(registered.value.id);
  if (app?.status !== s.expectedStatus) throw new Error(`demo ${s.key}: expected ${s.expectedStatus}, got ${app?.status}`);
}

/**
 * Creates the demo applications by replaying their events, relative to `now`. Does nothing when
 * they exist already (unless `reset`). Returns how many were created.
 */
export async function seedDemo(handle: DatabaseHandle, options: SeedOptions): Promise<number> {
  const now = options.now ?? new Date();
  if (options.reset) await removeDemo(handle);
  // Demo clerks and API tokens (src/demo/agency.ts), also for a database seeded before they existed.
  await seedAgencyDemo(handle, { passwords: options.passwords ?? argon2Hasher, now });
  const existing = await applicationRepository(handle.db, handle.dialect).findIdByNumber(asReceiptNumber(demoScenarios[0]!.arrivalNumber));
  const seedAccount = () => seedDemoAccount(handle, { passwords: options.passwords ?? argon2Hasher, now, copies: options.accountCopies ?? 0 });
  if (existing) {
    await seedAccount();
    return 0;
  }
  const today = japanDateOf(now);
  const clock = fixedClock(now);
  const deps: ServiceDeps = { database: handle, clock, ids: seededIds('kei-oss-demo'), passwords: options.passwords ?? argon2Hasher, logger: options.logger };
  for (const s of demoScenarios) await seedOne(deps, clock, today, s);

  const notifications = notificationRepository(handle.db);
  const published = (days: number) => japanInstant(addDays(today, days), '09:00:00');
  await notifications.insert({
    id: 'demo-public-1',
    applicationId: null,
    title: '年末年始の窓口業務について',
    body: '12月29日から1月3日までは、軽自動車検査協会の事務所等の窓口業務を休止します。この期間に届いた申請は、1月4日以降の開庁日に審査します。',
    publishedAt: published(-2),
  });
  await notifications.insert({
    id: 'demo-public-2',
    applicationId: null,
    title: '自動車検査証の電子化について',
    body: '自動車検査証は電子化されています。交付物の受け取りには「受取者認証兼受取車両個別申告用二次元コード」を印刷してお持ちください。',
    publishedAt: published(-30),
  });
  const example = await applicationRepository(handle.db, handle.dialect).findIdByNumber(asReceiptNumber('99999999999999999'));
  if (example) {
    await notifications.insert({
      id: 'demo-app-1',
      applicationId: example,
      title: '東京主管事務所からのお知らせ',
      body: '窓口が混雑する月末は、交付物の受け取りまでお時間をいただく場合があります。',
      publishedAt: published(-1),
    });
  }
  const held = await seedAccount();
  options.logger.info({ applications: demoScenarios.length, accountApplications: held }, 'demo data seeded');
  return demoScenarios.length;
}

export interface DemoLogin {
  readonly procedure: 'continuousInspection' | 'newVehicle';
  readonly procedureLabel: string;
  readonly status: string;
  readonly statusLabel: string;
  readonly receiptNumber: string;
  readonly password: string;
  readonly note: string;
}

/** The demo logins with each application's current status (it may have moved since seeding). */
export async function demoLogins(handle: DatabaseHandle | null): Promise<DemoLogin[]> {
  const out: DemoLogin[] = [];
  for (const s of demoScenarios) {
    let status: string = s.expectedStatus;
    if (handle) {
      const row = await handle.db.selectFrom('applications').select('status').where('arrival_number', '=', s.arrivalNumber).executeTakeFirst();
      if (row) status = row.status;
    }
    out.push({
      procedure: s.procedure,
      procedureLabel: s.procedure === 'continuousInspection' ? '継続検査' : '新車',
      status,
      statusLabel: statuses[status as keyof typeof statuses]?.label ?? status,
      receiptNumber: loginNumber(s),
      password: s.password,
      note: s.note,
    });
  }
  return out;
}
