import { staffRoles, type StaffRole, type StaffUser } from '../domain/agency.js';
import type { OfficeCode } from '../domain/offices.js';
import type { Executor } from './database.js';

export interface StaffUserWithHash extends StaffUser {
  readonly passwordHash: string;
}

type Row = { id: string; login_id: string; password_hash: string; display_name: string; office_code: string; created_at: string; disabled_at: string | null; role: string };

function fromRow(r: Row): StaffUserWithHash {
  return {
    id: r.id,
    role: (staffRoles as readonly string[]).includes(r.role) ? (r.role as StaffRole) : 'viewer',
    loginId: r.login_id,
    displayName: r.display_name,
    officeCode: r.office_code as OfficeCode,
    createdAt: new Date(r.created_at),
    disabledAt: r.disabled_at ? new Date(r.disabled_at) : null,
    passwordHash: r.password_hash,
  };
}

export function staffUserRepository(db: Executor) {
  return {
    /** Returns false when the login id is taken (nothing is written). */
    async insert(user: StaffUserWithHash): Promise<boolean> {
      const result = await db
        .insertInto('staff_users')
        .values({
          id: user.id,
          login_id: user.loginId,
          password_hash: user.passwordHash,
          display_name: user.displayName,
          office_code: user.officeCode,
          created_at: user.createdAt.toISOString(),
          disabled_at: user.disabledAt ? user.disabledAt.toISOString() : null,
          role: user.role,
        })
        .onConflict((oc) => oc.column('login_id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async findByLoginId(loginId: string): Promise<StaffUserWithHash | null> {
      const row = await db.selectFrom('staff_users').selectAll().where('login_id', '=', loginId).executeTakeFirst();
      return row ? fromRow(row) : null;
    },

    async findById(id: string): Promise<StaffUserWithHash | null> {
      const row = await db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : null;
    },

    async setPasswordHash(id: string, passwordHash: string): Promise<void> {
      await db.updateTable('staff_users').set({ password_hash: passwordHash, disabled_at: null }).where('id', '=', id).execute();
    },

    async disable(id: string, at: Date): Promise<void> {
      await db.updateTable('staff_users').set({ disabled_at: at.toISOString() }).where('id', '=', id).execute();
    },
  };
}
