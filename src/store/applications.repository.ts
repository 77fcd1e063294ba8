import type SQLite from 'better-sqlite3';
import { CompiledQuery, type ExpressionBuilder, type Selectable } from 'kysely';
import type { Application, Attachment, Notice, PaymentLine, PaymentStatus, WeightTaxBand, NoticeKind } from '../domain/application.js';
import { deadlineInstant } from '../domain/rules.js';
import { taxOfficeFor, type OfficeCode } from '../domain/offices.js';
import type { AttachmentKind, AttachmentState, ProcedureCode } from '../domain/procedures.js';
import type { ReceiptNumber } from '../domain/receipt-number.js';
import type { PaymentStage, StatusCode } from '../domain/statuses.js';
import type { JapanDate } from '../domain/time.js';
import { LISTED_APPLICATION_COLUMNS, accountListing, oweListBumps, updateAccountListing } from './accounts.repository.js';
import { updateFromValues } from './bulk-update.js';
import type { DatabaseHandle, Executor } from './database.js';
import type { ApplicationsTable, AttachmentsTable, Database, NoticesTable, PaymentLinesTable } from './schema.js';

type AppRow = Selectable<ApplicationsTable>;

/** The integer columns of the tables `saveMany` updates (PostgreSQL types a VALUES list's parameters as text otherwise). */
const INTEGER_COLUMNS: ReadonlySet<string> = new Set(['owner_same_as_user', 'acquisition_price', 'environmental_tax_rate', 'agent_usable', 'collection_code_serial', 'version', 'list_rank']);

/** Rows per multi-row statement of `saveMany`'s parts (well under both databases' parameter limits). */
function* chunks<T>(all: readonly T[], size = 500): Generator<T[]> {
  for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
}

const iso = (d: Date) => d.toISOString();

/**
 * How an application's 申請用パスワード is stored: its argon2id hash, or (decision 0017, a bulk filing)
 * encrypted until the background hasher writes the hash; `pending` is given the application's id.
 */
export type StoredPassword = { readonly hash: string } | { readonly pending: (applicationId: string) => string };

/** A due application as the sweep claims it: what its expiry needs (`DueApplication`) and what its mail names (`MailNaming`). */
export interface ClaimedDue {
  readonly id: string;
  readonly status: StatusCode;
  readonly version: number;
  readonly deadlineAt: Date;
  readonly procedure: ProcedureCode;
  readonly arrivalNumber: ReceiptNumber;
  readonly receiptNumber: ReceiptNumber | null;
}

function claimedDue(r: Pick<AppRow, 'id' | 'status' | 'version' | 'deadline_at' | 'procedure' | 'arrival_number' | 'receipt_number'>): ClaimedDue {
  return {
    id: r.id,
    status: r.status as StatusCode,
    version: r.version,
    deadlineAt: new Date(r.deadline_at!),
    procedure: r.procedure as ProcedureCode,
    arrivalNumber: r.arrival_number as ReceiptNumber,
    receiptNumber: r.receipt_number as ReceiptNumber | null,
  };
}

function toRow(app: Application, passwordHash: string, now: Date, passwordPending: string | null = null): ApplicationsTable {
  const deadline = deadlineInstant(app);
  return {
    id: app.id,
    procedure: app.procedure,
    arrival_number: app.arrivalNumber,
    receipt_number: app.receiptNumber,
    status: app.status,
    status_changed_at: iso(app.statusChangedAt),
    filed_at: iso(app.filedAt),
    office_code: app.officeCode,
    tax_office_code: taxOfficeFor(app.officeCode).code,
    applicant_name: app.applicant.name,
    applicant_address: app.applicant.address,
    user_name: app.user.name,
    user_name_high: app.user.nameHigh,
    user_address: app.user.address,
    owner_same_as_user: app.owner === null ? 1 : 0,
    owner_name: app.owner?.name ?? null,
    owner_name_high: app.owner?.nameHigh ?? null,
    owner_address: app.owner?.address ?? null,
    vehicle_number: app.vehicle.vehicleNumber,
    chassis_number: app.vehicle.chassisNumber,
    vehicle_model: app.vehicle.model,
    weight_tax_band: app.vehicle.weightTaxBand,
    acquisition_price: app.vehicle.acquisitionPrice,
    environmental_tax_rate: app.vehicle.environmentalTaxRate,
    agent_commission_number: app.recordingAgent?.commissionNumber ?? null,
    agent_name: app.recordingAgent?.name ?? null,
    agent_usable: app.recordingAgent ? (app.recordingAgent.usable ? 1 : 0) : null,
    partial_document_examination: app.partialDocumentExamination,
    examination_completed_on: app.examinationCompletedOn,
    correction_deadline: app.correctionDeadline,
    deadline_at: deadline ? iso(deadline) : null,
    collection_code_serial: app.collectionCodeSerial,
    password_hash: passwordHash,
    password_pending: passwordPending,
    password_claimed_until: null,
    version: app.version,
    created_at: iso(now),
    updated_at: iso(now),
  };
}

