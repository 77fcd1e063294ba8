import type { ActorKind } from './actors.js';
import type { Party } from './application.js';
import type { CorrectableField } from './corrections.js';

/**
 * What each kind of reader may see of an application, decided once and applied alike to the
 * application and to its history. Addresses (申請者住所, 使用者住所, 所有者住所) go only to those who
 * need them: the applicant, the inspection offices and the tax offices. The payment network and the
 * attachment sources read applications without them — in the application as in the history (the
 * before/after of a correction of an address).
 */
export interface Disclosure {
  readonly addresses: boolean;
}

export function disclosureFor(kind: ActorKind): Disclosure {
  return { addresses: kind === 'applicant' || kind === 'inspectionOffice' || kind === 'taxOffice' };
}

/** The correctable fields that hold an address. */
export const addressFields: ReadonlySet<CorrectableField> = new Set<CorrectableField>(['applicantAddress', 'userAddress', 'ownerAddress']);

/** A party as this reader may see it: the address null when withheld. */
export function discloseParty(p: Party, d: Disclosure): { name: string; nameHigh: string | null; address: string | null } {
  return { name: p.name, nameHigh: p.nameHigh, address: d.addresses ? p.address : null };
}

/**
 * A history entry's details as this reader may see them: in the `changes` of a correction, the
 * before and after of an address field are null when addresses are withheld (the field's name stays,
 * so the reader still knows that it changed).
 */
export function discloseDetails(details: Readonly<Record<string, unknown>>, d: Disclosure): Record<string, unknown> {
  if (d.addresses || !Array.isArray(details.changes)) return { ...details };
  return {
    ...details,
    changes: (details.changes as unknown[]).map((c) => {
      const change = c as { field?: unknown };
      return typeof change?.field === 'string' && addressFields.has(change.field as CorrectableField) ? { ...change, before: null, after: null } : c;
    }),
  };
}
