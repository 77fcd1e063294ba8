import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2026-11-25-0001-initial.js';
import * as loginThrottle from './2026-11-25-0002-login-throttle.js';
import * as vehicleIndexes from './2026-12-06-0014-vehicle-indexes.js';
import * as mail from './2026-12-06-0015-mail.js';
import * as accounts from './2026-12-06-0016-accounts.js';
import * as paymentGroups from './2026-12-06-0017-payment-groups.js';
import * as auditTrail from './2026-12-06-0019-audit-trail.js';
import * as accountApi from './2026-12-06-0020-account-api.js';
import * as accountApiLog from './2026-12-06-0023-account-api-log.js';
import * as listVersionAndRecoveryCodes from './2026-12-06-0024-list-version-and-recovery-codes.js';
import * as pendingPasswords from './2026-12-06-0025-pending-passwords.js';
import * as dropTaxOfficeIndex from './2026-12-06-0026-drop-tax-office-index.js';
import * as chassisIndexWithoutStatus from './2026-12-06-0027-chassis-index-without-status.js';
import * as mailBodiesLz4 from './2026-12-07-0028-mail-bodies-lz4.js';
import * as deadlineIndexWithId from './2026-12-07-0029-deadline-index-with-id.js';

/** Every migration, in order. Names sort by date; both databases run the same list. */
export const migrations: Record<string, Migration> = {
  '2026-11-25-0001-initial': initial,
  '2026-11-25-0002-login-throttle': loginThrottle,
  '2026-12-06-0014-vehicle-indexes': vehicleIndexes,
  '2026-12-06-0015-mail': mail,
  '2026-12-06-0016-accounts': accounts,
  '2026-12-06-0017-payment-groups': paymentGroups,
  '2026-12-06-0019-audit-trail': auditTrail,
  '2026-12-06-0020-account-api': accountApi,
  '2026-12-06-0023-account-api-log': accountApiLog,
  '2026-12-06-0024-list-version-and-recovery-codes': listVersionAndRecoveryCodes,
  '2026-12-06-0025-pending-passwords': pendingPasswords,
  '2026-12-06-0026-drop-tax-office-index': dropTaxOfficeIndex,
  '2026-12-06-0027-chassis-index-without-status': chassisIndexWithoutStatus,
  '2026-12-07-0028-mail-bodies-lz4': mailBodiesLz4,
  '2026-12-07-0029-deadline-index-with-id': deadlineIndexWithId,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
