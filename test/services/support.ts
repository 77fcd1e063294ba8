import type { Actor } from '../../src/domain/actors.js';
import type { ActEvent } from '../../src/services/application-events.js';
import { validateFiling, type FilingInput } from '../../src/domain/filing.js';
import type { OfficeCode } from '../../src/domain/offices.js';
import calculateLuhnModN from 'calculate-luhn-mod-n';
import type { Services } from '../../src/services/index.js';
import { accountRepository } from '../../src/store/accounts.repository.js';
import type { DatabaseHandle } from '../../src/store/database.js';

export const office = (officeCode: OfficeCode = 'tokyo'): Actor => ({ kind: 'inspectionOffice', officeCode, id: `test-${officeCode}`, label: `${officeCode} 審査担当` });
export const payEasy: Actor = { kind: 'paymentNetwork', id: 'test-payeasy', label: 'Pay-easy' };
export const sources: Actor = { kind: 'attachmentSource', id: 'test-sources', label: '添付書類取得元' };

let serial = 0;

export function filing(overrides: Partial<FilingInput> = {}): FilingInput {
  serial += 1;
  return {
    procedure: 'continuousInspection',
    officeCode: 'tokyo',
    applicantName: '大崎モータース',
    applicantAddress: '東京都品川区大崎1-1-1',
    userName: '大崎 一郎',
    userAddress: '東京都品川区大崎2-2-2',
    vehicleNumber: '品川 580 そ 1000',
    chassisNumber: `JF3-${String(800000 + serial)}`,
    vehicleModel: '5BA-JF3',
    weightTaxBand: 'standard',
    ...overrides,
  };
}

/** Files an application and replays events on it through the services; returns its id. */
export async function fileAndMove(services: Services, input: FilingInput, steps: readonly [Actor, ActEvent][]): Promise<string> {
  const valid = validateFiling(input);
  if (!valid.ok) throw new Error(JSON.stringify(valid.errors));
  const registered = await services.registerApplication(valid.value, 'demo1234pass', { kind: 'applicant' });
  if (!registered.ok) throw new Error(registered.refusal.message);
  for (const [actor, event] of steps) {
    const r = await services.actOnApplication(registered.value.id, event, actor);
    if (!r.ok) throw new Error(`${event.type}: ${r.refusal.message}`);
  }
  return registered.value.id;
}

let accounts = 0;

/** A confirmed 利用者ID (issue 16) with these applications in its list; returns its account id. */
export async function givenAccount(handle: DatabaseHandle, applicationIds: readonly string[] = [], options: { passwordHash?: string; now?: Date } = {}): Promise<{ id: string; userId: string }> {
  accounts += 1;
  const now = options.now ?? new Date('2026-11-26T01:00:00Z');
  const id = `account-${accounts}-${Math.random().toString(36).slice(2, 10)}`;
  // Unique per test file run, with its check digit, so that it can log in.
  const body = `9${String(Date.now() % 1e7).padStart(7, '0')}${String(accounts).padStart(3, '0')}`;
  const userId = body + calculateLuhnModN((c) => Number(c), (n) => String(n), 10, body);
  const repo = accountRepository(handle.db);
  await repo.insert({ id, userId, kind: 'business', name: `テスト販売${accounts}`, mailAddress: `dealer${accounts}@kei-oss.example.jp`, confirmedAt: now, passwordHash: options.passwordHash ?? '-', totpSecret: null, createdAt: now }, now);
  for (const app of applicationIds) await repo.addApplication(id, app, now);
  return { id, userId };
}
