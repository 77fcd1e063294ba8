import { dictionary } from '@zxcvbn-ts/language-common';
import { ok, refuse, type Result } from '../domain/result.js';

/** NIST SP 800-63B: at least 12 characters (a passphrase is welcome), at most 128; no composition rules. */
export const ACCOUNT_PASSWORD_MIN = 12;
export const ACCOUNT_PASSWORD_MAX = 128;

// zxcvbn-ts's list of common passwords (from breach corpora, about 49,000), lower-cased once.
const common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/**
 * A new password of a 利用者ID: long enough, not a common or breached password (shipped with the
 * app: @zxcvbn-ts/language-common), not one character repeated, not the 利用者ID or the mail
 * address. Spaces and any characters are allowed.
 */
export function checkNewPassword(password: string, context: { userId?: string | null; mailAddress?: string | null }): Result<string> {
  const length = [...password].length;
  if (length === 0) return refuse('invalidInput', 'パスワードを入力してください。');
  if (length < ACCOUNT_PASSWORD_MIN) return refuse('invalidInput', `パスワードは${ACCOUNT_PASSWORD_MIN}文字以上で入力してください（入力されたのは${length}文字です）。覚えやすい複数の単語をつなげた文（パスフレーズ）もお使いいただけます。`);
  if (length > ACCOUNT_PASSWORD_MAX) return refuse('invalidInput', `パスワードは${ACCOUNT_PASSWORD_MAX}文字以内で入力してください。`);
  const lower = password.normalize('NFKC').toLowerCase();
  if (common.has(lower) || common.has(lower.replace(/\s+/g, ''))) return refuse('invalidInput', 'このパスワードは、よく使われているか過去に漏えいしたパスワードの一覧に含まれているため、使用できません。別のパスワードを入力してください。');
  if (new Set(lower).size === 1) return refuse('invalidInput', '同じ文字を繰り返しただけのパスワードは使用できません。別のパスワードを入力してください。');
  const compact = lower.replace(/[\s-]/g, '');
  if ((context.userId && compact.includes(context.userId)) || (context.mailAddress && lower.includes(context.mailAddress.toLowerCase()))) {
    return refuse('invalidInput', '利用者IDやメールアドレスを含むパスワードは使用できません。別のパスワードを入力してください。');
  }
  return ok(password);
}
