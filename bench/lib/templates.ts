import pino from 'pino';
import { demoScenarios, type DemoActor, type DemoScenario } from '../../src/demo/scenarios.js';
import type { Actor } from '../../src/domain/actors.js';
import { validateFiling } from '../../src/domain/filing.js';
import { inspectionOffices, taxOfficeFor, type OfficeCode } from '../../src/domain/offices.js';
import { asReceiptNumber } from '../../src/domain/receipt-number.js';
import { statuses, type StatusCode } from '../../src/domain/statuses.js';
import { addDays, fixedClock, japanDateOf, type JapanDate } from '../../src/domain/time.js';
import { makeActOnApplication, makeRegisterApplication } from '../../src/services/application-events.js';
import type { ServiceDeps } from '../../src/services/context.js';
import { seededIds } from '../../src/services/ids.js';
import type { PasswordHasher } from '../../src/services/passwords.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/store/database.js';

/**
 * Templates: every demo scenario (each status of both procedures, reached by replaying the events
 * that lead there) replayed once per inspection office through the product's own services
 * (registerApplication, actOnApplication: domain rules, repository, history) into an in-memory
 * SQLite database, then read back as rows. The generator clones these rows, shifting every date
 * by whole days and substituting numbers, names and ids, so each generated application has exactly
 * the parts its status implies (attachments, payment lines with Pay-easy numbers, notices, history).
 */

export const DAY_MS = 86_400_000;
const JST_MS = 9 * 3_600_000;

/** How a cell of a generated row gets its value. */
export const CellKind = {
  Const: 0,
  AppId: 1,
  NewId: 2,
  /** An event instant (ISO text): shifted by the application's days and jitter. */
  Instant: 3,
  /** deadline_at: derived from a date, shifted by whole days only. */
  DeadlineInstant: 4,
  /** A Japan date (YYYY-MM-DD): shifted by whole days. */
  Date: 5,
  Arrival: 6,
  Receipt: 7,
  PaymentNumber: 8,
  ConfirmationNumber: 9,
  Field: 10,
  Text: 11,
} as const;
export type CellKind = (typeof CellKind)[keyof typeof CellKind];

export type FieldName = 'applicantName' | 'applicantAddress' | 'userName' | 'userAddress' | 'ownerName' | 'ownerAddress' | 'vehicleNumber' | 'chassisNumber';

/** A piece of a free-text cell (history details, notice reasons). */
export type TextPart =
  | { readonly k: 'lit'; readonly v: string }
  | { readonly k: 'instant'; readonly ms: number }
  | { readonly k: 'date'; readonly day: number }
  | { readonly k: 'arrival' }
  | { readonly k: 'receipt' }
  | { readonly k: 'pay'; readonly n: number }
  | { readonly k: 'conf'; readonly n: number }
  | { readonly k: 'field'; readonly f: FieldName };

export interface Cell {
  readonly k: CellKind;
  /** Const: the value; Instant/DeadlineInstant: ms; Date: day number; Pay/Conf: index; Field: name; Text: parts. */
  readonly v: unknown;
}

export const TABLES = ['applications', 'attachments', 'payment_lines', 'notices', 'status_history'] as const;
export type TableName = (typeof TABLES)[number];

export interface Template {
  readonly key: string;
  readonly scenario: string;
  readonly procedure: string;
  readonly status: StatusCode;
  readonly officeCode: OfficeCode;
  /** terminal: never moves again; deadline: a deadline runs (補正期限 or 納付期限); waiting: neither. */
  readonly kind: 'terminal' | 'deadline' | 'waiting';
  /** Days from the base day to the running deadline's date (kind deadline). */
  readonly deadlineDays: number | null;
  /** Days from the base day back to the last event (≥ 1: every template event is before the base day). */
  readonly lastEventDaysAgo: number;
  readonly lastEventMs: number;
  /** The frame code of the template's 車台番号 (`JF3` of `JF3-1234567`), or null for a digits-only one. */
  readonly chassisPrefix: string | null;
  readonly filedMs: number;
  readonly acceptMs: number | null;
  readonly hasOwner: boolean;
  readonly hasVehicleNumber: boolean;
  readonly paymentNumbers: number;
  /** Rows per table, each a list of cells in the table's column order. */
  readonly rows: Record<TableName, Cell[][]>;
}

export interface TemplateSet {
  readonly baseDay: JapanDate;
  /** 00:00 Japan time of the base day (ms). */
  readonly baseMs: number;
  readonly columns: Record<TableName, string[]>;
  readonly templates: readonly Template[];
}

/** Japan date (YYYY-MM-DD) → day number (days since 1970-01-01 as a calendar date). */
export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The Japan date of an instant, as a day number. */
export function japanDay(ms: number): number {
  return Math.floor((ms + JST_MS) / DAY_MS);
}

