import { stringify } from 'csv-stringify/sync';
import { formatJapanDateTime } from '../domain/format.js';
import { formatReceiptNumber } from '../domain/receipt-number.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { addDays, daysBetween, isJapanDate, japanDateOf, startOfJapanDay, type JapanDate } from '../domain/time.js';
import type { AuditRecord } from '../domain/audit.js';
import { auditRepository } from '../store/audit.repository.js';
import type { Executor } from '../store/database.js';
import { transaction, type ServiceDeps } from './context.js';

/** What the audit trail records, with the words the supervisor's screen and the CSV show. */
export const auditActions = {
  staffLogin: 'ログイン（事務所等）',
  staffLogout: 'ログアウト（事務所等）',
  staffDecision: '申請の処理（事務所等）',
  counterCheck: '二次元コードの確認（窓口）',
  counterHandOver: '窓口での受け取り',
  staffUserCreated: '職員の作成',
  apiTokenCreated: 'APIトークンの作成',
  apiTokenRevoked: 'APIトークンの失効',
  apiEvent: 'イベントの送信（API）',
  applicantLogin: 'ログイン（申請者）',
  applicantWithdrawal: '申請の取り下げ',
  applicantCorrection: '補正申請',
} as const;
export type AuditAction = keyof typeof auditActions;

/** Who acted: a staff user, an API token (by name), the applicant of an application (never the session id), the command line. */
export type AuditActor =
  | { readonly kind: 'staff'; readonly id: string; readonly label: string }
  | { readonly kind: 'apiToken'; readonly id: string; readonly label: string }
  | { readonly kind: 'applicant'; readonly applicationId: string }
  | { readonly kind: 'commandLine'; readonly label: string };

export const auditActorKinds = { staff: '職員', apiToken: 'APIトークン', applicant: '申請者', commandLine: 'コマンド' } as const;

/** One thing to record. The client address is `request.ip` (X-Forwarded-For believed only from TRUST_PROXY). */
export interface AuditNote {
  readonly action: AuditAction;
  readonly actor: AuditActor;
  readonly clientAddress: string | null;
  readonly applicationId?: string | null | undefined;
  /** The 受付番号 (or 到達番号) as shown, so the trail reads without a join. */
  readonly receiptNumber?: string | null | undefined;
  /** A short description (the decision, the fields corrected): never a password, a token or a session id. */
  readonly detail?: string | null | undefined;
}

/** The longest range the screen or a CSV covers at once. */
export const AUDIT_MAX_DAYS = 366;
/** Lines on one screen; the CSV holds up to AUDIT_CSV_MAX_ROWS. */
export const AUDIT_PAGE_ROWS = 500;
export const AUDIT_CSV_MAX_ROWS = 200_000;

/** Appends one line in the caller's transaction (the action and its trail commit together). */
export async function appendAudit(deps: ServiceDeps, db: Executor, note: AuditNote): Promise<void> {
  await appendAudits(deps, db, [note]);
}

/** Appends many lines in the caller's transaction, in a few multi-row statements (a まとめ納付 through the API). */
export async function appendAudits(deps: ServiceDeps, db: Executor, notes: readonly AuditNote[]): Promise<void> {
  if (notes.length === 0) return;
  const occurredAt = deps.clock.now();
  await auditRepository(db).appendMany(
    notes.map((note) => {
      const actor = note.actor;
      return {
        id: deps.ids.id(),
        occurredAt,
        action: note.action,
        actorKind: actor.kind,
        actorId: actor.kind === 'applicant' ? actor.applicationId : actor.kind === 'commandLine' ? null : actor.id,
        actorLabel: actor.kind === 'applicant' ? '申請者（受付番号でログイン）' : actor.label,
        clientAddress: note.clientAddress ? note.clientAddress.slice(0, 100) : null,
        applicationId: note.applicationId ?? (actor.kind === 'applicant' ? actor.applicationId : null),
        receiptNumber: note.receiptNumber ?? null,
        detail: note.detail ? note.detail.slice(0, 500) : null,
      };
    }),
  );
}

