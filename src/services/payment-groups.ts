import type { Actor } from '../domain/actors.js';
import type { Application } from '../domain/application.js';
import type { Transition } from '../domain/events.js';
import {
  byCollector,
  cancelPaymentGroup,
  carriesGroupNumber,
  expirePaymentGroup,
  formPaymentGroup,
  memberOnExpiry,
  paymentTargetOf,
  settlePaymentGroup,
  type CollectorTargets,
  type OpenGroupSummary,
  type PaymentGroup,
} from '../domain/payment-groups.js';
import { formatReceiptNumber } from '../domain/receipt-number.js';
import { ok, refuse, type Refusal, type Result } from '../domain/result.js';
import { statusCodes, statuses } from '../domain/statuses.js';
import type { JapanDate } from '../domain/time.js';
import { accountRepository } from '../store/accounts.repository.js';
import { applicationRepository, loadApplication } from '../store/applications.repository.js';
import type { Executor, Tx } from '../store/database.js';
import { paymentGroupRepository } from '../store/payment-groups.repository.js';
import type { Origin } from './accounts.js';
import { actManyWithin, CONFLICT_MESSAGE, NOT_FOUND_MESSAGE, type ActOptions, type BatchEvent } from './application-events.js';
import { transaction, type ServiceDeps, type TransactionHook } from './context.js';

export const GROUP_NOT_FOUND_MESSAGE = '指定されたまとめ納付は見つかりません。';
export const PAYMENT_NUMBER_NOT_FOUND_MESSAGE = '指定された納付番号のまとめ納付は見つかりません。';
const NOT_OWN_MESSAGE = '選択された申請の中に、この利用者IDの申請ではないもの、または見つからないものがあります。';
/** A group holds at most this many applications (one Pay-easy number; a page the user can still read). */
export const MAX_GROUP_MEMBERS = 1000;

const APPLICANT: Actor = { kind: 'applicant' };
const CLOCK: Actor = { kind: 'clock' };

/** Thrown inside a transaction to roll back every application it moved; the refusal is the answer. */
class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

async function rollingBack<T>(work: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof Refused) return { ok: false, refusal: err.refusal };
    throw err;
  }
}

function must(r: Result<Transition>, app: string): Transition {
  if (!r.ok) throw new Refused({ code: r.refusal.code, message: `受付番号 ${app}: ${r.refusal.message}` });
  return r.value;
}

interface MemberMove {
  readonly member: PaymentGroup['members'][number];
  /** As read (and on PostgreSQL locked) in this transaction; undefined when it is gone. */
  readonly application: Application | undefined;
  readonly event: BatchEvent;
  readonly access?: ActOptions['access'];
}

/**
 * Moves the members of a group in the caller's transaction, each by the domain's rule, written
 * together (`actManyWithin`: multi-row statements for the rows, history, mails, webhooks, audit).
 * If one member cannot move, none does: the refusal, named by its 受付番号, rolls back the whole.
 */
async function moveMembers(deps: ServiceDeps, tx: Tx, moves: readonly MemberMove[], actor: Actor, audit?: ActOptions['audit']): Promise<Transition[]> {
  for (const m of moves) if (!m.application) must(refuse('notFound', NOT_FOUND_MESSAGE), formatReceiptNumber(m.member.number));
  const results = await actManyWithin(
    deps,
    tx,
    moves.map((m) => ({ application: m.application!, event: m.event, access: m.access })),
    actor,
    { audit },
  );
  return moves.map((m) => must(results.get(m.member.applicationId)!, formatReceiptNumber(m.member.number)));
}

export interface GroupPage {
  readonly group: PaymentGroup;
  /** The members' applications as they are now (their lines, their status). */
  readonly applications: readonly Application[];
  readonly now: Date;
}

export interface Settlement {
  readonly group: PaymentGroup;
  /** Each settled application's move (納付の完了), in the group's order. */
  readonly transitions: readonly Transition[];
  readonly now: Date;
}

/**
 * まとめ納付 across the applications of a 利用者ID (issue 16, docs/bulk-payment.md): take one number
 * for lines of several applications, cancel it, settle it when the payment network reports it paid,
 * expire it when its 納付期限 passes. Each use case is one transaction that moves every application
 * it concerns by the domain's rule as any event (`actManyWithin`: version check, history, audit), or
 * none of them.
 */
