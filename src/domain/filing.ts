import type { Application, Party, RecordingAgent, Vehicle, WeightTaxBand } from './application.js';
import { checkText } from './corrections.js';
import type { EventContext, HistoryDraft } from './events.js';
import { isOfficeCode, type OfficeCode } from './offices.js';
import { procedures, type ProcedureCode } from './procedures.js';
import type { ReceiptNumber } from './receipt-number.js';
import type { Actor } from './actors.js';
import { parseChassisNumber, parseVehicleNumber, vehicleNumberToString } from './vehicle.js';

/** 初回申請: what an application carries when it is filed, as text from a form or JSON from the API. */
export interface FilingInput {
  procedure: ProcedureCode;
  officeCode: string;
  applicantName: string;
  applicantAddress: string;
  userName: string;
  userNameHigh?: string | undefined;
  userAddress: string;
  /** 新車: 所有者; when absent or `ownerSameAsUser`, the owner is the user (同上). */
  ownerSameAsUser?: boolean | undefined;
  ownerName?: string | undefined;
  ownerNameHigh?: string | undefined;
  ownerAddress?: string | undefined;
  /** 継続検査 only: the car's current plate. */
  vehicleNumber?: string | undefined;
  chassisNumber: string;
  vehicleModel: string;
  weightTaxBand: WeightTaxBand;
  /** 新車 only */
  acquisitionPrice?: number | undefined;
  environmentalTaxRate?: number | undefined;
  /** 新車 only: a 希望番号 was reserved, so 希望番号予約済証 is needed. */
  preferredNumber?: boolean | undefined;
  /** 継続検査 only: 記録等事務代行者 */
  agentCommissionNumber?: string | undefined;
  agentName?: string | undefined;
  agentUsable?: boolean | undefined;
}

export type FilingField = keyof FilingInput;
export type FilingErrors = Partial<Record<FilingField, string>>;

export const weightTaxBands: Record<WeightTaxBand, string> = {
  exempt: '免税（エコカー減税対象車）',
  eco: 'エコカー（減税対象車）',
  standard: '標準（初度登録から13年未満）',
  over13: '初度登録から13年経過',
  over18: '初度登録から18年経過',
};

export interface ValidFiling {
  procedure: ProcedureCode;
  officeCode: OfficeCode;
  applicant: Party;
  user: Party;
  owner: Party | null;
  vehicle: Vehicle;
  recordingAgent: RecordingAgent | null;
  preferredNumber: boolean;
}

