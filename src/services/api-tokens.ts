import { randomBytes } from 'node:crypto';
import type { Actor } from '../domain/actors.js';
import { inspectionOffices, isOfficeCode, isTaxOfficeCode, taxOffices, type OfficeCode, type TaxOfficeCode } from '../domain/offices.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { isApiRole, type ApiRole, type ApiTokenRecord } from '../domain/agency.js';
import { apiTokenRepository } from '../store/api-tokens.repository.js';
import { hashToken } from '../store/sessions.repository.js';
import { transaction, type ServiceDeps } from './context.js';
import { appendAudit, type AuditActor } from './audit.js';

export type { ApiRole, ApiTokenRecord };

/** Every token starts with this, so that a leaked one is easy to find in logs and repositories. */
export const API_TOKEN_PREFIX = 'keioss_';

export const apiRoleLabels: Record<ApiRole, string> = {
  inspectionOffice: '軽自動車検査協会事務所等',
  taxOffice: '都道府県税事務所',
  paymentNetwork: '収納機関（Pay-easy）',
  attachmentSource: '添付書類取得元システム',
};

export interface NewApiToken {
  readonly name: string;
  readonly role: string;
  /** inspectionOffice: an office code (tokyo, nerima…); taxOffice: a tax office code (tokyoTax…); others: none. */
  readonly officeCode?: string | null | undefined;
}

/** The actor a token's events are recorded as in the history. */
export function tokenActor(token: ApiTokenRecord): Actor {
  switch (token.role) {
    case 'inspectionOffice':
      return { kind: 'inspectionOffice', officeCode: token.officeCode as OfficeCode, id: token.id, label: token.name };
    case 'taxOffice':
      return { kind: 'taxOffice', taxOfficeCode: token.officeCode as TaxOfficeCode, id: token.id, label: token.name };
    case 'paymentNetwork':
      return { kind: 'paymentNetwork', id: token.id, label: token.name };
    case 'attachmentSource':
      return { kind: 'attachmentSource', id: token.id, label: token.name };
  }
}

/** A token's scope in words (for the command line and logs). */
export function describeScope(token: Pick<ApiTokenRecord, 'role' | 'officeCode'>): string {
  if (token.role === 'inspectionOffice' && token.officeCode && isOfficeCode(token.officeCode)) return `${apiRoleLabels.inspectionOffice}（${inspectionOffices[token.officeCode].name}）`;
  if (token.role === 'taxOffice' && token.officeCode && isTaxOfficeCode(token.officeCode)) return `${apiRoleLabels.taxOffice}（${taxOffices[token.officeCode].name}）`;
  return apiRoleLabels[token.role];
}

/** Bearer tokens of the agency API: random, shown once, stored as SHA-256 hashes. */
export function makeApiTokens(deps: ServiceDeps) {
  const repo = () => apiTokenRepository(deps.database.db);
  return {
    /** `by`: who created it (the command line), recorded in the audit trail with the token's name (never the token). */
    async create(input: NewApiToken, options: { token?: string; id?: string; by?: AuditActor } = {}): Promise<Result<{ token: string; record: ApiTokenRecord }>> {
      const name = input.name.normalize('NFKC').trim();
      if (name === '' || name.length > 60 || /[\u0000-\u001f\u007f]/.test(name)) return refuse('invalidInput', 'トークンの名前は1〜60文字で指定してください。');
      if (!isApiRole(input.role)) return refuse('invalidInput', `ロールは inspectionOffice, taxOffice, paymentNetwork, attachmentSource のいずれかで指定してください（指定値: ${input.role}）。`);
      const role = input.role;
      const office = input.officeCode?.trim() || null;
      if (role === 'inspectionOffice' && (!office || !isOfficeCode(office))) {
        return refuse('invalidInput', `inspectionOffice のトークンには事務所等のコードを指定してください（${Object.keys(inspectionOffices).join(', ')}）。`);
      }
      if (role === 'taxOffice' && (!office || !isTaxOfficeCode(office))) {
        return refuse('invalidInput', `taxOffice のトークンには都道府県税事務所のコードを指定してください（${Object.keys(taxOffices).join(', ')}）。`);
      }
      if ((role === 'paymentNetwork' || role === 'attachmentSource') && office) {
        return refuse('invalidInput', `${role} のトークンは事務所等に限定されません。事務所等のコードは指定しないでください。`);
      }
      const token = options.token ?? `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const record: ApiTokenRecord = { id: options.id ?? deps.ids.id(), name, role, officeCode: office, createdAt: deps.clock.now(), revokedAt: null };
      const by = options.by;
      await transaction(deps, async (tx) => {
        await apiTokenRepository(tx).insert(record, hashToken(token));
        if (by) await appendAudit(deps, tx, { action: 'apiTokenCreated', actor: by, clientAddress: null, detail: `${record.name}（${record.role}${record.officeCode ? `・${record.officeCode}` : ''}、ID ${record.id}）` });
      });
      return ok({ token, record });
    },

    /** The live token a bearer value names, or null (unknown, revoked or malformed). */
    async authenticate(bearer: string): Promise<ApiTokenRecord | null> {
      if (bearer.length < 20 || bearer.length > 200 || !/^[\x21-\x7e]+$/.test(bearer)) return null;
      const found = await repo().findByHash(hashToken(bearer));
      if (!found || found.revokedAt !== null) return null;
      return found;
    },

    async revoke(id: string, by?: AuditActor): Promise<boolean> {
      return transaction(deps, async (tx) => {
        const revoked = await apiTokenRepository(tx).revoke(id, deps.clock.now());
        if (revoked && by) {
          const token = await apiTokenRepository(tx).findById(id);
          await appendAudit(deps, tx, { action: 'apiTokenRevoked', actor: by, clientAddress: null, detail: `${token?.name ?? ''}（ID ${id}）` });
        }
        return revoked;
      });
    },

    list: () => repo().list(),
  };
}

export type ApiTokens = ReturnType<typeof makeApiTokens>;
