import { accountRepository } from '../store/accounts.repository.js';
import type { Actor } from '../domain/actors.js';
import { displayNumber, type Application } from '../domain/application.js';
import { applyEvent, type ApplicationEvent, type Transition } from '../domain/events.js';
import { fileApplication, type ValidFiling } from '../domain/filing.js';
import { composeReceiptNumber, type ReceiptNumber } from '../domain/receipt-number.js';
import { ok, refuse, type Result } from '../domain/result.js';
import { japanDateOf } from '../domain/time.js';
import { applicationRepository, type StoredPassword } from '../store/applications.repository.js';
import type { Executor, Tx } from '../store/database.js';
import { historyRepository, type HistoryRow } from '../store/history.repository.js';
import { vehiclesRepository } from '../store/vehicles.repository.js';
import { formatVehicleNumber, vehicleNumberToString } from '../domain/vehicle.js';
import { transaction, type ServiceDeps, type TransactionHook } from './context.js';
import { appendAudit, appendAudits, type AuditNote } from './audit.js';
import { enqueueWebhooks, enqueueWebhooksMany } from './webhooks.js';
import { notifyApplicant, notifyApplicants, setContactAddress } from './mail-notify.js';

export const CONFLICT_MESSAGE = 'この申請は他の操作により更新されました。最新の状態を確認してから、もう一度操作してください。';
export const NOT_FOUND_MESSAGE = '指定された申請は見つかりません。';
export const vehicleNumberTakenMessage = (plate: string) =>
  `車両番号「${formatVehicleNumber(plate)}」は、既に他の申請の車両番号です。払い出した車両番号を確認し、別の車両番号を指定してください。`;

/** An event as callers post it: the service issues the 受付番号 of an acceptance itself. */
export type ActEvent = Exclude<ApplicationEvent, { type: 'accept' }> | { readonly type: 'accept'; readonly receiptNumber?: ReceiptNumber | undefined };

export interface ActOptions {
  /** The version the caller last saw; a different current version is a conflict (409). */
  readonly expectedVersion?: number | undefined;
  /** Who acted, from where: appended to the audit trail in the same transaction (issue 19). */
  readonly audit?: Omit<AuditNote, 'applicationId' | 'receiptNumber'> | undefined;
  /** Runs inside the use case's transaction (an Idempotency-Key or a form token: its answer is stored with the write). */
  readonly once?: TransactionHook<Result<Transition>> | undefined;
  /** Whether the actor may act on this application at all (the office scope), checked on the locked row. */
  readonly access?: ((app: Application) => Result<true>) | undefined;
}

/** A fresh 受付番号/到達番号 that no application uses yet. */
async function newNumber(deps: ServiceDeps, db: Executor, kind: 'arrival' | 'receipt'): Promise<ReceiptNumber> {
  const repo = applicationRepository(db, deps.database.dialect);
  for (let attempt = 0; attempt < 20; attempt++) {
    const number = composeReceiptNumber(japanDateOf(deps.clock.now()), kind, deps.ids.digits(9));
    if ((await repo.findIdByNumber(number)) === null) return number;
  }
  throw new Error('could not find a free receipt number');
}

/**
 * THE move of one application by one event, inside a transaction the caller holds: load (locked
 * on PostgreSQL), check the office scope and the version, apply the domain rule, write the new
 * state with a version check, append the history, queue the mail it causes and the audit note. A
 * refusal or a conflict writes nothing. Every single move goes through here — an office's decision,
 * the payment network, the applicant (`actOnApplication`, one transaction each); the moves of many
 * applications at once (a まとめ納付, the deadline sweep) go through `actManyWithin`, which applies
 * the same rule and writes the same rows in multi-row statements.
 */
