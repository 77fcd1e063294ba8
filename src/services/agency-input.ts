import { checkText } from '../domain/corrections.js';
import { eventsFor, type EventType } from '../domain/events.js';
import { attachmentKinds, type AttachmentKind } from '../domain/procedures.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { paymentStages, type PaymentStage } from '../domain/statuses.js';
import { isJapanDate, type JapanDate } from '../domain/time.js';
import { parseVehicleNumber } from '../domain/vehicle.js';
import type { ActEvent } from './application-events.js';

/**
 * What the agencies post, from the API (JSON) or the staff UI (form text), turned into a domain
 * event field by field, so that each message can be shown next to its input.
 */

/** Events an agency (office, tax office, payment network, attachment source) may ever post. */
export const agencyEventTypes: readonly EventType[] = [...new Set([...eventsFor('inspectionOffice'), ...eventsFor('taxOffice'), ...eventsFor('paymentNetwork'), ...eventsFor('attachmentSource')])];

export function isAgencyEventType(type: string): type is EventType {
  return (agencyEventTypes as readonly string[]).includes(type);
}

export interface AgencyEventInput {
  readonly type: string;
  readonly reasonTitle?: string | undefined;
  readonly reasonDetail?: string | undefined;
  readonly deadline?: string | undefined;
  readonly dueOn?: string | undefined;
  readonly paidOn?: string | undefined;
  readonly completedOn?: string | undefined;
  readonly vehicleNumber?: string | undefined;
  readonly kind?: string | undefined;
  readonly stage?: string | undefined;
  readonly amount?: number | undefined;
  /** handOver without the 2D code: why (the staff UI requires it when the code was not checked). */
  readonly noCodeReason?: string | undefined;
}

export type AgencyInputField = Exclude<keyof AgencyEventInput, 'type'>;
export type AgencyInputErrors = Partial<Record<AgencyInputField | 'type', string>>;

export const REASON_TITLE_MAX = 100;
export const REASON_DETAIL_MAX = 1000;
export const NO_CODE_REASON_MAX = 200;

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;

/** A text that keeps its line breaks (理由の詳細). */
function cleanText(label: string, raw: string | undefined, max: number): Result<string> {
  const value = (raw ?? '').normalize('NFKC').replace(/\r\n?/g, '\n').replace(/[ \t\u3000]+\n/g, '\n').trim();
  if (CONTROL.test(value.replace(/[\n\t]/g, ''))) return refuse('invalidInput', `${label}に使用できない文字が含まれています。`);
  if ([...value].length > max) return refuse('invalidInput', `${label}は${max}文字以内で入力してください。`);
  return ok(value);
}

/**
 * A date as people type it: `2026-12-01`, `2026/12/1`, `2026年12月1日`, full-width digits too.
 * Returns the Japan date, or a message saying what is expected.
 */
function parseDateInput(label: string, raw: string | undefined): Result<JapanDate> {
  const text = (raw ?? '').normalize('NFKC').trim();
  if (text === '') return refuse('invalidInput', `${label}を入力してください。`);
  const m = /^(\d{4})\s*[-/年]\s*(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?$/.exec(text);
  const candidate = m ? `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` : '';
  if (!m || !isJapanDate(candidate)) return refuse('invalidInput', `${label}は「2026-12-01」のように、正しい日付で入力してください。`);
  return ok(candidate);
}


export const agencyFieldLabels: Record<AgencyInputField | 'type', string> = {
  type: 'イベントの種類',
  reasonTitle: '理由',
  reasonDetail: '理由の詳細',
  deadline: '補正期限',
  dueOn: '納付期限',
  paidOn: '納付日',
  completedOn: '審査完了年月日',
  vehicleNumber: '車両番号',
  kind: '添付書類',
  stage: '税・手数料の種別',
  amount: '税額',
  noCodeReason: '二次元コードの提示なしで渡す理由',
};

/** Builds the domain event an agency asked for, or says, field by field, what is wrong. */
export function toAgencyEvent(input: AgencyEventInput): { ok: true; event: ActEvent } | { ok: false; errors: AgencyInputErrors } {
  const errors: AgencyInputErrors = {};
  const take = <T>(field: AgencyInputField, r: Result<T>): T | undefined => {
    if (!r.ok) {
      errors[field] = r.refusal.message;
      return undefined;
    }
    return r.value;
  };
  const reason = () => ({
    // A one-line text: NFKC, spaces folded, bounded (required, so never null).
    reasonTitle: take('reasonTitle', checkText('理由', input.reasonTitle ?? '', REASON_TITLE_MAX, true)) ?? '',
    reasonDetail: take('reasonDetail', cleanText('理由の詳細', input.reasonDetail, REASON_DETAIL_MAX)) ?? '',
  });
  const date = (field: 'deadline' | 'dueOn' | 'paidOn' | 'completedOn') => take(field, parseDateInput(agencyFieldLabels[field], input[field])) as JapanDate;
  const attachment = (): AttachmentKind => {
    if (!input.kind || !Object.hasOwn(attachmentKinds, input.kind)) errors.kind = `添付書類の種類を指定してください（${Object.keys(attachmentKinds).join(', ')}）。`;
    return input.kind as AttachmentKind;
  };
  let event: ActEvent | null = null;
  switch (input.type) {
    case 'accept':
      event = { type: 'accept' };
      break;
    case 'refuseAcceptance':
    case 'reject':
    case 'invalidate':
      event = { type: input.type, ...reason() };
      break;
    case 'requestCorrection':
    case 'requestTaxCorrection':
      event = { type: input.type, ...reason(), deadline: date('deadline') };
      break;
    case 'acquireAttachment':
    case 'markAttachmentNotRequired':
      event = { type: input.type, kind: attachment() };
      break;
    case 'issueFees':
      event = { type: 'issueFees', dueOn: date('dueOn') };
      break;
    case 'recordPayment': {
      if (!input.stage || !(paymentStages as readonly string[]).includes(input.stage)) errors.stage = `税・手数料の種別を指定してください（${paymentStages.join(', ')}）。`;
      event = { type: 'recordPayment', stage: input.stage as PaymentStage, paidOn: date('paidOn') };
      break;
    }
    case 'completeExamination': {
      const completedOn = date('completedOn');
      let vehicleNumber;
      if (input.vehicleNumber !== undefined && input.vehicleNumber.trim() !== '') {
        const parsed = parseVehicleNumber(input.vehicleNumber);
        if (parsed.ok) vehicleNumber = parsed.value;
        else errors.vehicleNumber = parsed.refusal.message;
      }
      event = { type: 'completeExamination', completedOn, vehicleNumber };
      break;
    }
    case 'assessVehicleTax': {
      const amount = input.amount;
      if (amount !== undefined && (!Number.isSafeInteger(amount) || amount < 0 || amount > 100_000_000)) errors.amount = '税額は0円以上1億円以下の整数（円）で指定してください。';
      event = { type: 'assessVehicleTax', dueOn: date('dueOn'), amount };
      break;
    }
    case 'markReady':
      event = { type: input.type };
      break;
    case 'handOver': {
      if (input.noCodeReason === undefined) {
        event = { type: 'handOver' };
        break;
      }
      const reason = take('noCodeReason', checkText(agencyFieldLabels.noCodeReason, input.noCodeReason, NO_CODE_REASON_MAX, true)) ?? '';
      event = { type: 'handOver', verification: { method: 'noCode', reason } };
      break;
    }
    default:
      errors.type = `不明なイベントです（${String(input.type).slice(0, 50)}）。`;
  }
  if (Object.keys(errors).length > 0 || !event) return { ok: false, errors };
  return { ok: true, event };
}
