import type { WeightTaxBand } from '../../../domain/application.js';
import { checkApplicationPassword, validateFiling, type FilingErrors, type FilingInput, type ValidFiling } from '../../../domain/filing.js';
import { validateContactAddress } from '../../../domain/mail.js';
import type { ProcedureCode } from '../../../domain/procedures.js';
import type { PasswordSealer } from '../../../services/password-seal.js';

/**
 * 初回申請 as a form in steps that works without JavaScript: every answer travels on in hidden
 * fields, each step is checked by the same validateFiling that checks the whole filing at the end.
 */

export const applySteps = ['procedure', 'parties', 'vehicle', 'office', 'password', 'check'] as const;
export type ApplyStep = (typeof applySteps)[number];

export const answerKeys = [
  'procedure',
  'applicantName',
  'applicantAddress',
  'userName',
  'userNameHigh',
  'userAddress',
  'ownerSameAsUser',
  'ownerName',
  'ownerNameHigh',
  'ownerAddress',
  'vehicleNumber',
  'chassisNumber',
  'vehicleModel',
  'weightTaxBand',
  'acquisitionPrice',
  'environmentalTaxRate',
  'preferredNumber',
  'officeCode',
  'agentUse',
  'agentCommissionNumber',
  'agentName',
  'agentUsable',
  'passwordSealed',
  // 連絡先メールアドレス (issue 15), optional, asked with the password.
  'contactAddress',
] as const;
export type AnswerKey = (typeof answerKeys)[number];
export type Answers = Partial<Record<AnswerKey, string>>;

/** The answers each step asks for (all of them; a step shows those of the chosen procedure). */
export const stepFields: Record<Exclude<ApplyStep, 'check'>, readonly AnswerKey[]> = {
  procedure: ['procedure'],
  parties: ['applicantName', 'applicantAddress', 'userName', 'userNameHigh', 'userAddress', 'ownerSameAsUser', 'ownerName', 'ownerNameHigh', 'ownerAddress'],
  vehicle: ['vehicleNumber', 'chassisNumber', 'vehicleModel', 'weightTaxBand', 'acquisitionPrice', 'environmentalTaxRate', 'preferredNumber'],
  office: ['officeCode', 'agentUse', 'agentCommissionNumber', 'agentName', 'agentUsable'],
  password: ['passwordSealed', 'contactAddress'],
};

export function stepTitle(step: ApplyStep, procedure: ProcedureCode | null): string {
  switch (step) {
    case 'procedure':
      return '手続の選択';
    case 'parties':
      return procedure === 'newVehicle' ? '申請者・使用者・所有者' : '申請者・使用者';
    case 'vehicle':
      return '車両';
    case 'office':
      return procedure === 'continuousInspection' ? '申請先・記録等事務代行者' : '申請先';
    case 'password':
      return '申請用パスワード';
    case 'check':
      return '申請内容の確認';
  }
}

export function chosenProcedure(a: Answers): ProcedureCode | null {
  return a.procedure === 'continuousInspection' || a.procedure === 'newVehicle' ? a.procedure : null;
}

const yesNo = (v: string | undefined) => v === 'yes' || v === 'no';

/** 取得価額 as typed: `1650000`, `1,650,000`, `１６５万` is not accepted (digits only, commas and 円 allowed). */
export function parseYen(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.normalize('NFKC').replace(/[,\s円¥]/g, '');
  if (text === '') return undefined;
  return /^[0-9]{1,12}$/.test(text) ? Number(text) : Number.NaN;
}

export function toFilingInput(a: Answers): FilingInput {
  const rate = a.environmentalTaxRate;
  const agent = a.agentUse === 'yes';
  return {
    procedure: (a.procedure ?? '') as ProcedureCode,
    officeCode: a.officeCode ?? '',
    applicantName: a.applicantName ?? '',
    applicantAddress: a.applicantAddress ?? '',
    userName: a.userName ?? '',
    userNameHigh: a.userNameHigh,
    userAddress: a.userAddress ?? '',
    ownerSameAsUser: a.ownerSameAsUser !== 'no',
    ownerName: a.ownerName,
    ownerNameHigh: a.ownerNameHigh,
    ownerAddress: a.ownerAddress,
    vehicleNumber: a.vehicleNumber,
    chassisNumber: a.chassisNumber ?? '',
    vehicleModel: a.vehicleModel ?? '',
    weightTaxBand: (a.weightTaxBand ?? '') as WeightTaxBand,
    acquisitionPrice: parseYen(a.acquisitionPrice),
    environmentalTaxRate: rate === '0' || rate === '1' || rate === '2' ? Number(rate) : undefined,
    preferredNumber: a.preferredNumber === 'yes',
    agentCommissionNumber: agent ? (a.agentCommissionNumber ?? '') : '',
    agentName: agent ? (a.agentName ?? '') : '',
    agentUsable: agent && a.agentUsable === 'yes',
  };
}

