import { parseReceiptNumber, type ReceiptNumber } from './receipt-number.js';
import { ok, refuse, type Result } from './result.js';
import { parseChassisNumber, parseVehicleNumber, vehicleNumberToString } from './vehicle.js';

/** 利用者の種別 */
export const accountKinds = {
  individual: '個人',
  business: '法人・個人事業主',
  scrivener: '行政書士',
} as const;
export type AccountKind = keyof typeof accountKinds;

export function isAccountKind(value: string): value is AccountKind {
  return Object.hasOwn(accountKinds, value);
}

/** A 利用者ID is 12 ASCII digits, the last a Luhn check digit (the services issue and check it). */
const SEPARATORS = /[\s\-‐‑‒–—―−ー－]/gu;

/** `1234 5678 9012`, `1234-5678-9012` or full-width digits: the digits, or a message. */
export function parseUserIdShape(input: string): Result<string> {
  if (input.length > 60) return refuse('invalidInput', '利用者IDは数字12桁で入力してください。');
  const compact = input.normalize('NFKC').replace(SEPARATORS, '');
  if (compact === '') return refuse('invalidInput', '利用者IDを入力してください。');
  if (!/^[0-9]{12}$/.test(compact)) return refuse('invalidInput', '利用者IDは数字12桁で入力してください。');
  return ok(compact);
}

/** `123456789012` → `1234 5678 9012` */
export function formatUserId(id: string): string {
  return `${id.slice(0, 4)} ${id.slice(4, 8)} ${id.slice(8)}`;
}

/** 連絡先メールアドレス: one @, no spaces, a dot in the domain; at most 254 characters. */
export function parseMailAddress(input: string): Result<string> {
  const value = input.normalize('NFKC').trim();
  if (value === '') return refuse('invalidInput', '連絡先メールアドレスを入力してください。');
  if (value.length > 254 || !/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/.test(value)) {
    return refuse('invalidInput', '連絡先メールアドレスは「example@example.jp」の形式で入力してください。');
  }
  return ok(value);
}

/** 氏名又は名称: 1–100 characters after trimming. */
export function parseAccountName(input: string): Result<string> {
  const value = input.normalize('NFC').trim();
  if (value === '') return refuse('invalidInput', '氏名又は名称を入力してください。');
  if ([...value].length > 100) return refuse('invalidInput', '氏名又は名称は100文字以内で入力してください。');
  if (/[\u0000-\u001f\u007f]/.test(value)) return refuse('invalidInput', '氏名又は名称に使用できない文字が含まれています。');
  return ok(value);
}

/**
 * The operator's two-factor rule (ACCOUNT_TOTP_REQUIRED, issue 16: "required for accounts that hold
 * more than one application if the operator sets it").
 */
export interface TwoFactorPolicy {
  /** 二要素認証 is required of every 利用者ID that holds more than one application. */
  readonly requiredForSeveralApplications: boolean;
}

export const noTwoFactorPolicy: TwoFactorPolicy = { requiredForSeveralApplications: false };

/**
 * Where a 利用者ID stands with that rule:
 * - `optional`: the rule does not apply (the operator has not set it, or the account holds at most one
 *   application); two-factor may be set and removed at will;
 * - `required`: the rule applies and two-factor is set; it cannot be removed while the rule applies;
 * - `missing`: the rule applies and two-factor is not set; the account can do nothing but set it up
 *   (利用者情報, 二要素認証の設定, 終了) until it is set.
 */
export type TwoFactorStanding = 'optional' | 'required' | 'missing';

/** The rule, decided once: the policy, how many applications the account holds, and whether TOTP is set. */
export function twoFactorStanding(policy: TwoFactorPolicy, applications: number, totpSet: boolean): TwoFactorStanding {
  if (!policy.requiredForSeveralApplications || applications <= 1) return 'optional';
  return totpSet ? 'required' : 'missing';
}

/** Why an account page is closed until two-factor is set (the banner of the setup page). */
export const TWO_FACTOR_REQUIRED_MESSAGE = '申請を2件以上お持ちの利用者IDは、二要素認証の設定が必要です。';
export const TWO_FACTOR_REQUIRED_DETAIL = 'この利用者IDには申請が2件以上あるため、運営者の設定により、二要素認証（認証アプリの確認コード）の設定が必要です。設定が完了するまで、申請一覧・CSVの出力・納付を行う・申請の追加・APIトークン等の画面は利用できません。';

/** The account may use its pages (申請一覧, まとめ納付, 申請の追加, APIトークン…) unless two-factor is missing. */
export function mayUseAccountPages(standing: TwoFactorStanding): Result<true> {
  return standing === 'missing' ? refuse('twoFactorRequired', TWO_FACTOR_REQUIRED_MESSAGE) : ok(true);
}

