import { parseReceiptNumber, type ReceiptNumber } from './receipt-number.js';
import { ok, refuse, type Result } from './result.js';
import type { StatusCode } from './statuses.js';
import { parseChassisNumber, parseVehicleNumber, vehicleNumberToString } from './vehicle.js';

/**
 * What the office must do next, first (作業一覧の既定の並び順): the statuses in which the
 * application waits for the office itself, in the order a clerk works through them. Every other
 * open status waits for someone else (the applicant, the payment network, a source system, the
 * tax office) and comes after these, by deadline.
 */
export const officeActionOrder: readonly StatusCode[] = [
  'awaitingAcceptance', // 受付審査中: new arrivals, 受付 or 未受付
  'inspectionUnderExamination', // 検査申請審査中
  'preparingReturn', // 返付準備中
  'preparingDelivery', // 交付準備中
];

export function needsOfficeAction(status: StatusCode): boolean {
  return officeActionOrder.includes(status);
}

/** What a clerk typed in the work list's search box, understood. */
export type WorkListSearch =
  | { readonly kind: 'number'; readonly number: ReceiptNumber; /** a 17-digit 車台番号 is possible too */ readonly chassisNumber: string }
  | { readonly kind: 'vehicleNumber'; readonly vehicleNumber: string }
  | { readonly kind: 'chassisNumber'; readonly chassisNumber: string };

export const WORK_LIST_SEARCH_MESSAGE = '受付番号（到達番号）、車台番号または車両番号を入力してください（例：1100 0000 0000 00013、JF3-1234567、品川 580 さ 1234）。';

/**
 * 受付番号（到達番号） with any spacing or full-width digits, a 車両番号 with or without
 * separators, or a 車台番号; null when the box is empty.
 */
export function parseWorkListSearch(input: string): Result<WorkListSearch | null> {
  const text = input.normalize('NFKC').trim();
  if (text === '') return ok(null);
  if (text.length > 60) return refuse('invalidInput', WORK_LIST_SEARCH_MESSAGE);
  const number = parseReceiptNumber(text);
  if (number.ok) return ok({ kind: 'number', number: number.value, chassisNumber: number.value });
  const plate = parseVehicleNumber(text);
  if (plate.ok) return ok({ kind: 'vehicleNumber', vehicleNumber: vehicleNumberToString(plate.value) });
  const chassis = parseChassisNumber(text);
  if (chassis.ok) return ok({ kind: 'chassisNumber', chassisNumber: chassis.value });
  return refuse('invalidInput', WORK_LIST_SEARCH_MESSAGE);
}