export type StepErrors = Partial<Record<AnswerKey | 'password' | 'passwordConfirm', string>>;

/** The errors of one step's answers: validateFiling's, plus the choices the filing takes as booleans. */
export function stepErrors(a: Answers, step: Exclude<ApplyStep, 'password' | 'check'>): StepErrors {
  const procedure = chosenProcedure(a);
  const checked = validateFiling(toFilingInput(a));
  const all: FilingErrors = checked.ok ? {} : checked.errors;
  const errors: StepErrors = {};
  for (const key of stepFields[step]) {
    const message = all[key as keyof FilingErrors];
    if (message) errors[key] = message;
  }
  if (step === 'parties' && procedure === 'newVehicle' && !yesNo(a.ownerSameAsUser)) errors.ownerSameAsUser = '所有者が使用者と同じかどうかを選択してください。';
  if (step === 'vehicle' && procedure === 'newVehicle' && !yesNo(a.preferredNumber)) errors.preferredNumber = '希望番号の予約の有無を選択してください。';
  if (step === 'office' && procedure === 'continuousInspection') {
    if (!yesNo(a.agentUse)) errors.agentUse = '記録等事務代行者への委託の有無を選択してください。';
    else if (a.agentUse === 'yes') {
      if ((a.agentCommissionNumber ?? '').trim() === '') errors.agentCommissionNumber = '記録等事務代行者委託番号を入力してください。';
      if ((a.agentName ?? '').trim() === '') errors.agentName = '記録等事務代行者氏名又は名称を入力してください。';
      if (!yesNo(a.agentUsable)) errors.agentUsable = '記録等事務代行利用可否を選択してください。';
    }
  }
  return errors;
}

/** The errors of the two password inputs (entered twice), and of the optional 連絡先メールアドレス. */
export function passwordErrors(password: string, confirm: string, contactAddress = ''): StepErrors {
  const contact = validateContactAddress(contactAddress);
  const mail: StepErrors = contact.ok ? {} : { contactAddress: contact.refusal.message };
  if (password === '') return { password: '申請用パスワードを入力してください。', ...mail };
  const rule = checkApplicationPassword(password);
  if (rule) return { password: rule, ...mail };
  if (confirm === '') return { passwordConfirm: '確認のため、申請用パスワードをもう一度入力してください。', ...mail };
  if (confirm !== password) return { passwordConfirm: '申請用パスワードが一致しません。同じ申請用パスワードを2回入力してください。', ...mail };
  return mail;
}

/** The 連絡先メールアドレス given (null: none); undefined when what came back is not a valid address. */
export function contactAddressOf(a: Answers): string | null | undefined {
  const r = validateContactAddress(a.contactAddress ?? '');
  return r.ok ? r.value : undefined;
}

export function nextStep(step: ApplyStep): ApplyStep {
  return applySteps[Math.min(applySteps.indexOf(step) + 1, applySteps.length - 1)] as ApplyStep;
}

export function previousStep(step: ApplyStep): ApplyStep {
  return applySteps[Math.max(applySteps.indexOf(step) - 1, 0)] as ApplyStep;
}

/** The first step whose answers are missing or wrong (the check page is reached only when there is none). */
export function firstIncompleteStep(a: Answers, sealer: PasswordSealer): Exclude<ApplyStep, 'check'> | null {
  if (!chosenProcedure(a)) return 'procedure';
  for (const step of ['parties', 'vehicle', 'office'] as const) {
    if (Object.keys(stepErrors(a, step)).length > 0) return step;
  }
  return sealer.open(a.passwordSealed) === null || contactAddressOf(a) === undefined ? 'password' : null;
}

export function validFiling(a: Answers): ValidFiling | null {
  const checked = validateFiling(toFilingInput(a));
  return checked.ok ? checked.value : null;
}
