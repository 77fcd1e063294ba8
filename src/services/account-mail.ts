import escapeHtml from 'escape-html';
import { formatUserId } from '../domain/accounts.js';
import { formatJapanDateTime } from '../domain/format.js';
import type { MailDraft } from '../domain/mail.js';
import { CONTACT_LINE } from './login-throttle.js';

/** The mails of a 利用者ID (issue 16): to the account (accountId set, applicationId null). */
export type AccountMailKind = 'accountConfirmation' | 'accountIssued' | 'accountPasswordReset' | 'accountRecoveryCodeUsed';

interface AccountMailInput {
  readonly accountId: string;
  readonly to: string;
  readonly name: string;
  readonly userId: string;
}

const FOOTER = ['このメールは送信専用です。返信はできません。', `お問い合わせ先　${CONTACT_LINE}`, '軽自動車保有関係手続のワンストップサービス'];

function draft(kind: AccountMailKind, input: AccountMailInput, subject: string, lines: readonly string[], dedupeKey: string, link: string | null): MailDraft {
  const text = [`${input.name} 様`, '', ...lines, '', ...FOOTER].join('\n');
  const html = [`<p>${escapeHtml(input.name)} 様</p>`, ...lines.map((l) => (link && l === link ? `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>` : `<p>${escapeHtml(l)}</p>`)), ...FOOTER.map((l) => `<p>${escapeHtml(l)}</p>`)].join('\n');
  return { kind, to: input.to, subject, text, html, dedupeKey, accountId: input.accountId, applicationId: null };
}

/** メールアドレスの確認: the link that makes the 利用者ID usable. */
export function confirmationMail(input: AccountMailInput, link: string, expiresAt: Date, tokenId: string): MailDraft {
  return draft(
    'accountConfirmation',
    input,
    '【軽自動車OSS】メールアドレスの確認のお願い',
    [
      '利用者IDの発行のお申し込みを受け付けました。',
      '次のリンクを開いて、連絡先メールアドレスの確認を完了してください。確認が完了するまで、利用者IDではログインできません。',
      link,
      `このリンクの有効期限は${formatJapanDateTime(expiresAt)}です。`,
      'お心当たりのない場合は、このメールを破棄してください。',
    ],
    `account-confirm:${tokenId}`,
    link,
  );
}

/** 利用者IDの発行: the ID, for the user's records (the password is never mailed). */
export function issuedMail(input: AccountMailInput, loginLink: string): MailDraft {
  return draft(
    'accountIssued',
    input,
    '【軽自動車OSS】利用者IDを発行しました',
    ['利用者IDを発行しました。ログインには、この利用者IDと、発行時に設定したパスワードを使用します。', `利用者ID　${formatUserId(input.userId)}`, '連絡先メールアドレスの確認が完了すると、次の画面からログインできます。', loginLink],
    `account-issued:${input.accountId}`,
    loginLink,
  );
}

/** パスワードの再設定: a one-time link. */
export function passwordResetMail(input: AccountMailInput, link: string, expiresAt: Date, tokenId: string): MailDraft {
  return draft(
    'accountPasswordReset',
    input,
    '【軽自動車OSS】パスワードの再設定',
    [
      `利用者ID ${formatUserId(input.userId)} のパスワードの再設定を受け付けました。`,
      '次のリンクを開いて、新しいパスワードを設定してください。',
      link,
      `このリンクの有効期限は${formatJapanDateTime(expiresAt)}です。一度使用すると無効になります。`,
      'お心当たりのない場合は、このメールを破棄してください。パスワードは変更されません。',
    ],
    `account-reset:${tokenId}`,
    link,
  );
}

/** リカバリーコードによるログイン: the account is told at once, with the codes left and what to do if it was not them. */
export function recoveryCodeUsedMail(input: AccountMailInput, usedAt: Date, left: number, accountLink: string, logId: string): MailDraft {
  return draft(
    'accountRecoveryCodeUsed',
    input,
    '【軽自動車OSS】リカバリーコードでログインしました',
    [
      `利用者ID ${formatUserId(input.userId)} に、${formatJapanDateTime(usedAt)}、認証アプリの確認コードの代わりにリカバリーコードを使用してログインしました。使用したリカバリーコードは、今後使用できません。`,
      `使用できるリカバリーコードは残り${left}個です。認証アプリを利用できなくなった場合は、利用者情報の画面で二要素認証を設定し直してください（リカバリーコードも新しくなります）。`,
      accountLink,
      'お心当たりのない場合は、パスワードとリカバリーコードが第三者に知られているおそれがあります。直ちにパスワードを再設定し、リカバリーコードを再発行してください。',
    ],
    `account-recovery-used:${logId}`,
    accountLink,
  );
}