/** Checks a filing field by field, so that a form can show each message next to its input. */
export function validateFiling(input: FilingInput): { ok: true; value: ValidFiling } | { ok: false; errors: FilingErrors } {
  const errors: FilingErrors = {};
  const text = (field: FilingField, label: string, raw: string | undefined, max: number, required: boolean): string | null => {
    const r = checkText(label, raw ?? '', max, required);
    if (!r.ok) {
      errors[field] = r.refusal.message;
      return null;
    }
    return r.value;
  };
  const procedure = input.procedure;
  if (!Object.hasOwn(procedures, procedure)) errors.procedure = '手続を選択してください。';
  if (!isOfficeCode(input.officeCode)) errors.officeCode = '申請先軽自動車検査協会事務所等を選択してください。';
  const applicant: Party = {
    name: text('applicantName', '申請者名', input.applicantName, 60, true) ?? '',
    nameHigh: null,
    address: text('applicantAddress', '申請者住所', input.applicantAddress, 120, true) ?? '',
  };
  const user: Party = {
    name: text('userName', '使用者名', input.userName, 60, true) ?? '',
    nameHigh: procedure === 'newVehicle' ? text('userNameHigh', '使用者名（高水準）', input.userNameHigh, 60, false) : null,
    address: text('userAddress', '使用者住所', input.userAddress, 120, true) ?? '',
  };
  let owner: Party | null = null;
  if (procedure === 'newVehicle' && input.ownerSameAsUser === false) {
    owner = {
      name: text('ownerName', '所有者名', input.ownerName, 60, true) ?? '',
      nameHigh: text('ownerNameHigh', '所有者名（高水準）', input.ownerNameHigh, 60, false),
      address: text('ownerAddress', '所有者住所', input.ownerAddress, 120, true) ?? '',
    };
  }
  let vehicleNumber: string | null = null;
  if (procedure === 'continuousInspection') {
    const v = parseVehicleNumber(input.vehicleNumber ?? '');
    if (v.ok) vehicleNumber = vehicleNumberToString(v.value);
    else errors.vehicleNumber = v.refusal.message;
  }
  const chassis = parseChassisNumber(input.chassisNumber ?? '');
  if (!chassis.ok) errors.chassisNumber = chassis.refusal.message;
  const model = text('vehicleModel', '型式', input.vehicleModel, 30, true) ?? '';
  if (!Object.hasOwn(weightTaxBands, input.weightTaxBand)) errors.weightTaxBand = '自動車重量税の区分を選択してください。';
  let acquisitionPrice: number | null = null;
  let environmentalTaxRate: number | null = null;
  if (procedure === 'newVehicle') {
    const price = input.acquisitionPrice;
    if (price === undefined || !Number.isSafeInteger(price) || price < 0 || price > 100_000_000) {
      errors.acquisitionPrice = '取得価額は0円以上1億円以下の整数（円）で入力してください。';
    } else acquisitionPrice = price;
    const rate = input.environmentalTaxRate;
    if (rate === undefined || ![0, 1, 2].includes(rate)) errors.environmentalTaxRate = '環境性能割の税率（0%・1%・2%）を選択してください。';
    else environmentalTaxRate = rate;
  }
  let recordingAgent: RecordingAgent | null = null;
  if (procedure === 'continuousInspection' && (input.agentCommissionNumber ?? '').trim() !== '') {
    const commission = (input.agentCommissionNumber ?? '').normalize('NFKC').trim().toUpperCase();
    if (!/^[A-Z0-9]{1,20}$/.test(commission)) errors.agentCommissionNumber = '記録等事務代行者委託番号は半角英数字20文字以内で入力してください。';
    const name = text('agentName', '記録等事務代行者氏名又は名称', input.agentName, 60, true);
    recordingAgent = { commissionNumber: commission, name: name ?? '', usable: input.agentUsable === true };
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      procedure,
      officeCode: input.officeCode as OfficeCode,
      applicant,
      user,
      owner,
      vehicle: {
        vehicleNumber,
        chassisNumber: chassis.ok ? chassis.value : '',
        model,
        weightTaxBand: input.weightTaxBand,
        acquisitionPrice,
        environmentalTaxRate,
      },
      recordingAgent,
      preferredNumber: procedure === 'newVehicle' && input.preferredNumber === true,
    },
  };
}

/** 到達: a valid filing becomes an application awaiting the office's acceptance check. */
export function fileApplication(filing: ValidFiling, arrivalNumber: ReceiptNumber, actor: Actor, ctx: EventContext): { application: Application; history: HistoryDraft } {
  const kinds = procedures[filing.procedure].attachments;
  const application: Application = {
    id: ctx.ids.id(),
    procedure: filing.procedure,
    arrivalNumber,
    receiptNumber: null,
    status: 'awaitingAcceptance',
    statusChangedAt: ctx.at,
    filedAt: ctx.at,
    officeCode: filing.officeCode,
    applicant: filing.applicant,
    user: filing.user,
    owner: filing.owner,
    vehicle: filing.vehicle,
    recordingAgent: filing.recordingAgent,
    partialDocumentExamination: filing.procedure === 'newVehicle' ? '実施不要（ALL電子）' : null,
    examinationCompletedOn: null,
    attachments: kinds.map((kind) => ({ kind, state: kind === 'preferredNumberCertificate' && !filing.preferredNumber ? 'notRequired' : 'notAcquired' })),
    paymentLines: [],
    notices: [],
    correctionDeadline: null,
    collectionCodeSerial: 0,
    version: 1,
  };
  return {
    application,
    history: { event: 'arrive', fromStatus: null, toStatus: 'awaitingAcceptance', actor, reason: null, details: { arrivalNumber }, occurredAt: ctx.at },
  };
}

/** 申請用パスワード: 8 to 64 characters, letters and digits (both), printable ASCII symbols allowed. */
export function checkApplicationPassword(password: string): string | null {
  if (password.length < 8 || password.length > 64) return '申請用パスワードは8文字以上64文字以内で入力してください。';
  if (!/^[\x21-\x7e]+$/.test(password)) return '申請用パスワードは半角の英字・数字・記号で入力してください。';
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) return '申請用パスワードには英字と数字をそれぞれ1文字以上含めてください。';
  return null;
}