const japanInstant = (date: JapanDate, time: string) => new Date(`${date}T${time}+09:00`);

function actorFor(kind: DemoActor, officeCode: OfficeCode): Actor {
  const office = inspectionOffices[officeCode];
  switch (kind) {
    case 'applicant':
      return { kind: 'applicant' };
    case 'office':
      return { kind: 'inspectionOffice', officeCode, id: `bench-${officeCode}`, label: office.name };
    case 'tax': {
      const tax = taxOfficeFor(officeCode);
      return { kind: 'taxOffice', taxOfficeCode: tax.code as never, id: `bench-${tax.code}`, label: tax.name };
    }
    case 'payment':
      return { kind: 'paymentNetwork', id: 'bench-payeasy', label: 'Pay-easy 収納機関' };
    case 'attachments':
      return { kind: 'attachmentSource', id: 'bench-attachments', label: '添付書類取得元システム' };
    case 'clock':
      return { kind: 'clock' };
  }
}

/** Replays one scenario for one office, as the demo seeder does, with the office's plate region. */
async function replay(deps: ServiceDeps, clock: ReturnType<typeof fixedClock>, today: JapanDate, s: DemoScenario, officeCode: OfficeCode, serial: number): Promise<string> {
  const region = inspectionOffices[officeCode].plateRegions[0];
  const filingInput = { ...s.filing, officeCode, ...(s.filing.vehicleNumber ? { vehicleNumber: s.filing.vehicleNumber.replace(/^\S+/, region) } : {}) };
  const filing = validateFiling(filingInput);
  if (!filing.ok) throw new Error(`template ${s.key}/${officeCode}: invalid filing ${JSON.stringify(filing.errors)}`);
  clock.set(japanInstant(addDays(today, s.filedDay), s.filedTime));
  // Template numbers only need to be unique inside the template database.
  const arrival = asReceiptNumber(`${'1'.repeat(8)}${String(serial).padStart(9, '0')}`);
  const registered = await makeRegisterApplication(deps)(filing.value, 'unused', { kind: 'applicant' }, { arrivalNumber: arrival });
  if (!registered.ok) throw new Error(`template ${s.key}: ${registered.refusal.message}`);
  const act = makeActOnApplication(deps);
  for (const step of s.steps) {
    clock.set(japanInstant(addDays(today, step.day), step.time));
    let event = step.event(today);
    if (event.type === 'accept') event = { type: 'accept', receiptNumber: asReceiptNumber(`${'2'.repeat(8)}${String(serial).padStart(9, '0')}`) };
    const result = await act(registered.value.id, event, actorFor(step.actor, officeCode));
    if (!result.ok) throw new Error(`template ${s.key}/${officeCode}: step ${event.type} refused: ${result.refusal.message}`);
  }
  return registered.value.id;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Splits free text into literal parts and slots (instants, dates, the template's numbers and names). */
function textParts(value: string, vars: readonly { value: string; part: TextPart }[]): TextPart[] {
  const alternatives = ['\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z', '(?<!\\d)\\d{4}-\\d{2}-\\d{2}(?!\\d)', ...vars.map((v) => (/^\d+$/.test(v.value) ? `(?<!\\d)${v.value}(?!\\d)` : escapeRe(v.value)))];
  const re = new RegExp(alternatives.map((a) => `(${a})`).join('|'), 'g');
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of value.matchAll(re)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ k: 'lit', v: value.slice(last, at) });
    const text = m[0];
    if (m[1] !== undefined) parts.push({ k: 'instant', ms: Date.parse(text) });
    else if (m[2] !== undefined) parts.push({ k: 'date', day: dayNumber(text) });
    else {
      const index = m.slice(3).findIndex((g) => g !== undefined);
      parts.push(vars[index]!.part);
    }
    last = at + text.length;
  }
  if (last < value.length) parts.push({ k: 'lit', v: value.slice(last) });
  return parts;
}

type Row = Record<string, unknown>;

