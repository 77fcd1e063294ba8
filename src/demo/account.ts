import type { Application } from '../domain/application.js';
import { asReceiptNumber } from '../domain/receipt-number.js';
import { accountRepository } from '../store/accounts.repository.js';
import { applicationRepository } from '../store/applications.repository.js';
import type { DatabaseHandle } from '../store/database.js';
import { seededIds } from '../services/ids.js';
import type { PasswordHasher } from '../services/passwords.js';
import { demoScenarios } from './scenarios.js';

/** The demo 利用者ID (README): a dealer that holds every demo application and copies of them. */
export const DEMO_ACCOUNT = {
  userId: '202612060014',
  password: 'kei-demo-dealer-2026',
  name: '大崎モータース株式会社（デモ）',
  mailAddress: 'demo-dealer@kei-oss.example.jp',
} as const;

/** Copies of each demo application in the demo 利用者ID made by `kei-oss seed-demo` (9 × 41 = 369 applications). */
export const DEMO_ACCOUNT_COPIES = 8;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Copy `k` of a demo application: its state as the replay left it, under new numbers, ids, 車台番号
 * and 車両番号, with a copy of its history. Inserted directly (the events already ran once), so a
 * few hundred take well under a second.
 */
function copyOf(app: Application, i: number, k: number, ids: ReturnType<typeof seededIds>): Application {
  const number = (n: string, mark: string) => asReceiptNumber(`${n.slice(0, 6)}${mark}${pad(i, 3)}${pad(k, 3)}${n.slice(-4)}`);
  const serial = `9${pad(i, 3)}${pad(k, 3)}`;
  const vehicleNumber = app.vehicle.vehicleNumber ? app.vehicle.vehicleNumber.replace(/\S+$/, String(((i * 37 + k * 101) % 9998) + 1)) : null;
  return {
    ...app,
    id: ids.id(),
    arrivalNumber: number(app.arrivalNumber, '9'),
    receiptNumber: app.receiptNumber ? number(app.receiptNumber, '8') : null,
    vehicle: { ...app.vehicle, chassisNumber: app.vehicle.chassisNumber.replace(/[0-9]+$/, serial), vehicleNumber },
    paymentLines: app.paymentLines.map((l) => ({ ...l, id: ids.id() })),
    notices: app.notices.map((n) => ({ ...n, id: ids.id() })),
  };
}

/**
 * The demo 利用者ID, confirmed, holding every demo application and `copies` copies of each (the
 * seed-demo command makes 8: 9 × 41 = 369 applications in every status). Does nothing when it exists.
 */
export async function seedDemoAccount(handle: DatabaseHandle, options: { passwords: PasswordHasher; now: Date; copies: number }): Promise<number> {
  const accounts = accountRepository(handle.db);
  if (await accounts.findByUserId(DEMO_ACCOUNT.userId)) return 0;
  const ids = seededIds('kei-oss-demo-account');
  const accountId = ids.id();
  const passwordHash = await options.passwords.hash(DEMO_ACCOUNT.password);
  return handle.db.transaction().execute(async (tx) => {
    const repo = accountRepository(tx);
    const apps = applicationRepository(tx, handle.dialect);
    await repo.insert({ id: accountId, userId: DEMO_ACCOUNT.userId, kind: 'business', name: DEMO_ACCOUNT.name, mailAddress: DEMO_ACCOUNT.mailAddress, confirmedAt: options.now, passwordHash, totpSecret: null, createdAt: options.now }, options.now);
    await repo.appendLog(ids.id(), accountId, 'registered', options.now, null, null);
    let held = 0;
    for (const [i, s] of demoScenarios.entries()) {
      const id = await apps.findIdByNumber(asReceiptNumber(s.arrivalNumber));
      const app = id ? await apps.load(id) : null;
      if (!app) continue;
      await repo.addApplication(accountId, app.id, options.now);
      held += 1;
      const row = await tx.selectFrom('applications').select('password_hash').where('id', '=', app.id).executeTakeFirstOrThrow();
      const history = await tx.selectFrom('status_history').selectAll().where('application_id', '=', app.id).execute();
      for (let k = 1; k <= options.copies; k++) {
        const copy = copyOf(app, i, k, ids);
        await apps.insert(copy, { hash: row.password_hash }, options.now);
        if (history.length > 0) await tx.insertInto('status_history').values(history.map((h) => ({ ...h, id: ids.id(), application_id: copy.id }))).execute();
        await repo.addApplication(accountId, copy.id, options.now);
        held += 1;
      }
    }
    return held;
  });
}