export async function actWithin(
  deps: ServiceDeps,
  tx: Tx,
  applicationId: string,
  event: ApplicationEvent,
  actor: Actor,
  options: Omit<ActOptions, 'once'> & {
    readonly loaded?: Application | undefined;
  } = {},
): Promise<Result<Transition>> {
  const repo = applicationRepository(tx, deps.database.dialect);
  // `loaded`: the caller read (and on PostgreSQL locked) it in this same transaction already.
  const app = options.loaded?.id === applicationId ? options.loaded : await repo.loadForUpdate(applicationId);
  if (!app) return refuse('notFound', NOT_FOUND_MESSAGE);
  const scope = options.access?.(app);
  if (scope && !scope.ok) return scope;
  if (options.expectedVersion !== undefined && options.expectedVersion !== app.version) return refuse('versionConflict', CONFLICT_MESSAGE);
  const now = deps.clock.now();
  const transition = applyEvent(app, event, actor, { at: now, ids: deps.ids });
  if (!transition.ok) return transition;
  // A 車両番号 is issued once: a 新車 may not be given one another application already holds.
  if (event.type === 'completeExamination' && event.vehicleNumber && app.procedure === 'newVehicle') {
    const plate = vehicleNumberToString(event.vehicleNumber);
    if (await vehiclesRepository(tx).otherHolderOfVehicleNumber(plate, app.id)) return refuse('vehicleNumberTaken', vehicleNumberTakenMessage(plate));
  }
  const saved = await repo.save(app, transition.value.application, now);
  if (!saved) return refuse('versionConflict', CONFLICT_MESSAGE);
  const history: HistoryRow = { applicationId: app.id, seq: transition.value.application.version, draft: transition.value.history, id: deps.ids.id() };
  await historyRepository(tx, deps.database.dialect).appendMany([history]);
  // The mail this change causes (issue 15), in the same transaction: sent if and only if the change commits.
  await notifyApplicant(deps, tx, app, transition.value);
  // The webhooks of the 利用者IDs holding it (issue 17), from the same transaction.
  await enqueueWebhooks(deps, tx, transition.value.application, transition.value.application.version, transition.value.history);
  if (options.audit) await appendAudit(deps, tx, { ...options.audit, applicationId: app.id, receiptNumber: displayNumber(transition.value.application) });
  return transition;
}

/** An event `actManyWithin` can apply: one that needs no read beyond the application itself. */
export type BatchEvent = Exclude<ApplicationEvent, { readonly type: 'completeExamination' }>;

/**
 * `actWithin` for many applications at once, inside the caller's transaction (the deadline
 * sweep's batch, the members of a まとめ納付): the applications are already loaded (and on
 * PostgreSQL locked) by the caller; each move's `access` (whether the actor may act on it) is
 * checked as `actWithin` checks it;
 * the domain decides each move in memory (`applyEvent`, the same rule as `actWithin`), then the
 * batch is written in multi-row statements: the new states with each one's version check
 * (`saveMany`: an application changed meanwhile is refused with a conflict and nothing of it is
 * written), the history rows, the mails (`notifyApplicants`) and the webhooks
 * (`enqueueWebhooksMany`) of the moves written, and the audit line of each when `options.audit`
 * says who acted. What follows every move must be added here as in
 * `actWithin` (test/services/deadline-sweep-bulk.test.ts compares the rows of both). The caller
 * holds the transaction: one application's rows are all written or none (a failure of a statement
 * throws, and the caller undoes the batch).
 */
export async function actManyWithin(
  deps: ServiceDeps,
  tx: Tx,
  moves: readonly { readonly application: Application; readonly event: BatchEvent; readonly access?: ActOptions['access'] }[],
  actor: Actor,
  options: Pick<ActOptions, 'audit'> = {},
): Promise<Map<string, Result<Transition>>> {
  const results = new Map<string, Result<Transition>>();
  const now = deps.clock.now();
  const decided: { before: Application; transition: Transition }[] = [];
  for (const { application, event, access } of moves) {
    const scope = access?.(application);
    const transition = scope && !scope.ok ? scope : applyEvent(application, event, actor, { at: now, ids: deps.ids });
    results.set(application.id, transition);
    if (transition.ok) decided.push({ before: application, transition: transition.value });
  }
  if (decided.length === 0) return results;
  const saved = await applicationRepository(tx, deps.database.dialect).saveMany(
    decided.map((d) => ({ previous: d.before, next: d.transition.application })),
    now,
  );
  const written = decided.filter((d) => {
    if (saved.has(d.before.id)) return true;
    results.set(d.before.id, refuse('versionConflict', CONFLICT_MESSAGE));
    return false;
  });
  await historyRepository(tx, deps.database.dialect).appendMany(
    written.map((d) => ({ applicationId: d.before.id, seq: d.transition.application.version, draft: d.transition.history, id: deps.ids.id() })),
  );
  await notifyApplicants(deps, tx, written);
  await enqueueWebhooksMany(
    deps,
    tx,
    written.map((d) => ({ app: d.transition.application, seq: d.transition.application.version, history: d.transition.history })),
  );
  const audit = options.audit;
  if (audit) await appendAudits(deps, tx, written.map((d) => ({ ...audit, applicationId: d.before.id, receiptNumber: displayNumber(d.transition.application) })));
  return results;
}