export function makePaymentGroups(deps: ServiceDeps) {
  const groups = (db: Executor) => paymentGroupRepository(db, deps.database.dialect);
  const apps = (db: Executor) => applicationRepository(db, deps.database.dialect);

  const bulkStatuses = statusCodes.filter((s) => statuses[s].bulkPayment);

  /** Ownership is the account's list of applications (issue 16: added with their password or filed while logged in). */
  async function ownsAll(accountId: string, ids: readonly string[]): Promise<boolean> {
    // The ids are distinct (checked by the caller): all are held when as many rows are found.
    return (await accountRepository(deps.database.db).ownedAmong(accountId, ids)) === ids.length;
  }

  return {
    /** 納付対象の選択: every まとめ払い line of the account's applications still without a number, by 収納機関. */
    async selectable(accountId: string): Promise<CollectorTargets[]> {
      const now = deps.clock.now();
      const targets = [];
      for (const id of await groups(deps.database.db).candidates(accountId, bulkStatuses)) {
        const app = await loadApplication(deps.database, id);
        const target = app && paymentTargetOf(app, now);
        if (target) targets.push(target);
      }
      return byCollector(targets);
    },

    /** 納付番号を取得: one number for the selected applications' lines, in one transaction. */
    async create(accountId: string, applicationIds: readonly string[], origin: Origin = { clientAddress: null }): Promise<Result<PaymentGroup>> {
      if (applicationIds.length === 0) return refuse('invalidInput', '納付対象を選択してください。');
      if (applicationIds.length > MAX_GROUP_MEMBERS) return refuse('invalidInput', `一つの納付番号にまとめられる申請は${MAX_GROUP_MEMBERS}件までです。`);
      if (new Set(applicationIds).size !== applicationIds.length) return refuse('invalidInput', '同じ申請が重複して選択されています。');
      // Ownership is proven before anything is read: another account's application is "not found".
      if (!(await ownsAll(accountId, applicationIds))) return refuse('notFound', NOT_OWN_MESSAGE);
      return rollingBack(() =>
        transaction(deps, async (tx) => {
          const now = deps.clock.now();
          const targets = [];
          const loaded = await apps(tx).loadManyForUpdate(applicationIds);
          for (const id of applicationIds) {
            const app = loaded.get(id);
            if (!app) throw new Refused({ code: 'notFound', message: NOT_OWN_MESSAGE });
            const target = paymentTargetOf(app, now);
            if (!target) {
              throw new Refused({
                code: 'statusDoesNotAllow',
                message: `受付番号 ${formatReceiptNumber(app.receiptNumber ?? app.arrivalNumber)} の申請は、まとめ納付の納付対象ではありません（現在の申請状況「${statuses[app.status].label}」）。画面を更新して、もう一度選択してください。`,
              });
            }
            targets.push(target);
          }
          const formed = formPaymentGroup(targets, {
            id: deps.ids.id(),
            accountId,
            paymentNumber: deps.ids.paymentNumber(),
            confirmationNumber: deps.ids.confirmationNumber(),
            at: now,
          });
          if (!formed.ok) return formed;
          const group = formed.value;
          await groups(tx).insert(group);
          // The account's own log (利用者情報) has one line per number; each application's history has its own.
          await accountRepository(tx).appendLog(deps.ids.id(), accountId, 'bulkPaymentNumberTaken', now, null, origin.clientAddress);
          // Each member through the domain's rule, written together (actManyWithin).
          const event = { type: 'joinPaymentGroup', groupId: group.id, paymentNumber: group.paymentNumber, confirmationNumber: group.confirmationNumber } as const;
          await moveMembers(deps, tx, group.members.map((member) => ({ member, application: loaded.get(member.applicationId), event })), APPLICANT);
          return ok(group);
        }),
      );
    },

    /** The account's groups, newest first. */
    list(accountId: string, limit = 50): Promise<PaymentGroup[]> {
      return groups(deps.database.db).listForAccount(accountId, limit);
    },

    /** One group of the account, with its members' applications as they are now. */
    async read(accountId: string, groupId: string): Promise<Result<GroupPage>> {
      const group = await groups(deps.database.db).load(groupId);
      if (!group || group.accountId !== accountId) return refuse('notFound', GROUP_NOT_FOUND_MESSAGE);
      const applications: Application[] = [];
      for (const m of group.members) {
        const app = await loadApplication(deps.database, m.applicationId);
        if (app) applications.push(app);
      }
      return ok({ group, applications, now: deps.clock.now() });
    },

    /** キャンセル before payment: the number becomes invalid, every member's lines are まとめ払い中 again. */
    async cancel(accountId: string, groupId: string, origin: Origin = { clientAddress: null }): Promise<Result<PaymentGroup>> {
      return rollingBack(() =>
        transaction(deps, async (tx) => {
          const group = await groups(tx).loadForUpdate(groupId);
          if (!group || group.accountId !== accountId) return refuse('notFound', GROUP_NOT_FOUND_MESSAGE);
          const cancelled = cancelPaymentGroup(group, deps.clock.now());
          if (!cancelled.ok) return cancelled;
          if (!(await groups(tx).close(cancelled.value, 'open'))) return refuse('versionConflict', CONFLICT_MESSAGE);
          await accountRepository(tx).appendLog(deps.ids.id(), accountId, 'bulkPaymentCancelled', deps.clock.now(), null, origin.clientAddress);
          const ids = group.members.map((m) => m.applicationId);
          const members = await apps(tx).loadManyForUpdate(ids);
          const event = { type: 'leavePaymentGroup', groupId: group.id, cause: 'cancelled' } as const;
          await moveMembers(deps, tx, group.members.map((member) => ({ member, application: members.get(member.applicationId), event })), APPLICANT);
          return ok(cancelled.value);
        }),
      );
    },

    /**
     * The payment network reports the group's number paid: every member's lines are 済 with the
     * 納付完了日 and each application moves on, in one transaction; if one cannot take the payment,
     * none does (409, the reason named by 受付番号).
     */
    async settle(
      actor: Actor,
      paymentNumber: string,
      paidOn: JapanDate,
      options: { audit?: ActOptions['audit']; once?: TransactionHook<Result<Settlement>> | undefined } = {},
    ): Promise<Result<Settlement>> {
      if (actor.kind !== 'paymentNetwork') return refuse('actorNotAllowed', '納付の報告は収納機関（Pay-easy）のトークンで行ってください。');
      return rollingBack(() =>
        transaction(
          deps,
          async (tx) => {
            const group = await groups(tx).loadByPaymentNumberForUpdate(paymentNumber);
            if (!group) return refuse('notFound', PAYMENT_NUMBER_NOT_FOUND_MESSAGE);
            const now = deps.clock.now();
            const settled = settlePaymentGroup(group, paidOn, now);
            if (!settled.ok) return settled;
            if (!(await groups(tx).close(settled.value, group.status))) return refuse('versionConflict', CONFLICT_MESSAGE);
            const members = await apps(tx).loadManyForUpdate(group.members.map((m) => m.applicationId));
            const access = (app: Application): Result<true> => (carriesGroupNumber(app, group) ? ok(true) : refuse('statusDoesNotAllow', 'この申請の税・手数料は、この納付番号に含まれていません。'));
            const event = { type: 'recordPayment', stage: group.collector.stage, paidOn } as const;
            const moves = group.members
              .map((member) => ({ member, application: members.get(member.applicationId), event, access }))
              // An expired group's late report (decision 0010): members released at its expiry are not in it any more.
              .filter((m) => group.status !== 'expired' || (m.application !== undefined && carriesGroupNumber(m.application, group)));
            const transitions = await moveMembers(deps, tx, moves, actor, options.audit);
            return ok({ group: settled.value, transitions, now });
          },
          options.once,
        ),
      );
    },

    /**
     * 納付期限切れ of groups (run by the deadline sweep before it expires applications): the number
     * becomes invalid; members whose own 納付期限 is later get their lines back, the others are left
     * to the sweep (無効). Returns how many groups expired.
     */
    async expireOverdue(limit = 100): Promise<number> {
      let expired = 0;
      for (;;) {
        const ids = await groups(deps.database.db).overdue(deps.clock.now(), limit);
        let moved = 0;
        for (const id of ids) {
          const r = await rollingBack(() =>
            transaction(deps, async (tx) => {
              const group = await groups(tx).loadForUpdate(id);
              if (!group) return refuse('notFound', GROUP_NOT_FOUND_MESSAGE);
              const now = deps.clock.now();
              const closed = expirePaymentGroup(group, now);
              if (!closed.ok) return closed;
              if (!(await groups(tx).close(closed.value, 'open'))) return refuse('versionConflict', CONFLICT_MESSAGE);
              const ids = group.members.map((m) => m.applicationId);
              const members = await apps(tx).loadManyForUpdate(ids);
              const event = { type: 'leavePaymentGroup', groupId: group.id, cause: 'expired' } as const;
              const released = group.members
                .map((member) => ({ member, application: members.get(member.applicationId), event }))
                .filter((m) => m.application !== undefined && carriesGroupNumber(m.application, group) && memberOnExpiry(m.application, now) === 'release');
              await moveMembers(deps, tx, released, CLOCK);
              return ok(true);
            }),
          );
          if (r.ok) moved += 1;
          // Another sweeper may have expired it (or the payment arrived) in the meantime.
          else if (r.refusal.code !== 'statusDoesNotAllow' && r.refusal.code !== 'alreadyDone') deps.logger.warn({ groupId: id, refusal: r.refusal }, 'payment group expiry: not expired');
        }
        expired += moved;
        if (moved === 0 || ids.length < limit) return expired;
      }
    },

    /** The open group holding the application's lines, if any (a single payment report for it is refused). */
    openGroupOf(applicationId: string): Promise<OpenGroupSummary | null> {
      return groups(deps.database.db).openGroupOf(applicationId);
    },
  };
}

export type PaymentGroups = ReturnType<typeof makePaymentGroups>;