/** Turns one application's rows (read back from the template database) into a template. */
function toTemplate(key: string, s: DemoScenario, officeCode: OfficeCode, rows: Record<TableName, Row[]>, columns: Record<TableName, string[]>, baseMs: number): Template {
  const app = rows.applications[0]!;
  const payNumbers: string[] = [];
  const confNumbers: string[] = [];
  for (const l of rows.payment_lines) {
    if (typeof l.payment_number === 'string' && !payNumbers.includes(l.payment_number)) payNumbers.push(l.payment_number);
    if (typeof l.confirmation_number === 'string' && !confNumbers.includes(l.confirmation_number)) confNumbers.push(l.confirmation_number);
  }
  const vars: { value: string; part: TextPart }[] = [];
  const addVar = (value: unknown, part: TextPart) => {
    if (typeof value === 'string' && value.length >= 4 && !vars.some((v) => v.value === value)) vars.push({ value, part });
  };
  addVar(app.arrival_number, { k: 'arrival' });
  addVar(app.receipt_number, { k: 'receipt' });
  payNumbers.forEach((n, i) => addVar(n, { k: 'pay', n: i }));
  confNumbers.forEach((n, i) => addVar(n, { k: 'conf', n: i }));
  addVar(app.vehicle_number, { k: 'field', f: 'vehicleNumber' });
  addVar(app.chassis_number, { k: 'field', f: 'chassisNumber' });
  for (const [col, f] of [
    ['applicant_name', 'applicantName'],
    ['applicant_address', 'applicantAddress'],
    ['user_name', 'userName'],
    ['user_address', 'userAddress'],
    ['owner_name', 'ownerName'],
    ['owner_address', 'ownerAddress'],
  ] as const) {
    addVar(app[col], { k: 'field', f });
  }
  // Longest first, so that a name is never replaced inside a longer one.
  vars.sort((a, b) => b.value.length - a.value.length);

  const instant = (v: unknown): Cell => (v === null ? { k: CellKind.Const, v: null } : { k: CellKind.Instant, v: Date.parse(String(v)) });
  const date = (v: unknown): Cell => (v === null ? { k: CellKind.Const, v: null } : { k: CellKind.Date, v: dayNumber(String(v)) });
  const text = (v: unknown): Cell => {
    if (typeof v !== 'string') return { k: CellKind.Const, v };
    const parts = textParts(v, vars);
    return parts.length === 1 && parts[0]!.k === 'lit' ? { k: CellKind.Const, v } : { k: CellKind.Text, v: parts };
  };
  const field = (v: unknown, f: FieldName): Cell => (v === null ? { k: CellKind.Const, v: null } : { k: CellKind.Field, v: f });

  /** Column rules by table; a column not named here (added by a later migration) keeps the template's value. */
  const rules: Record<TableName, Record<string, (v: unknown) => Cell>> = {
    applications: {
      id: () => ({ k: CellKind.AppId, v: null }),
      arrival_number: () => ({ k: CellKind.Arrival, v: null }),
      receipt_number: (v) => (v === null ? { k: CellKind.Const, v: null } : { k: CellKind.Receipt, v: null }),
      status_changed_at: instant,
      filed_at: instant,
      created_at: instant,
      updated_at: instant,
      deadline_at: (v) => (v === null ? { k: CellKind.Const, v: null } : { k: CellKind.DeadlineInstant, v: Date.parse(String(v)) }),
      examination_completed_on: date,
      correction_deadline: date,
      applicant_name: (v) => field(v, 'applicantName'),
      applicant_address: (v) => field(v, 'applicantAddress'),
      user_name: (v) => field(v, 'userName'),
      user_address: (v) => field(v, 'userAddress'),
      owner_name: (v) => field(v, 'ownerName'),
      owner_address: (v) => field(v, 'ownerAddress'),
      vehicle_number: (v) => field(v, 'vehicleNumber'),
      chassis_number: (v) => field(v, 'chassisNumber'),
    },
    attachments: { application_id: () => ({ k: CellKind.AppId, v: null }) },
    payment_lines: {
      id: () => ({ k: CellKind.NewId, v: null }),
      application_id: () => ({ k: CellKind.AppId, v: null }),
      payment_number: (v) => (v === null ? { k: CellKind.Const, v: null } : { k: CellKind.PaymentNumber, v: payNumbers.indexOf(String(v)) }),
      confirmation_number: (v) => (v === null ? { k: CellKind.Const, v: null } : { k: CellKind.ConfirmationNumber, v: confNumbers.indexOf(String(v)) }),
      paid_on: date,
      due_on: date,
    },
    notices: {
      id: () => ({ k: CellKind.NewId, v: null }),
      application_id: () => ({ k: CellKind.AppId, v: null }),
      deadline: date,
      issued_at: instant,
      resolved_at: instant,
      reason_title: text,
      reason_detail: text,
    },
    status_history: {
      id: () => ({ k: CellKind.NewId, v: null }),
      application_id: () => ({ k: CellKind.AppId, v: null }),
      occurred_at: instant,
      reason: text,
      details: text,
    },
  };

  const out = {} as Record<TableName, Cell[][]>;
  let lastEventMs = 0;
  for (const table of TABLES) {
    out[table] = rows[table].map((row) =>
      columns[table].map((col) => {
        const rule = rules[table][col];
        const cell = rule ? rule(row[col]) : { k: CellKind.Const, v: row[col] };
        if (cell.k === CellKind.Instant) lastEventMs = Math.max(lastEventMs, cell.v as number);
        if (cell.k === CellKind.Const && typeof cell.v === 'string' && ISO_INSTANT.test(cell.v)) {
          throw new Error(`template ${key}: ${table}.${col} holds an instant the generator does not shift; add a rule for it`);
        }
        return cell;
      }),
    );
  }

  const status = app.status as StatusCode;
  const def = statuses[status];
  const deadlineAt = app.deadline_at === null ? null : Date.parse(String(app.deadline_at));
  const accept = rows.status_history.find((h) => h.event === 'accept');
  return {
    key,
    scenario: s.key,
    procedure: String(app.procedure),
    status,
    officeCode,
    kind: def.terminal ? 'terminal' : deadlineAt !== null ? 'deadline' : 'waiting',
    // deadline_at is the first instant after the deadline day: the day before it is the deadline date.
    deadlineDays: deadlineAt === null ? null : Math.round((deadlineAt - baseMs) / DAY_MS) - 1,
    lastEventDaysAgo: Math.ceil((baseMs - lastEventMs) / DAY_MS),
    lastEventMs,
    chassisPrefix: String(app.chassis_number).includes('-') ? String(app.chassis_number).replace(/-[^-]*$/, '') : null,
    filedMs: Date.parse(String(app.filed_at)),
    acceptMs: accept ? Date.parse(String(accept.occurred_at)) : null,
    hasOwner: app.owner_name !== null,
    hasVehicleNumber: app.vehicle_number !== null,
    paymentNumbers: payNumbers.length,
    rows: out,
  };
}