/**
 * Moves an application by an event, in one transaction (`actWithin`). A refusal or a conflict
 * writes nothing.
 */
export function makeActOnApplication(deps: ServiceDeps) {
  return async function actOnApplication(applicationId: string, event: ActEvent, actor: Actor, options: ActOptions = {}): Promise<Result<Transition>> {
    // Numbers are drawn before the transaction: a 受付番号 must be unique, and looking one up is a read.
    const prepared: ApplicationEvent =
      event.type === 'accept' ? { type: 'accept', receiptNumber: event.receiptNumber ?? (await newNumber(deps, deps.database.db, 'receipt')) } : event;
    return transaction(deps, (tx) => actWithin(deps, tx, applicationId, prepared, actor, options), options.once);
  };
}

export type ActOnApplication = ReturnType<typeof makeActOnApplication>;

export interface RegisterOptions {
  /** 連絡先メールアドレス, already validated (validateContactAddress): stored unconfirmed, its confirmation mail queued. */
  readonly contactAddress?: string | null | undefined;
  /** 申請を行う while logged in with a 利用者ID: the application joins its list. */
  readonly accountId?: string | null | undefined;
  readonly clientAddress?: string | null | undefined;
}

/**
 * 到達 inside a transaction the caller holds: the application (its password already hashed, or
 * encrypted for the background hasher: decision 0017; its
 * 到達番号 drawn here unless given), its arrival in the history, its mail, the 利用者ID's list and log,
 * the webhooks. One filing of 申請を行う, or one row of a bulk filing (in a savepoint of its batch).
 */
export async function registerWithin(
  deps: ServiceDeps,
  tx: Tx,
  filing: ValidFiling,
  password: StoredPassword,
  actor: Actor,
  options: RegisterOptions & {
    readonly arrivalNumber?: ReceiptNumber | undefined;
    /** False: the caller writes the account log's line (a bulk filing, one insert per batch). */
    readonly logFiled?: boolean | undefined;
  } = {},
): Promise<Application> {
  const arrivalNumber = options.arrivalNumber ?? (await newNumber(deps, tx, 'arrival'));
  const now = deps.clock.now();
  const { application, history } = fileApplication(filing, arrivalNumber, actor, { at: now, ids: deps.ids });
  await applicationRepository(tx, deps.database.dialect).insert(application, password, now);
  await historyRepository(tx, deps.database.dialect).append(application.id, application.version, history, deps.ids.id());
  if (options.contactAddress) await setContactAddress(deps, tx, application, options.contactAddress);
  await notifyApplicant(deps, tx, null, { application, history });
  if (options.accountId) {
    const accounts = accountRepository(tx);
    await accounts.addApplication(options.accountId, application.id, now);
    if (options.logFiled !== false) await accounts.appendLog(deps.ids.id(), options.accountId, 'applicationFiled', now, application.arrivalNumber, options.clientAddress ?? null);
  }
  // After it joined the account's list: the webhooks of that 利用者ID (issue 17).
  await enqueueWebhooks(deps, tx, application, application.version, history);
  return application;
}

/** 到達: files a validated application, issues its 到達番号 and records the arrival in its history. */
export function makeRegisterApplication(deps: ServiceDeps) {
  return async function registerApplication(
    filing: ValidFiling,
    password: string,
    actor: Actor,
    options: RegisterOptions & { arrivalNumber?: ReceiptNumber; once?: TransactionHook<Result<Application>> | undefined } = {},
  ): Promise<Result<Application>> {
    const passwordHash = await deps.passwords.hash(password);
    const arrivalNumber = options.arrivalNumber ?? (await newNumber(deps, deps.database.db, 'arrival'));
    return transaction(deps, async (tx) => ok(await registerWithin(deps, tx, filing, { hash: passwordHash }, actor, { ...options, arrivalNumber })), options.once);
  };
}

export type RegisterApplication = ReturnType<typeof makeRegisterApplication>;

/** Resolves a 受付番号 or 到達番号 to the application's id. */
export function makeFindApplicationId(deps: ServiceDeps) {
  return (number: ReceiptNumber) => applicationRepository(deps.database.db, deps.database.dialect).findIdByNumber(number);
}
