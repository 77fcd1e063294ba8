import type { OfficeCode } from './offices.js';

/** What a staff user may do: clerk (事務所等の職員), viewer (閲覧のみ), supervisor (監督者). */
export const staffRoles = ['clerk', 'viewer', 'supervisor'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** An office clerk (事務所等の職員): bound to one inspection office. */
export interface StaffUser {
  readonly id: string;
  readonly role: StaffRole;
  readonly loginId: string;
  readonly displayName: string;
  readonly officeCode: OfficeCode;
  readonly createdAt: Date;
  readonly disabledAt: Date | null;
}

/** The roles an API token may have: who acts on an application through the agency API. */
export const apiRoles = ['inspectionOffice', 'taxOffice', 'paymentNetwork', 'attachmentSource'] as const;
export type ApiRole = (typeof apiRoles)[number];

export function isApiRole(value: string): value is ApiRole {
  return (apiRoles as readonly string[]).includes(value);
}

/** An API token as listed and checked (its hash is the store's business). */
export interface ApiTokenRecord {
  readonly id: string;
  readonly name: string;
  readonly role: ApiRole;
  /** The inspection office (inspectionOffice) or the tax office (taxOffice) the token is scoped to. */
  readonly officeCode: string | null;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}