/** Two-factor may be removed only where the rule does not apply. */
export function mayDisableTwoFactor(standing: TwoFactorStanding): Result<true> {
  return standing === 'optional' ? ok(true) : refuse('twoFactorRequired', '申請を2件以上お持ちの利用者IDは、運営者の設定により二要素認証が必要なため、解除できません。');
}

/** A new API token (一括申請 API) needs two-factor where the rule asks for it; tokens already issued keep working (decision 0013). */
export function mayIssueApiToken(standing: TwoFactorStanding): Result<true> {
  return standing === 'missing' ? refuse('twoFactorRequired', 'APIトークンを発行するには、先に二要素認証を設定してください（申請を2件以上お持ちの利用者IDは、運営者の設定により二要素認証が必要です）。') : ok(true);
}

/** リカバリーコード of a 利用者ID: this many a set, each of 12 letters and digits (60 bits) shown as abcd-efgh-jkmn. */
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Twelve values of 0–31 (random, from the caller) as a code, in the shape shown: three groups of four. */
export function recoveryCodeOf(values: readonly number[]): string {
  const letters = values.slice(0, 12).map((v) => RECOVERY_ALPHABET[v & 31]!).join('');
  return `${letters.slice(0, 4)}-${letters.slice(4, 8)}-${letters.slice(8, 12)}`;
}

/** A リカバリーコード as typed (any case, full-width, spaces or hyphens), in its stored form, or null if it cannot be one. */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.normalize('NFKC').toLowerCase().replace(/[\s\-‐－ー]/g, '');
  return /^[a-z2-7]{12}$/.test(compact) ? compact : null;
}

/** What the account log records, in the words the user reads. */
export const accountLogActions = {
  registered: '利用者IDの発行',
  confirmed: 'メールアドレスの確認',
  login: 'ログイン',
  loginFailed: 'ログイン失敗',
  applicationAdded: '申請の追加',
  applicationFiled: '申請（申請を行う）',
  applicationRemoved: '申請の削除',
  totpEnabled: '二要素認証の設定',
  totpDisabled: '二要素認証の解除',
  passwordReset: 'パスワードの再設定',
  recoveryCodesIssued: 'リカバリーコードの発行',
  recoveryCodeUsed: 'リカバリーコードによるログイン',
  bulkPaymentNumberTaken: 'まとめ納付の納付番号取得',
  bulkPaymentCancelled: 'まとめ納付のキャンセル',
  apiTokenIssued: 'APIトークンの発行',
  apiTokenRevoked: 'APIトークンの無効化',
  webhookRegistered: 'Webhook 送信先の登録',
  webhookSecretRotated: 'Webhook 署名用シークレットの再発行',
  webhookDisabled: 'Webhook 送信先の無効化（送信の失敗が続いたため）',
  webhookEnabled: 'Webhook 送信先の再有効化',
  webhookDeleted: 'Webhook 送信先の削除',
} as const;
export type AccountLogAction = keyof typeof accountLogActions;

/** What the user typed in the 申請一覧's search box, understood. */
export type AccountListSearch =
  | { readonly kind: 'number'; readonly number: ReceiptNumber; /** a 17-digit 車台番号 is possible too */ readonly chassisNumber: string }
  | { readonly kind: 'vehicleNumber'; readonly vehicleNumber: string }
  | { readonly kind: 'chassisNumber'; readonly chassisNumber: string; /** as typed: part of a 使用者名 when no 車台番号 matches */ readonly typed: string }
  | { readonly kind: 'userName'; readonly userName: string };

/**
 * 受付番号（到達番号） in any spacing or full-width digits, a 車両番号, a 車台番号, or else part of
 * a 使用者名; null when the box is empty. Text that could be a 車台番号 (letters, digits, hyphens) is
 * looked up as one first; the list falls back to the 使用者名 when no 車台番号 matches.
 */
export function parseAccountListSearch(input: string): Result<AccountListSearch | null> {
  const text = input.normalize('NFKC').trim();
  if (text === '') return ok(null);
  if ([...text].length > 60) return refuse('invalidInput', '検索する文字は60文字以内で入力してください。');
  const number = parseReceiptNumber(text);
  if (number.ok) return ok({ kind: 'number', number: number.value, chassisNumber: number.value });
  const plate = parseVehicleNumber(text);
  if (plate.ok) return ok({ kind: 'vehicleNumber', vehicleNumber: vehicleNumberToString(plate.value) });
  const chassis = parseChassisNumber(text);
  if (chassis.ok) return ok({ kind: 'chassisNumber', chassisNumber: chassis.value, typed: text });
  return ok({ kind: 'userName', userName: text });
}
