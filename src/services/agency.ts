import { validateContactAddress } from '../domain/mail.js';
import { actorKindLabels, type Actor } from '../domain/actors.js';
import type { Application } from '../domain/application.js';
import type { Transition } from '../domain/events.js';
import { checkApplicationPassword, validateFiling, type FilingInput } from '../domain/filing.js';
import type { HistoryEntry } from '../domain/history.js';
import type { Notification } from '../domain/notifications.js';
import { taxOfficeFor } from '../domain/offices.js';
import { parseReceiptNumber } from '../domain/receipt-number.js';
import { ok, refuse, type Refusal, type Result } from '../domain/result.js';
import { toAgencyEvent, type AgencyEventInput } from './agency-input.js';
import type { ActOnApplication, ActOptions, RegisterApplication } from './application-events.js';
import type { ServiceDeps, TransactionHook } from './context.js';
import { applicationRepository } from '../store/applications.repository.js';
import type { StatusInquiry } from './status-inquiry.js';
import type { PaymentGroups } from './payment-groups.js';

/** A refusal of bad input that says, field by field, what is wrong. */
export type FieldRefusal = { readonly ok: false; readonly refusal: Refusal; readonly fields: Readonly<Record<string, string>> };
export type AgencyResult<T> = Result<T> | FieldRefusal;

export const INPUT_ERRORS_MESSAGE = '入力内容に誤りがあります。fields の各項目を確認してください。';
export const APPLICATION_NOT_FOUND_MESSAGE = '指定された受付番号（到達番号）の申請は見つかりません。';

export const groupPaymentMessage = (paymentNumber: string) =>
  `この申請の税・手数料はまとめ納付（納付番号 ${paymentNumber}）に含まれています。納付の報告は納付番号で POST /api/v1/payments に送ってください。`;

function fieldRefusal(fields: Readonly<Record<string, string>>): FieldRefusal {
  return { ok: false, refusal: { code: 'invalidInput', message: INPUT_ERRORS_MESSAGE }, fields };
}

/**
 * The office scope, in one place, for every agency read and write (API tokens and office clerks
 * alike): an office sees and moves only its own applications, a tax office only the new cars
 * registered in its prefecture, the payment network and attachment sources any.
 */
export function mayAccess(actor: Actor, app: Pick<Application, 'officeCode' | 'procedure'>): Result<true> {
  if (actor.kind === 'inspectionOffice' && actor.officeCode !== app.officeCode) {
    return refuse('otherOffice', '他の事務所等の申請は参照・操作できません。');
  }
  if (actor.kind === 'taxOffice') {
    if (app.procedure !== 'newVehicle') return refuse('actorNotAllowed', '都道府県税事務所は新車〔新規検査・地方税申告〕の申請のみ参照・操作できます。継続検査の申請は扱えません。');
    if (taxOfficeFor(app.officeCode).code !== actor.taxOfficeCode) return refuse('otherOffice', '他の都道府県税事務所の申請は参照・操作できません。');
  }
  return ok(true);
}

export interface AgencyView {
  readonly application: Application;
  readonly notifications: readonly Notification[];
  readonly history: readonly HistoryEntry[];
  /** The instant it was read. */
  readonly now: Date;
}

/**
 * What an agency does to an application, each one service call: the office API token and the
 * office clerk's staff UI go through the same doors.
 */
export function makeAgency(deps: ServiceDeps, act: ActOnApplication, register: RegisterApplication, inquiry: StatusInquiry, paymentGroups: Pick<PaymentGroups, 'openGroupOf'>) {
  async function locate(number: string): Promise<Result<string>> {
    const parsed = parseReceiptNumber(number);
    if (!parsed.ok) return refuse('invalidInput', parsed.refusal.message);
    const id = await applicationRepository(deps.database.db, deps.database.dialect).findIdByNumber(parsed.value);
    return id ? ok(id) : refuse('notFound', APPLICATION_NOT_FOUND_MESSAGE);
  }

  return {
    /** An application by its 受付番号 or 到達番号, with its history, if the actor may see it. */
    async read(actor: Actor, number: string): Promise<Result<AgencyView>> {
      const id = await locate(number);
      if (!id.ok) return id;
      const [snapshot, history] = await Promise.all([inquiry.read(id.value), inquiry.history(id.value)]);
      if (!snapshot) return refuse('notFound', APPLICATION_NOT_FOUND_MESSAGE);
      const scope = mayAccess(actor, snapshot.application);
      if (!scope.ok) return scope;
      return ok({ ...snapshot, history });
    },

    /**
     * An event posted by an agency (API event or a clerk's decision): the number, the scope, the
     * input, the version, the rule and the history, checked and written in one transaction.
     */
    async post(actor: Actor, number: string, input: AgencyEventInput, expectedVersion?: number, audit?: ActOptions['audit'], once?: ActOptions['once']): Promise<AgencyResult<Transition & { readonly now: Date }>> {
      // Which application, and whether it is this actor's, is said before anything about the input.
      const id = await locate(number);
      if (!id.ok) return id;
      const seen = await inquiry.read(id.value);
      if (!seen) return refuse('notFound', APPLICATION_NOT_FOUND_MESSAGE);
      const scope = mayAccess(actor, seen.application);
      if (!scope.ok) return scope;
      const built = toAgencyEvent(input);
      if (!built.ok) return fieldRefusal(built.errors);
      // Lines in a まとめ納付 are paid with the group's number, all together (POST /api/v1/payments).
      if (built.event.type === 'recordPayment') {
        const group = await paymentGroups.openGroupOf(id.value);
        if (group) return refuse('statusDoesNotAllow', groupPaymentMessage(group.paymentNumber));
      }
      // The scope is checked again on the locked row, with the version, the rule and the history.
      const moved = await act(id.value, built.event, actor, { expectedVersion, audit, once, access: (app) => mayAccess(actor, app) });
      return moved.ok ? ok({ ...moved.value, now: deps.clock.now() }) : moved;
    },

    /** 到達 of an application an office files (一括申請の受付): its own office only; the arrival in its history. */
    async register(actor: Actor, input: FilingInput, password: string, once?: TransactionHook<Result<Application>>, contactAddress?: string): Promise<AgencyResult<{ application: Application; history: readonly HistoryEntry[]; now: Date }>> {
      if (actor.kind !== 'inspectionOffice') {
        return refuse('actorNotAllowed', `${actorKindLabels[actor.kind]}のトークンでは申請を登録できません。申請の登録は軽自動車検査協会事務所等のトークンで行ってください。`);
      }
      if (input.officeCode !== actor.officeCode) return refuse('otherOffice', '他の事務所等を申請先とする申請は登録できません。');
      const filing = validateFiling(input);
      const passwordError = checkApplicationPassword(password);
      // 連絡先メールアドレス (issue 15): optional; a bad one refuses the whole registration, nothing stored.
      const contact = validateContactAddress(contactAddress ?? '');
      if (!filing.ok || passwordError || !contact.ok) {
        return fieldRefusal({ ...(filing.ok ? {} : filing.errors), ...(passwordError ? { password: passwordError } : {}), ...(contact.ok ? {} : { contactAddress: contact.refusal.message }) });
      }
      const registered = await register(filing.value, password, actor, { once, contactAddress: contact.value });
      if (!registered.ok) return registered;
      return ok({ application: registered.value, history: await inquiry.history(registered.value.id), now: deps.clock.now() });
    },
  };
}