/** A hasher that never hashes: templates carry the shared precomputed hash. */
export function fixedHasher(hash: string): PasswordHasher {
  return { hash: async () => hash, verify: async () => false };
}

const built = new Map<string, Promise<TemplateSet>>();

/**
 * Builds the templates for a base day: the demo scenarios, each replayed for every office, with
 * every event before the base day (the demo's steps are all on earlier days). Built once per day
 * and password hash in a process.
 */
export function buildTemplates(baseDay: JapanDate, passwordHash: string): Promise<TemplateSet> {
  const key = `${baseDay} ${passwordHash}`;
  let set = built.get(key);
  if (!set) {
    set = replayAll(baseDay, passwordHash, Object.keys(inspectionOffices) as OfficeCode[]);
    built.set(key, set);
  }
  return set;
}

async function replayAll(baseDay: JapanDate, passwordHash: string, offices: readonly OfficeCode[]): Promise<TemplateSet> {
  const logger = pino({ level: 'silent' });
  const baseMs = Date.parse(`${baseDay}T00:00:00+09:00`);
  const templates: Template[] = [];
  let columns: Record<TableName, string[]> | null = null;
  let serial = 0;
  for (const officeCode of offices) {
    const handle: DatabaseHandle = openDatabase({ kind: 'sqlite', path: ':memory:' });
    try {
      await migrateToLatest(handle);
      const clock = fixedClock(new Date(baseMs));
      const deps: ServiceDeps = { database: handle, clock, ids: seededIds(`kei-oss-bench-${officeCode}`), passwords: fixedHasher(passwordHash), logger };
      const sqlite = handle.sqlite!;
      if (!columns) {
        columns = {} as Record<TableName, string[]>;
        for (const t of TABLES) columns[t] = (sqlite.pragma(`table_info(${t})`) as { name: string }[]).map((c) => c.name);
      }
      for (const s of demoScenarios) {
        // The office's own tax office examines its new cars; only the office changes between copies.
        const id = await replay(deps, clock, baseDay, s, officeCode, ++serial);
        const rows = {} as Record<TableName, Row[]>;
        rows.applications = sqlite.prepare('select * from applications where id = ?').all(id) as Row[];
        rows.attachments = sqlite.prepare('select * from attachments where application_id = ? order by position').all(id) as Row[];
        rows.payment_lines = sqlite.prepare('select * from payment_lines where application_id = ? order by position').all(id) as Row[];
        rows.notices = sqlite.prepare('select * from notices where application_id = ? order by issued_at').all(id) as Row[];
        rows.status_history = sqlite.prepare('select * from status_history where application_id = ? order by seq').all(id) as Row[];
        if (rows.applications[0]?.status !== s.expectedStatus) throw new Error(`template ${s.key}: expected ${s.expectedStatus}, got ${String(rows.applications[0]?.status)}`);
        templates.push(toTemplate(`${s.key}@${officeCode}`, s, officeCode, rows, columns, baseMs));
      }
    } finally {
      await handle.close();
    }
  }
  if (japanDateOf(new Date(baseMs)) !== baseDay) throw new Error('base day arithmetic');
  return { baseDay, baseMs, columns: columns!, templates };
}