function attachmentRows(app: Application): AttachmentsTable[] {
  return app.attachments.map((a, position) => ({ application_id: app.id, kind: a.kind, state: a.state, position }));
}

function paymentRows(app: Application): PaymentLinesTable[] {
  return app.paymentLines.map((l, position) => ({
    id: l.id,
    application_id: app.id,
    position,
    stage: l.stage,
    fee_kind: l.feeKind,
    fee_class: l.feeClass,
    amount: l.amount,
    payee_name: l.payeeName,
    payee_kana: l.payeeKana,
    collector_number: l.collectorNumber,
    payment_number: l.paymentNumber,
    confirmation_number: l.confirmationNumber,
    payment_category: l.paymentCategory,
    status: l.status,
    paid_on: l.paidOn,
    due_on: l.dueOn,
  }));
}

function noticeRows(app: Application): NoticesTable[] {
  return app.notices.map((n) => ({
    id: n.id,
    application_id: app.id,
    kind: n.kind,
    agency_name: n.agencyName,
    deadline: n.deadline,
    reason_title: n.reasonTitle,
    reason_detail: n.reasonDetail,
    issued_at: iso(n.issuedAt),
    resolved_at: n.resolvedAt ? iso(n.resolvedAt) : null,
  }));
}

export function fromRows(
  row: AppRow,
  attachments: Selectable<AttachmentsTable>[],
  lines: Selectable<PaymentLinesTable>[],
  notices: Selectable<NoticesTable>[],
): Application {
  return {
    id: row.id,
    procedure: row.procedure as ProcedureCode,
    arrivalNumber: row.arrival_number as ReceiptNumber,
    receiptNumber: row.receipt_number as ReceiptNumber | null,
    status: row.status as StatusCode,
    statusChangedAt: new Date(row.status_changed_at),
    filedAt: new Date(row.filed_at),
    officeCode: row.office_code as OfficeCode,
    applicant: { name: row.applicant_name, nameHigh: null, address: row.applicant_address },
    user: { name: row.user_name, nameHigh: row.user_name_high, address: row.user_address },
    owner: row.owner_same_as_user ? null : { name: row.owner_name ?? '', nameHigh: row.owner_name_high, address: row.owner_address ?? '' },
    vehicle: {
      vehicleNumber: row.vehicle_number,
      chassisNumber: row.chassis_number,
      model: row.vehicle_model,
      weightTaxBand: row.weight_tax_band as WeightTaxBand,
      acquisitionPrice: row.acquisition_price,
      environmentalTaxRate: row.environmental_tax_rate,
    },
    recordingAgent:
      row.agent_commission_number !== null
        ? { commissionNumber: row.agent_commission_number, name: row.agent_name ?? '', usable: row.agent_usable === 1 }
        : null,
    partialDocumentExamination: row.partial_document_examination,
    examinationCompletedOn: row.examination_completed_on as JapanDate | null,
    attachments: [...attachments]
      .sort((a, b) => a.position - b.position)
      .map((a): Attachment => ({ kind: a.kind as AttachmentKind, state: a.state as AttachmentState })),
    paymentLines: [...lines]
      .sort((a, b) => a.position - b.position)
      .map(
        (l): PaymentLine => ({
          id: l.id,
          stage: l.stage as PaymentStage,
          feeKind: l.fee_kind,
          feeClass: l.fee_class,
          amount: l.amount,
          payeeName: l.payee_name,
          payeeKana: l.payee_kana,
          collectorNumber: l.collector_number,
          paymentNumber: l.payment_number,
          confirmationNumber: l.confirmation_number,
          paymentCategory: l.payment_category,
          status: l.status as PaymentStatus,
          paidOn: l.paid_on as JapanDate | null,
          dueOn: l.due_on as JapanDate,
        }),
      ),
    notices: [...notices]
      .sort((a, b) => (a.issued_at < b.issued_at ? -1 : a.issued_at > b.issued_at ? 1 : 0))
      .map(
        (n): Notice => ({
          id: n.id,
          kind: n.kind as NoticeKind,
          agencyName: n.agency_name,
          deadline: n.deadline as JapanDate | null,
          reasonTitle: n.reason_title,
          reasonDetail: n.reason_detail,
          issuedAt: new Date(n.issued_at),
          resolvedAt: n.resolved_at ? new Date(n.resolved_at) : null,
        }),
      ),
    correctionDeadline: row.correction_deadline as JapanDate | null,
    collectionCodeSerial: row.collection_code_serial,
    version: row.version,
  };
}