/** Records one line in a transaction of its own: for an action that had none to join (a login, a read). */
export function recordAudit(deps: ServiceDeps, note: AuditNote): Promise<void> {
  return transaction(deps, (tx) => appendAudit(deps, tx, note));
}

export interface AuditRange {
  readonly from: JapanDate;
  readonly to: JapanDate;
}

/** A date range in Japan dates, both days included: checked, with a Japanese message for each mistake. */
export function checkAuditRange(from: string, to: string): Result<AuditRange> {
  if (!isJapanDate(from)) return refuse('invalidInput', '開始日を YYYY-MM-DD の形式で入力してください。');
  if (!isJapanDate(to)) return refuse('invalidInput', '終了日を YYYY-MM-DD の形式で入力してください。');
  if (daysBetween(from, to) < 0) return refuse('invalidInput', '終了日は開始日と同じ日か、それより後の日付を入力してください。');
  if (daysBetween(from, to) >= AUDIT_MAX_DAYS) return refuse('invalidInput', `期間は${AUDIT_MAX_DAYS}日以内で指定してください。`);
  return ok({ from, to });
}

/** A cell a spreadsheet would run as a formula (= + - @, tab, carriage return) starts with an apostrophe instead. */
export function spreadsheetSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const CSV_COLUMNS = ['日時（日本時間）', '日時（UTC）', '操作', '操作者の種別', '操作者', '接続元', '受付番号（到達番号）', '内容', '記録ID'] as const;

function csvRow(r: AuditRecord): string[] {
  return [
    formatJapanDateTime(r.occurredAt),
    r.occurredAt.toISOString(),
    auditActions[r.action as AuditAction] ?? r.action,
    auditActorKinds[r.actorKind as keyof typeof auditActorKinds] ?? r.actorKind,
    r.actorLabel,
    r.clientAddress ?? '',
    // Spaced (as on screen): a spreadsheet would turn 17 bare digits into a rounded number.
    r.receiptNumber ? formatReceiptNumber(r.receiptNumber) : '',
    r.detail ?? '',
    r.id,
  ].map(spreadsheetSafe);
}

/** The audit trail: written by the use cases, read by a supervisor (監督者) on screen or as CSV. */
export function makeAudit(deps: ServiceDeps) {
  const bounds = (range: AuditRange) => ({ from: startOfJapanDay(range.from), to: startOfJapanDay(addDays(range.to, 1)) });
  return {
    /** The range shown without one: the last 7 days, today included (Japan dates). */
    lastWeek(): AuditRange {
      const today = japanDateOf(deps.clock.now());
      return { from: addDays(today, -6), to: today };
    },

    /** Records one line on its own (where the action had no transaction of its own to join). */
    record: (note: AuditNote): Promise<void> => recordAudit(deps, note),

    /** The lines of a range, oldest first, at most AUDIT_PAGE_ROWS (truncated: there are more). */
    async list(range: AuditRange): Promise<{ rows: AuditRecord[]; truncated: boolean }> {
      const { from, to } = bounds(range);
      const rows = await auditRepository(deps.database.db).between(from, to, AUDIT_PAGE_ROWS + 1);
      return { rows: rows.slice(0, AUDIT_PAGE_ROWS), truncated: rows.length > AUDIT_PAGE_ROWS };
    },

    /** The range as CSV: UTF-8 with a BOM (Excel reads the Japanese), CRLF, formula-safe cells. */
    async csv(range: AuditRange): Promise<Result<{ filename: string; body: string }>> {
      const { from, to } = bounds(range);
      const rows = await auditRepository(deps.database.db).between(from, to, AUDIT_CSV_MAX_ROWS + 1);
      if (rows.length > AUDIT_CSV_MAX_ROWS) return refuse('invalidInput', `記録が${AUDIT_CSV_MAX_ROWS.toLocaleString('ja-JP')}件を超えるため、期間を短くして出力してください。`);
      const body = stringify(rows.map(csvRow), { header: true, columns: [...CSV_COLUMNS], bom: true, record_delimiter: 'windows' });
      return ok({ filename: `audit-${range.from}-${range.to}.csv`, body });
    },
  };
}
