import type { Application, Party } from './application.js';
import { parseChassisNumber } from './vehicle.js';
import { ok, refuse, type Result } from './result.js';

/** Fields an applicant may correct in 補正申請 (names, addresses, 車台番号). */
export const correctableFields = {
  applicantName: { label: '申請者名', maxLength: 60, procedures: ['continuousInspection', 'newVehicle'] },
  applicantAddress: { label: '申請者住所', maxLength: 120, procedures: ['continuousInspection', 'newVehicle'] },
  userName: { label: '使用者名', maxLength: 60, procedures: ['continuousInspection', 'newVehicle'] },
  userNameHigh: { label: '使用者名（高水準）', maxLength: 60, procedures: ['newVehicle'] },
  userAddress: { label: '使用者住所', maxLength: 120, procedures: ['continuousInspection', 'newVehicle'] },
  ownerName: { label: '所有者名', maxLength: 60, procedures: ['newVehicle'] },
  ownerNameHigh: { label: '所有者名（高水準）', maxLength: 60, procedures: ['newVehicle'] },
  ownerAddress: { label: '所有者住所', maxLength: 120, procedures: ['newVehicle'] },
  chassisNumber: { label: '車台番号', maxLength: 30, procedures: ['continuousInspection', 'newVehicle'] },
} as const;

export type CorrectableField = keyof typeof correctableFields;

export interface FieldChange {
  readonly field: CorrectableField;
  readonly before: string | null;
  readonly after: string | null;
}

export function currentValue(app: Application, field: CorrectableField): string | null {
  switch (field) {
    case 'applicantName':
      return app.applicant.name;
    case 'applicantAddress':
      return app.applicant.address;
    case 'userName':
      return app.user.name;
    case 'userNameHigh':
      return app.user.nameHigh;
    case 'userAddress':
      return app.user.address;
    case 'ownerName':
      return app.owner?.name ?? null;
    case 'ownerNameHigh':
      return app.owner?.nameHigh ?? null;
    case 'ownerAddress':
      return app.owner?.address ?? null;
    case 'chassisNumber':
      return app.vehicle.chassisNumber;
  }
}

/** Applies changes already validated by validateCorrection. */
export function applyFieldChanges(app: Application, changes: readonly FieldChange[]): Application {
  let applicant: Party = app.applicant;
  let user: Party = app.user;
  let owner: Party | null = app.owner;
  let vehicle = app.vehicle;
  const ownerOrUser = (): Party => owner ?? { ...user };
  for (const c of changes) {
    const v = c.after ?? '';
    switch (c.field) {
      case 'applicantName':
        applicant = { ...applicant, name: v };
        break;
      case 'applicantAddress':
        applicant = { ...applicant, address: v };
        break;
      case 'userName':
        user = { ...user, name: v };
        break;
      case 'userNameHigh':
        user = { ...user, nameHigh: c.after };
        break;
      case 'userAddress':
        user = { ...user, address: v };
        break;
      case 'ownerName':
        owner = { ...ownerOrUser(), name: v };
        break;
      case 'ownerNameHigh':
        owner = { ...ownerOrUser(), nameHigh: c.after };
        break;
      case 'ownerAddress':
        owner = { ...ownerOrUser(), address: v };
        break;
      case 'chassisNumber':
        vehicle = { ...vehicle, chassisNumber: v };
        break;
    }
  }
  return { ...app, applicant, user, owner, vehicle };
}

/** Control characters are never part of a name or an address. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** Normalises and checks one text field of a form (names, addresses). */
export function checkText(label: string, raw: string, maxLength: number, required: boolean): Result<string | null> {
  const value = raw.normalize('NFKC').replace(/\s+/gu, ' ').trim();
  if (value === '') return required ? refuse('invalidInput', `${label}を入力してください。`) : ok(null);
  if (CONTROL.test(value)) return refuse('invalidInput', `${label}に使用できない文字が含まれています。`);
  if ([...value].length > maxLength) return refuse('invalidInput', `${label}は${maxLength}文字以内で入力してください。`);
  return ok(value);
}

/**
 * Checks a 補正申請 form: every submitted field is normalised and validated; the result lists only
 * the fields whose value changes. Errors are per field so the form can show each next to its input.
 */
export function validateCorrection(
  app: Application,
  input: Partial<Record<CorrectableField, string>>,
): { ok: true; changes: FieldChange[] } | { ok: false; errors: Partial<Record<CorrectableField, string>> } {
  const errors: Partial<Record<CorrectableField, string>> = {};
  const changes: FieldChange[] = [];
  for (const [field, spec] of Object.entries(correctableFields) as [CorrectableField, (typeof correctableFields)[CorrectableField]][]) {
    if (!(spec.procedures as readonly string[]).includes(app.procedure)) continue;
    const raw = input[field];
    if (raw === undefined) continue;
    const required = !field.endsWith('High') && !(field.startsWith('owner') && app.owner === null && raw.trim() === '');
    let result: Result<string | null>;
    if (field === 'chassisNumber') {
      result = parseChassisNumber(raw);
    } else {
      result = checkText(spec.label, raw, spec.maxLength, required);
    }
    if (!result.ok) {
      errors[field] = result.refusal.message;
      continue;
    }
    const before = currentValue(app, field);
    if (result.value !== before && !(field.startsWith('owner') && app.owner === null && result.value === null)) {
      changes.push({ field, before, after: result.value });
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, changes };
}