/** The queries that read one application and its parts: only the id changes between calls. */
interface ReadQueries {
  readonly app: CompiledQuery<AppRow>;
  /** `app`, locking the row until commit on PostgreSQL (SQLite has one writer). */
  readonly appForUpdate: CompiledQuery<AppRow>;
  readonly attachments: CompiledQuery<Selectable<AttachmentsTable>>;
  readonly lines: CompiledQuery<Selectable<PaymentLinesTable>>;
  readonly notices: CompiledQuery<Selectable<NoticesTable>>;
}

/** Compiled once per dialect (the SQL does not depend on the connection or its schema). */
const compiledReads = new Map<'sqlite' | 'postgres', ReadQueries>();

function readQueries(db: Executor, dialect: 'sqlite' | 'postgres'): ReadQueries {
  let q = compiledReads.get(dialect);
  if (!q) {
    const app = db.selectFrom('applications').selectAll().where('id', '=', '');
    q = {
      app: app.compile(),
      appForUpdate: (dialect === 'postgres' ? app.forUpdate() : app).compile(),
      attachments: db.selectFrom('attachments').selectAll().where('application_id', '=', '').compile(),
      lines: db.selectFrom('payment_lines').selectAll().where('application_id', '=', '').compile(),
      notices: db.selectFrom('notices').selectAll().where('application_id', '=', '').compile(),
    };
    compiledReads.set(dialect, q);
  }
  return q;
}

async function rowsById<R>(db: Executor, query: CompiledQuery<R>, id: string): Promise<R[]> {
  return (await db.executeQuery<R>({ ...query, parameters: [id] })).rows;
}

function readParts(db: Executor, q: ReadQueries, id: string) {
  return Promise.all([rowsById(db, q.attachments, id), rowsById(db, q.lines, id), rowsById(db, q.notices, id)]);
}

/** The read path's statements (the same SQL as `readQueries`), prepared once per SQLite connection. */
const preparedReads = new WeakMap<SQLite.Database, { app: SQLite.Statement; attachments: SQLite.Statement; lines: SQLite.Statement; notices: SQLite.Statement }>();

/**
 * One application with its parts, for the screens that only read it (the status page, the agency
 * API's read): the same rows as `applicationRepository(…).load`, without building and compiling the
 * queries at every call. SQLite: four statements prepared once per connection, run while holding
 * Kysely's connection, so never in the middle of another request's transaction; PostgreSQL: queries
 * compiled once, run in parallel on the pool. Call it outside a transaction (inside, use `load`).
 */
export async function loadApplication(handle: Pick<DatabaseHandle, 'db' | 'dialect' | 'sqlite'>, id: string): Promise<Application | null> {
  const sqlite = handle.sqlite;
  if (sqlite) {
    let s = preparedReads.get(sqlite);
    if (!s) {
      const q = readQueries(handle.db, 'sqlite');
      s = { app: sqlite.prepare(q.app.sql), attachments: sqlite.prepare(q.attachments.sql), lines: sqlite.prepare(q.lines.sql), notices: sqlite.prepare(q.notices.sql) };
      preparedReads.set(sqlite, s);
    }
    const statements = s;
    return handle.db.connection().execute(async () => {
      const row = statements.app.get(id) as AppRow | undefined;
      if (!row) return null;
      return fromRows(
        row,
        statements.attachments.all(id) as Selectable<AttachmentsTable>[],
        statements.lines.all(id) as Selectable<PaymentLinesTable>[],
        statements.notices.all(id) as Selectable<NoticesTable>[],
      );
    });
  }
  const q = readQueries(handle.db, handle.dialect);
  const [[row], parts] = await Promise.all([rowsById(handle.db, q.app, id), readParts(handle.db, q, id)]);
  return row ? fromRows(row, ...parts) : null;
}

