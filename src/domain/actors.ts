import type { OfficeCode, TaxOfficeCode } from './offices.js';

/**
 * Who acts on an application. Agencies act through API tokens or staff users; the applicant
 * through the portal session; the clock through the deadline sweeper.
 */
export type Actor =
  | { readonly kind: 'applicant' }
  | { readonly kind: 'inspectionOffice'; readonly officeCode: OfficeCode; readonly id: string; readonly label: string }
  | { readonly kind: 'taxOffice'; readonly taxOfficeCode: TaxOfficeCode; readonly id: string; readonly label: string }
  | { readonly kind: 'paymentNetwork'; readonly id: string; readonly label: string }
  | { readonly kind: 'attachmentSource'; readonly id: string; readonly label: string }
  | { readonly kind: 'clock' };

export type ActorKind = Actor['kind'];

export const actorKindLabels: Record<ActorKind, string> = {
  applicant: '申請者',
  inspectionOffice: '軽自動車検査協会事務所等',
  taxOffice: '都道府県税事務所',
  paymentNetwork: '収納機関（Pay-easy）',
  attachmentSource: '添付書類取得元システム',
  clock: 'システム（期限管理）',
};

export function actorId(actor: Actor): string | null {
  return 'id' in actor ? actor.id : null;
}

export function actorLabel(actor: Actor): string {
  return 'label' in actor ? actor.label : actorKindLabels[actor.kind];
}
