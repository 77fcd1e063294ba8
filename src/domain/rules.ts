import type { Application, PaymentLine } from './application.js';
import { procedures } from './procedures.js';
import { statuses, type ApplicantAction, type PaymentStage, type StatusDefinition, type StepMark } from './statuses.js';
import { addDays, daysBetween, deadlinePassesAt, isDeadlinePassed, japanDateOf, type JapanDate } from './time.js';

/** Rules that depend on more than the status: derived facts about an application. */

export function linesOfStage(app: Pick<Application, 'paymentLines'>, stage: PaymentStage): PaymentLine[] {
  return app.paymentLines.filter((l) => l.stage === stage);
}

function stageSettled(app: Application, stage: PaymentStage): boolean {
  const lines = linesOfStage(app, stage);
  return lines.length > 0 && lines.every((l) => l.status !== 'unpaid');
}

/** 納付対象選択前（納付番号取得前）: in まとめ払い, the stage's unpaid lines have no number yet. */
export function bulkPaymentNumberTaken(app: Application): boolean {
  const stage = statuses[app.status].paymentStage;
  if (!stage) return false;
  const unpaid = linesOfStage(app, stage).filter((l) => l.status === 'unpaid');
  return unpaid.length > 0 && unpaid.every((l) => l.paymentNumber !== null);
}

/** Every attachment of the procedure is 取得済 or 不要. */
export function attachmentsComplete(app: Application): boolean {
  return app.attachments.every((a) => a.state !== 'notAcquired');
}

/** The deadline now running for the application, if any: 補正期限 or 納付期限. */
export function currentDeadline(app: Application): { kind: 'correction' | 'payment'; date: JapanDate } | null {
  const def: StatusDefinition = statuses[app.status];
  if (def.deadline === 'correction' && app.correctionDeadline) return { kind: 'correction', date: app.correctionDeadline };
  if (def.deadline === 'payment' && def.paymentStage) {
    const due = linesOfStage(app, def.paymentStage)
      .filter((l) => l.status === 'unpaid')
      .map((l) => l.dueOn)
      .sort()[0];
    if (due) return { kind: 'payment', date: due };
  }
  return null;
}

/** The instant the sweeper acts on (the first instant after the deadline day), or null. */
export function deadlineInstant(app: Application): Date | null {
  const d = currentDeadline(app);
  return d ? deadlinePassesAt(d.date) : null;
}

/** What the applicant may do now: the status's actions, narrowed by the manual's further conditions. */
export function allowedActions(app: Application, now: Date): ApplicantAction[] {
  const def: StatusDefinition = statuses[app.status];
  const deadline = currentDeadline(app);
  const pastDeadline = deadline !== null && isDeadlinePassed(deadline.date, now);
  const numberTaken = bulkPaymentNumberTaken(app);
  return def.applicantMay.filter((action) => {
    switch (action) {
      case 'withdraw':
        // まとめ払い: only before a payment number is taken (manual 7); 補正待ち: until the deadline (manual 11).
        if (def.bulkPayment) return !numberTaken && !pastDeadline;
        return !pastDeadline;
      case 'correct':
        return !pastDeadline;
      case 'pay':
        return !pastDeadline && (!def.bulkPayment || numberTaken);
      case 'chooseBulkPayment':
        return !pastDeadline;
      case 'takeBulkPaymentNumber':
        return !pastDeadline && !numberTaken;
      case 'issueCollectionCode':
        // The 2D code is not needed where a 記録等事務代行者 collects (継続検査 only).
        return !(app.recordingAgent?.usable ?? false);
      case 'applyAgain':
        return true;
    }
  });
}

/** 手続進捗状況: a mark for each step of the procedure. */
export function stepMarks(app: Application): StepMark[] {
  const def: StatusDefinition = statuses[app.status];
  if (def.steps !== 'stopped') {
    const marks = def.steps[app.procedure];
    if (!marks) throw new Error(`status ${app.status} does not belong to ${app.procedure}`);
    return [...marks];
  }
  // A stopped application keeps the steps it had finished; the rest were never reached.
  const preparationDone = stageSettled(app, 'inspectionFees') && stageSettled(app, 'weightTax');
  const examined = app.examinationCompletedOn !== null;
  const done: boolean[] =
    app.procedure === 'continuousInspection'
      ? [preparationDone, examined, false]
      : [preparationDone, examined, stageSettled(app, 'vehicleTax'), false];
  return done.map((d) => (d ? 'done' : 'pending'));
}

/** 全3ステップ中、1ステップ目まで完了: what a screen reader says of the progress steps. */
export function progressSummary(app: Application): string {
  return progressSummaryOf(procedures[app.procedure].steps, stepMarks(app));
}

/** The sentence for steps with these labels and marks. */
export function progressSummaryOf(steps: readonly string[], marks: readonly StepMark[]): string {
  let reached = 0;
  while (reached < marks.length && marks[reached] === 'done') reached += 1;
  const action = marks.indexOf('action');
  const head = reached === 0 ? `全${steps.length}ステップ中、完了したステップはありません` : `全${steps.length}ステップ中、${reached}ステップ目まで完了`;
  return action >= 0 ? `${head}。${action + 1}ステップ目「${steps[action]}」でお客様の操作が必要です。` : `${head}。`;
}

/** 期限等に関するお知らせ appears from this many days before a deadline. */
export const REMINDER_DAYS = 3;

export interface DeadlineReminder {
  readonly kind: 'correction' | 'payment';
  readonly date: JapanDate;
  readonly daysLeft: number;
  readonly message: string;
}

/** The deadline warnings of section 9, from three days before the deadline until it passes. */
export function deadlineReminders(app: Application, now: Date): DeadlineReminder[] {
  const deadline = currentDeadline(app);
  if (!deadline || isDeadlinePassed(deadline.date, now)) return [];
  const today = japanDateOf(now);
  const daysLeft = daysBetween(today, deadline.date);
  if (daysLeft > REMINDER_DAYS) return [];
  const message =
    deadline.kind === 'correction'
      ? '補正期限が間近です。補正してください。補正期限を過ぎると期限切れ却下となり、申請は無効になります。'
      : '納付期限が間近です。納付期限日までに納付してください。納付期限を過ぎると申請は無効になります。';
  return [{ kind: deadline.kind, date: deadline.date, daysLeft, message }];
}

/** The first day 期限等に関するお知らせ shows for a deadline. */
export function reminderStartsOn(deadline: JapanDate): JapanDate {
  return addDays(deadline, -REMINDER_DAYS);
}