/**
 * What the status page's rendered parts depend on in the database, read in one statement: the
 * application's version (every change bumps it, and its history is appended with it) and the
 * お知らせ addressed to it (written without a version bump), as their count and latest time.
 * Null when no such application exists.
 */
export interface ApplicationStamp {
  readonly version: number;
  readonly notifications: string;
  /** Whether the application is in a 利用者ID's list (it changes what the page offers, without a version bump). */
  readonly heldByAccount: boolean;
  /** The 連絡先メールアドレス section of the page (it changes without a version bump: shown per view, never kept). */
  readonly mail: StampedMailPanel;
}

/** The applicant's 連絡先メールアドレス as the status page shows it, and whether the latest mail about the application failed. */
export interface StampedMailPanel {
  readonly address: string | null;
  readonly confirmed: boolean;
  readonly unsubscribed: boolean;
  readonly lastFailed: boolean;
}

/**
 * One statement for everything a view of a kept status page reads besides the session (issue 18):
 * the version and お知らせ (the kept page's key), the 利用者ID link, and the mail section, which
 * were three more statements through the query builder (three round trips on PostgreSQL).
 */
/** The stamp's columns, of `applications a` left-joined with `contact_addresses c` (also read with the session: sessions.repository.ts). */
export const STAMP_COLUMNS =
  'a.version as version, (select count(*) from notifications n where n.application_id = a.id) as notifications, (select max(n.published_at) from notifications n where n.application_id = a.id) as latest, (select count(*) from account_applications aa where aa.application_id = a.id) as held, c.address as mail_address, c.confirmed_at as mail_confirmed_at, c.unsubscribed_at as mail_unsubscribed_at, (select m.state from mail_outbox m where m.application_id = a.id order by m.seq desc limit 1) as mail_state';
export const STAMP_JOIN = 'left join contact_addresses c on c.application_id = a.id';
const STAMP_SELECT = `select ${STAMP_COLUMNS} from applications a ${STAMP_JOIN} where a.id = `;
const STAMP_SQL = { sqlite: `${STAMP_SELECT}?`, postgres: `${STAMP_SELECT}$1` } as const;

export interface StampRow {
  version: number;
  notifications: number | string;
  latest: string | null;
  held: number | string;
  mail_address: string | null;
  mail_confirmed_at: string | null;
  mail_unsubscribed_at: string | null;
  mail_state: string | null;
}

const preparedStamps = new WeakMap<SQLite.Database, SQLite.Statement>();

export async function applicationStamp(handle: Pick<DatabaseHandle, 'db' | 'dialect' | 'sqlite'> & Partial<Pick<DatabaseHandle, 'pool'>>, id: string): Promise<ApplicationStamp | null> {
  const sqlite = handle.sqlite;
  let row: StampRow | undefined;
  if (sqlite) {
    let statement = preparedStamps.get(sqlite);
    if (!statement) {
      statement = sqlite.prepare(STAMP_SQL.sqlite);
      preparedStamps.set(sqlite, statement);
    }
    const prepared = statement;
    row = await handle.db.connection().execute(async () => prepared.get(id) as StampRow | undefined);
  } else if (handle.pool) {
    // A named statement: each pooled connection parses and plans it once, then only binds and runs it.
    row = (await handle.pool.query<StampRow>({ name: 'kei_application_stamp', text: STAMP_SQL.postgres, values: [id] })).rows[0];
  } else {
    row = (await handle.db.executeQuery(CompiledQuery.raw(STAMP_SQL.postgres, [id]) as CompiledQuery<StampRow>)).rows[0];
  }
  return row ? stampOfRow(row) : null;
}

