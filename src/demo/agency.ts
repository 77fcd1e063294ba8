import type { OfficeCode } from '../domain/offices.js';
import type { PasswordHasher } from '../services/passwords.js';
import type { ApiRole } from '../domain/agency.js';
import { apiTokenRepository } from '../store/api-tokens.repository.js';
import type { DatabaseHandle } from '../store/database.js';
import { hashToken } from '../store/sessions.repository.js';
import type { StaffRole } from '../domain/agency.js';
import { staffUserRepository } from '../store/staff-users.repository.js';

/**
 * Demo clerks and demo API tokens, created with the demo applications (DEMO_DATA, never by
 * default in production). Their passwords and tokens are public (README): a database with demo
 * data must not face the internet.
 */
export const demoStaffUsers: readonly { id: string; loginId: string; password: string; displayName: string; officeCode: OfficeCode; role: StaffRole }[] = [
  { id: 'demo-staff-tokyo', loginId: 'tokyo-clerk', password: 'demo-staff-tokyo', displayName: '検査 一郎（デモ）', officeCode: 'tokyo', role: 'clerk' },
  { id: 'demo-staff-nerima', loginId: 'nerima-clerk', password: 'demo-staff-nerima', displayName: '審査 花子（デモ）', officeCode: 'nerima', role: 'clerk' },
  // Issue 19: a supervisor (監督者: the audit trail, new staff users) and a read-only user (閲覧のみ).
  { id: 'demo-staff-tokyo-supervisor', loginId: 'tokyo-supervisor', password: 'demo-staff-supervisor', displayName: '監督 三郎（デモ）', officeCode: 'tokyo', role: 'supervisor' },
  { id: 'demo-staff-tokyo-viewer', loginId: 'tokyo-viewer', password: 'demo-staff-viewer', displayName: '閲覧 四郎（デモ）', officeCode: 'tokyo', role: 'viewer' },
];

export const demoApiTokens: readonly { id: string; token: string; name: string; role: ApiRole; officeCode: string | null }[] = [
  { id: 'demo-token-tokyo-office', token: 'keioss_demo_tokyo_office', name: '東京主管事務所 審査システム（デモ）', role: 'inspectionOffice', officeCode: 'tokyo' },
  { id: 'demo-token-nerima-office', token: 'keioss_demo_nerima_office', name: '練馬支所 審査システム（デモ）', role: 'inspectionOffice', officeCode: 'nerima' },
  { id: 'demo-token-tokyo-tax', token: 'keioss_demo_tokyo_tax_office', name: '東京都 軽自動車税申告窓口（デモ）', role: 'taxOffice', officeCode: 'tokyoTax' },
  { id: 'demo-token-payment', token: 'keioss_demo_payment_network', name: 'Pay-easy 収納機関（デモ）', role: 'paymentNetwork', officeCode: null },
  { id: 'demo-token-attachments', token: 'keioss_demo_attachment_source', name: '添付書類取得元システム（デモ）', role: 'attachmentSource', officeCode: null },
];

/** Creates the demo clerks and tokens that do not exist yet (safe to call at every start). */
export async function seedAgencyDemo(handle: DatabaseHandle, options: { passwords: PasswordHasher; now: Date }): Promise<number> {
  const staff = staffUserRepository(handle.db);
  const tokens = apiTokenRepository(handle.db);
  let created = 0;
  for (const u of demoStaffUsers) {
    if (await staff.findByLoginId(u.loginId)) continue;
    const inserted = await staff.insert({ id: u.id, role: u.role, loginId: u.loginId, displayName: u.displayName, officeCode: u.officeCode, createdAt: options.now, disabledAt: null, passwordHash: await options.passwords.hash(u.password) });
    if (inserted) created += 1;
  }
  for (const t of demoApiTokens) {
    if (await tokens.findById(t.id)) continue;
    await tokens.insert({ id: t.id, name: t.name, role: t.role, officeCode: t.officeCode, createdAt: options.now, revokedAt: null }, hashToken(t.token));
    created += 1;
  }
  return created;
}
