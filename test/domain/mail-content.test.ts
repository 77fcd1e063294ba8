import { describe, expect, it } from 'vitest';
import type { Application } from '../../src/domain/application.js';
import { validateContactAddress, maskAddress } from '../../src/domain/mail.js';
import { mailForTransition, reminderDue, renderApplicationMail } from '../../src/domain/mail-content.js';
import { statusesOf } from '../../src/domain/statuses.js';
import type { ProcedureCode } from '../../src/domain/procedures.js';
import { reach, type Situation } from './support.js';

/** The mail a situation's last event causes (null: none), as mailForTransition decides it. */
function decided(procedure: ProcedureCode, situation: Situation): string | null {
  const scene = reach(procedure, situation);
  const last = scene.history.at(-1);
  if (!last) return null;
  const before = { ...scene.app, status: last.fromStatus ?? scene.app.status } as Application;
  return mailForTransition(last.fromStatus ? before : null, scene.app, last.actor, last.event, scene.now)?.kind ?? null;
}

describe('what is mailed when (src/domain/mail-content.ts)', () => {
  it('every status of both procedures, reached by its usual event: the statuses that ask the applicant, the outcomes, the receipts', () => {
    const table = (procedure: ProcedureCode) => Object.fromEntries(statusesOf(procedure).map((s) => [s, decided(procedure, s)]));
    expect(table('continuousInspection')).toEqual({
      awaitingAcceptance: null,
      notAccepted: 'outcome',
      acceptedAwaitingAttachments: null,
      inspectionFeesDue: 'actionRequired',
      // まとめ納付 chosen by the applicant: their own act, no mail.
      inspectionFeesBulkPayment: null,
      weightTaxDue: 'actionRequired',
      weightTaxBulkPayment: null,
      inspectionUnderExamination: null,
      inspectionCorrectionRequested: 'actionRequired',
      preparingReturn: null,
      readyForReturn: 'actionRequired',
      returned: 'outcome',
      withdrawn: 'receipt',
      invalidated: 'outcome',
      rejected: 'outcome',
    });
    expect(table('newVehicle')).toMatchObject({ taxDeclarationCorrectionRequested: 'actionRequired', vehicleTaxDue: 'actionRequired', readyForDelivery: 'actionRequired', delivered: 'outcome', preparingDelivery: null });
  });

  it('a 補正申請 by the applicant gets a receipt', () => {
    const scene = reach('continuousInspection', 'inspectionCorrectionRequested');
    const before = scene.app;
    scene.do({ type: 'submitCorrection', changes: [] }, { kind: 'applicant' });
    expect(mailForTransition(before, scene.app, { kind: 'applicant' }, 'submitCorrection', scene.now)).toEqual({ kind: 'receipt', what: '補正申請' });
  });

  it('the HTML part escapes what the office typed', () => {
    const scene = reach('continuousInspection', 'inspectionUnderExamination');
    scene.do({ type: 'requestCorrection', reasonTitle: '<script>alert(1)</script>', reasonDetail: 'a & b', deadline: '2026-06-10' as never }, { kind: 'inspectionOffice', officeCode: 'tokyo', id: 'x', label: 'x' });
    const mail = renderApplicationMail(scene.app, { kind: 'actionRequired' }, scene.now, { login: 'https://oss.example.jp/inquiry/login', unsubscribe: 'https://oss.example.jp/mail/unsubscribe/t' });
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('理由：<script>alert(1)</script>');
  });

  it('reminders: on business days only, the smallest of the configured day counts that reaches the deadline', () => {
    // 補正期限 2026-06-10 (Wed); 2026-06-05 is a Friday.
    const app = reach('continuousInspection', 'inspectionCorrectionRequested').app;
    const at = (date: string) => new Date(`${date}T01:00:00Z`);
    expect(reminderDue(app, at('2026-06-04'), [3, 1])).toBeNull();
    expect(reminderDue(app, at('2026-06-05'), [3, 1])).toEqual({ kind: 'correction', date: '2026-06-10', daysBefore: 3 });
    expect(reminderDue(app, at('2026-06-06'), [3, 1])).toBeNull();
    expect(reminderDue(app, at('2026-06-09'), [3, 1])).toEqual({ kind: 'correction', date: '2026-06-10', daysBefore: 1 });
    expect(reminderDue(app, at('2026-06-11'), [3, 1])).toBeNull();
  });

  it('連絡先メールアドレス: one bare address, or a clear Japanese refusal', () => {
    expect(validateContactAddress('  info@example.jp ')).toEqual({ ok: true, value: 'info@example.jp' });
    expect(validateContactAddress('')).toEqual({ ok: true, value: null });
    const message = (input: string) => {
      const r = validateContactAddress(input);
      return r.ok ? null : r.refusal.message;
    };
    expect(message('info@example')).toBe('メールアドレスの形式が正しくありません。半角英数字で入力してください（例：info@example.jp）。');
    expect(message('山田 <info@example.jp>')).toBe('メールアドレスだけを入力してください（名前や「<」「>」、空白、複数のアドレスは入力できません。例：info@example.jp）。');
    expect(message('info@example.jp\r\nBcc: x@example.jp')).toBe('メールアドレスに改行は使えません。メールアドレスを1つだけ入力してください。');
    expect(message(`${'a'.repeat(1_000_000)}@example.jp`)).toBe('メールアドレスは254文字以内で入力してください。');
    expect(maskAddress('shinsei@example.jp')).toBe('sh***@example.jp');
  });
});