/** The stamp of a row of STAMP_COLUMNS. */
export function stampOfRow(row: StampRow): ApplicationStamp {
  return {
    version: Number(row.version),
    notifications: `${row.notifications}/${row.latest ?? ''}`,
    heldByAccount: Number(row.held) > 0,
    mail: { address: row.mail_address, confirmed: row.mail_confirmed_at !== null, unsubscribed: row.mail_unsubscribed_at !== null, lastFailed: row.mail_state === 'failed' },
  };
}

export interface LoginRecord {
  readonly id: string;
  readonly procedure: ProcedureCode;
  /** '' while the password is pending (decision 0017). */
  readonly passwordHash: string;
  /** The password encrypted, until the background hasher (or this login) writes its hash; else null. */
  readonly passwordPending: string | null;
}

/** A pending password claimed by a background hasher. */
export interface PendingPassword {
  readonly id: string;
  readonly sealed: string;
}

/** Applications and their parts. The only code that knows how an application is stored. */
export function applicationRepository(db: Executor, dialect: 'sqlite' | 'postgres') {
  /** Applications past their running deadline, soonest first, through the partial index on deadline_at. */
  const dueQuery = (now: Date, limit: number) =>
    db.selectFrom('applications').select('id').where('deadline_at', 'is not', null).where('deadline_at', '<=', now.toISOString()).orderBy('deadline_at').limit(limit);
  async function loadWhere(id: string, lock: boolean): Promise<Application | null> {
    const q = readQueries(db, dialect);
    const [row] = await rowsById(db, lock ? q.appForUpdate : q.app, id);
    if (!row) return null;
    return fromRows(row, ...(await readParts(db, q, id)));
  }

  return {
    /** By 受付番号 or 到達番号: the applicant may log in with either. */
    async findLogin(number: ReceiptNumber): Promise<LoginRecord | null> {
      const row = await db
        .selectFrom('applications')
        .select(['id', 'procedure', 'password_hash', 'password_pending'])
        .where((eb) => eb.or([eb('receipt_number', '=', number), eb('arrival_number', '=', number)]))
        .executeTakeFirst();
      return row ? { id: row.id, procedure: row.procedure as ProcedureCode, passwordHash: row.password_hash, passwordPending: row.password_pending } : null;
    },

    /** The two numbers of an application (the one shown is its 受付番号 once issued). */
    async findNumbers(id: string): Promise<{ receiptNumber: ReceiptNumber | null; arrivalNumber: ReceiptNumber } | null> {
      const row = await db.selectFrom('applications').select(['receipt_number', 'arrival_number']).where('id', '=', id).executeTakeFirst();
      return row ? { receiptNumber: row.receipt_number as ReceiptNumber | null, arrivalNumber: row.arrival_number as ReceiptNumber } : null;
    },

    async findIdByNumber(number: ReceiptNumber): Promise<string | null> {
      const row = await db
        .selectFrom('applications')
        .select('id')
        .where((eb) => eb.or([eb('receipt_number', '=', number), eb('arrival_number', '=', number)]))
        .executeTakeFirst();
      return row?.id ?? null;
    },

    load: (id: string) => loadWhere(id, false),

    /**
     * Several applications at once, inside a transaction (locked until commit on PostgreSQL): four
     * queries per 500 instead of four per application, for a use case that moves many (a まとめ納付).
     */
    async loadManyForUpdate(ids: readonly string[]): Promise<Map<string, Application>> {
      const out = new Map<string, Application>();
      const sorted = [...ids].sort();
      for (let i = 0; i < sorted.length; i += 500) {
        const chunk = sorted.slice(i, i + 500);
        // Locked in id order, so that two use cases over overlapping applications never deadlock.
        let query = db.selectFrom('applications').selectAll().where('id', 'in', chunk).orderBy('id');
        if (dialect === 'postgres') query = query.forUpdate();
        const rows = await query.execute();
        if (rows.length === 0) continue;
        const attachments = await db.selectFrom('attachments').selectAll().where('application_id', 'in', chunk).execute();
        const lines = await db.selectFrom('payment_lines').selectAll().where('application_id', 'in', chunk).execute();
        const notices = await db.selectFrom('notices').selectAll().where('application_id', 'in', chunk).execute();
        // Grouped once (a filter per application was quadratic in the batch's size).
        const byApplication = <R extends { application_id: string }>(all: R[]) => {
          const map = new Map<string, R[]>();
          for (const r of all) {
            const list = map.get(r.application_id);
            if (list) list.push(r);
            else map.set(r.application_id, [r]);
          }
          return map;
        };
        const [a, l, n] = [byApplication(attachments), byApplication(lines), byApplication(notices)];
        for (const row of rows) out.set(row.id, fromRows(row, a.get(row.id) ?? [], l.get(row.id) ?? [], n.get(row.id) ?? []));
      }
      return out;
    },

    /** Inside a transaction: on PostgreSQL the row stays locked until commit (SQLite has one writer). */
    loadForUpdate: (id: string) => loadWhere(id, true),

    async insert(app: Application, password: StoredPassword, now: Date): Promise<void> {
      const row = 'hash' in password ? toRow(app, password.hash, now) : toRow(app, '', now, password.pending(app.id));
      await db.insertInto('applications').values(row).execute();
      const attachments = attachmentRows(app);
      if (attachments.length) await db.insertInto('attachments').values(attachments).execute();
      const lines = paymentRows(app);
      if (lines.length) await db.insertInto('payment_lines').values(lines).execute();
      const notices = noticeRows(app);
      if (notices.length) await db.insertInto('notices').values(notices).execute();
    },

    /**
     * Writes the new state if nobody else wrote since `previous` was read (version check).
     * Returns false on a stale version: the caller reports a conflict and nothing is written.
     */
    async save(previous: Application, next: Application, now: Date): Promise<boolean> {
      // Only the columns that changed (and version, updated_at): every column set is an index
      // updated, and the applications table has eight (half the deadline sweep's time went there).
      const before = toRow(previous, '', now);
      const after = toRow(next, '', now);
      const changes: Partial<ApplicationsTable> = { version: after.version, updated_at: after.updated_at };
      for (const key of Object.keys(after) as (keyof ApplicationsTable)[]) {
        if (key === 'id' || key === 'password_hash' || key === 'password_pending' || key === 'password_claimed_until' || key === 'created_at' || after[key] === before[key]) continue;
        (changes as Record<string, unknown>)[key] = after[key];
      }
      const result = await db
        .updateTable('applications')
        .set(changes)
        .where('id', '=', next.id)
        .where('version', '=', previous.version)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      // The 利用者ID's 申請一覧 keeps its order on account_applications (decision 0009): in step with every save.
      if (before.status !== after.status || before.status_changed_at !== after.status_changed_at || before.deadline_at !== after.deadline_at) {
        await updateAccountListing(db, next.id, next.status, after.deadline_at, after.status_changed_at);
      }
      // The kept first page of the lists that show it (issue 16): in the same transaction as the change.
      if (Object.keys(changes).some((c) => LISTED_APPLICATION_COLUMNS.has(c))) await oweListBumps(db, [next.id]);
      if (JSON.stringify(previous.attachments) !== JSON.stringify(next.attachments)) {
        await db.deleteFrom('attachments').where('application_id', '=', next.id).execute();
        const rows = attachmentRows(next);
        if (rows.length) await db.insertInto('attachments').values(rows).execute();
      }
      if (JSON.stringify(previous.paymentLines) !== JSON.stringify(next.paymentLines)) {
        await db.deleteFrom('payment_lines').where('application_id', '=', next.id).execute();
        const rows = paymentRows(next);
        if (rows.length) await db.insertInto('payment_lines').values(rows).execute();
      }
      const kept = previous.notices.length;
      if (next.notices.length >= kept && JSON.stringify(next.notices.slice(0, kept)) === JSON.stringify(previous.notices)) {
        // Notices only added (the usual case: a refusal, a correction, an expiry): insert the new ones.
        const added = noticeRows(next).slice(kept);
        if (added.length) await db.insertInto('notices').values(added).execute();
      } else {
        await db.deleteFrom('notices').where('application_id', '=', next.id).execute();
        const rows = noticeRows(next);
        if (rows.length) await db.insertInto('notices').values(rows).execute();
      }
      return true;
    },

    /**
     * `save` for many applications at once (the deadline sweep's batch): one multi-row UPDATE per
     * set of changed columns, each row with its version check, then the 利用者ID lists and the
     * parts of the rows written, in multi-row statements. Returns the ids written; an application
     * whose version moved since it was read is absent (nothing of it written).
     */
    async saveMany(moves: readonly { readonly previous: Application; readonly next: Application }[], now: Date): Promise<Set<string>> {
      const groups = new Map<string, { columns: (keyof ApplicationsTable)[]; rows: (string | number | null)[][] }>();
      const rowsOf = new Map<string, { before: ApplicationsTable; after: ApplicationsTable; previous: Application; next: Application }>();
      for (const { previous, next } of moves) {
        const before = toRow(previous, '', now);
        const after = toRow(next, '', now);
        rowsOf.set(next.id, { before, after, previous, next });
        const columns: (keyof ApplicationsTable)[] = ['version', 'updated_at'];
        for (const key of Object.keys(after) as (keyof ApplicationsTable)[]) {
          if (key === 'id' || key === 'password_hash' || key === 'password_pending' || key === 'password_claimed_until' || key === 'created_at' || key === 'version' || key === 'updated_at' || after[key] === before[key]) continue;
          columns.push(key);
        }
        const shape = columns.join(',');
        let group = groups.get(shape);
        if (!group) groups.set(shape, (group = { columns, rows: [] }));
        group.rows.push([next.id, previous.version, ...columns.map((c) => after[c])]);
      }
      const saved = new Set<string>();
      for (const { columns, rows } of groups.values()) {
        for (const id of await updateFromValues(db, dialect, 'applications', ['id', 'version'], columns, rows, INTEGER_COLUMNS)) saved.add(id);
      }
      const written = [...rowsOf.entries()].filter(([id]) => saved.has(id)).map(([, r]) => r);
      // The 利用者ID's 申請一覧 keeps its order on account_applications (decision 0009), as in `save`.
      const listings = written.filter(({ before, after }) => before.status !== after.status || before.status_changed_at !== after.status_changed_at || before.deadline_at !== after.deadline_at);
      if (listings.length > 0) {
        const rows = listings.map(({ next, after }) => {
          const l = accountListing(next.status, after.deadline_at, after.status_changed_at);
          return [next.id, l.status, l.list_rank, l.sort_deadline, l.status_changed_at];
        });
        await updateFromValues(db, dialect, 'account_applications', ['application_id'], ['status', 'list_rank', 'sort_deadline', 'status_changed_at'], rows, INTEGER_COLUMNS);
      }
      const shown = written.filter(({ before, after }) => [...LISTED_APPLICATION_COLUMNS].some((c) => before[c as keyof ApplicationsTable] !== after[c as keyof ApplicationsTable]));
      if (shown.length > 0) await oweListBumps(db, shown.map((r) => r.next.id));
      const replaced = <R>(table: 'attachments' | 'payment_lines' | 'notices', changed: (r: (typeof written)[number]) => boolean, rowsOfApp: (app: Application) => R[]) => {
        const apps = written.filter(changed).map((r) => r.next);
        return { ids: apps.map((a) => a.id), rows: apps.flatMap(rowsOfApp), table };
      };
      const attachments = replaced('attachments', (r) => JSON.stringify(r.previous.attachments) !== JSON.stringify(r.next.attachments), attachmentRows);
      const lines = replaced('payment_lines', (r) => JSON.stringify(r.previous.paymentLines) !== JSON.stringify(r.next.paymentLines), paymentRows);
      // Notices only added (the usual case: an expiry adds one): insert the new ones; otherwise replace them all.
      const onlyAdded = (r: (typeof written)[number]) => {
        const kept = r.previous.notices.length;
        return r.next.notices.length >= kept && JSON.stringify(r.next.notices.slice(0, kept)) === JSON.stringify(r.previous.notices);
      };
      const notices = replaced('notices', (r) => !onlyAdded(r), noticeRows);
      const addedNotices = written.filter(onlyAdded).flatMap((r) => noticeRows(r.next).slice(r.previous.notices.length));
      for (const ids of chunks(attachments.ids)) await db.deleteFrom('attachments').where('application_id', 'in', ids).execute();
      for (const rows of chunks(attachments.rows)) await db.insertInto('attachments').values(rows).execute();
      for (const ids of chunks(lines.ids)) await db.deleteFrom('payment_lines').where('application_id', 'in', ids).execute();
      for (const rows of chunks(lines.rows)) await db.insertInto('payment_lines').values(rows).execute();
      for (const ids of chunks(notices.ids)) await db.deleteFrom('notices').where('application_id', 'in', ids).execute();
      for (const rows of chunks([...notices.rows, ...addedNotices])) await db.insertInto('notices').values(rows).execute();
      return saved;
    },

    async setPasswordHash(id: string, passwordHash: string): Promise<void> {
      await db.updateTable('applications').set({ password_hash: passwordHash }).where('id', '=', id).execute();
    },

    /**
     * Decision 0017: claims up to `limit` pending passwords for a background hasher until `until`
     * (rows unclaimed, or whose claim ran out: a hasher that died), oldest first. One statement: on
     * PostgreSQL rows another hasher is claiming are skipped (SKIP LOCKED) and the claim's condition
     * is checked again on any row it waited for, so two hashers never claim the same row (SQLite has
     * one writer).
     */
    async claimPendingPasswords(now: Date, until: Date, limit: number): Promise<PendingPassword[]> {
      const free = (eb: ExpressionBuilder<Database, 'applications'>) =>
        eb.and([eb('password_pending', 'is not', null), eb.or([eb('password_claimed_until', 'is', null), eb('password_claimed_until', '<', iso(now))])]);
      const rows = await db
        .updateTable('applications')
        .set({ password_claimed_until: iso(until) })
        .where((eb) => eb.and([eb('id', 'in', eb.selectFrom('applications').select('id').where(free).orderBy('created_at').limit(limit).$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked())), free(eb)]))
        .returning(['id', 'password_pending'])
        .execute();
      return rows.flatMap((r) => (r.password_pending === null ? [] : [{ id: r.id, sealed: r.password_pending }]));
    },

    /**
     * Writes the hash and clears the pending password in one statement, only if the row still holds
     * that very encrypted value (compare-and-set: each one has its own random IV). False when another
     * hasher or a login wrote it first.
     */
    async settlePendingPassword(id: string, sealed: string, passwordHash: string): Promise<boolean> {
      const r = await db
        .updateTable('applications')
        .set({ password_hash: passwordHash, password_pending: null, password_claimed_until: null })
        .where('id', '=', id)
        .where('password_pending', '=', sealed)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Passwords still waiting for their hash (the metric keioss_password_hashes_pending). */
    async countPendingPasswords(): Promise<number> {
      const r = await db.selectFrom('applications').select((eb) => eb.fn.countAll<string | number>().as('n')).where('password_pending', 'is not', null).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /**
     * The ids of at most `limit` applications whose running deadline has passed, soonest first,
     * through the partial index on deadline_at; nothing is claimed (the sweep's round, which then
     * claims them in id order with `claimDueAmong`).
     */
    async dueIds(now: Date, limit: number): Promise<string[]> {
      return (await dueQuery(now, limit).execute()).map((r) => r.id);
    },

    /**
     * `dueIds`, claimed on PostgreSQL (`FOR UPDATE SKIP LOCKED`): inside a transaction, another
     * sweeper's claim skips them until that transaction ends, and finds them no longer due once it
     * commits. SQLite has one writer.
     */
    async dueForSweep(now: Date, limit: number): Promise<string[]> {
      const query = dueQuery(now, limit);
      return (await (dialect === 'postgres' ? query.forUpdate().skipLocked() : query).execute()).map((r) => r.id);
    },

    /**
     * `claimDue` for the given applications (by their primary key): those of them still past their
     * running deadline at `now`, with the same columns. On PostgreSQL claimed as `claimDue` claims
     * (`FOR UPDATE SKIP LOCKED`: one another sweeper's batch holds is skipped, and one it moved is
     * no longer due once it commits).
     */
    async claimDueAmong(ids: readonly string[], now: Date): Promise<ClaimedDue[]> {
      if (ids.length === 0) return [];
      let query = db
        .selectFrom('applications')
        .select(['id', 'status', 'version', 'deadline_at', 'procedure', 'arrival_number', 'receipt_number'])
        .where('id', 'in', [...ids])
        .where('deadline_at', 'is not', null)
        .where('deadline_at', '<=', now.toISOString())
        .orderBy('id');
      if (dialect === 'postgres') query = query.forUpdate().skipLocked();
      return (await query.execute()).map(claimedDue);
    },

    async count(): Promise<number> {
      const row = await db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
