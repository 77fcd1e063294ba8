import { readFileSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import type { OfficeCode } from '../../src/domain/offices.js';
import type { StatusCode } from '../../src/domain/statuses.js';
import { address, applicantName, personName, plate } from './people.js';
import { CellKind, DAY_MS, dayString, japanDay, TABLES, type Cell, type FieldName, type TableName, type Template, type TemplateSet, type TextPart } from './templates.js';

/**
 * One writer of the generated data: goes through every application (the same deterministic choices
 * in every writer) and writes the rows of its own tables into its own SQLite file. The tables are
 * split between writers so that both cores work; the orchestrator merges the files at the end.
 */

/**
 * The mix of statuses, by procedure: most applications in a database that has run for a while are
 * finished (返付済 / 交付済); the rest are spread over every other status, so that every part of the
 * status page is exercised. Our assumption, not a statistic; see docs/benchmarks.md.
 */
export const PROCEDURE_SHARE = { continuousInspection: 0.65, newVehicle: 0.35 } as const;
export const STATUS_MIX: Record<keyof typeof PROCEDURE_SHARE, Partial<Record<StatusCode, number>>> = {
  continuousInspection: {
    returned: 0.64,
    readyForReturn: 0.03,
    preparingReturn: 0.02,
    awaitingAcceptance: 0.02,
    acceptedAwaitingAttachments: 0.02,
    inspectionFeesDue: 0.04,
    inspectionFeesBulkPayment: 0.02,
    weightTaxDue: 0.015,
    weightTaxBulkPayment: 0.005,
    inspectionUnderExamination: 0.04,
    inspectionCorrectionRequested: 0.03,
    withdrawn: 0.02,
    invalidated: 0.04,
    rejected: 0.03,
    notAccepted: 0.03,
  },
  newVehicle: {
    delivered: 0.61,
    readyForDelivery: 0.03,
    preparingDelivery: 0.02,
    awaitingAcceptance: 0.02,
    acceptedAwaitingAttachments: 0.02,
    inspectionFeesDue: 0.03,
    inspectionFeesBulkPayment: 0.02,
    weightTaxDue: 0.01,
    weightTaxBulkPayment: 0.005,
    inspectionUnderExamination: 0.03,
    inspectionCorrectionRequested: 0.02,
    taxDeclarationUnderExamination: 0.02,
    taxDeclarationCorrectionRequested: 0.01,
    vehicleTaxDue: 0.02,
    vehicleTaxBulkPayment: 0.005,
    withdrawn: 0.02,
    invalidated: 0.04,
    rejected: 0.04,
    notAccepted: 0.03,
  },
};
/** Share of each office (larger areas file more). */
export const OFFICE_SHARE: Record<OfficeCode, number> = {
  tokyo: 0.15,
  nerima: 0.08,
  adachi: 0.07,
  hachioji: 0.06,
  kanagawa: 0.14,
  saitama: 0.12,
  chiba: 0.1,
  aichi: 0.12,
  osaka: 0.1,
  fukuoka: 0.06,
};
/** Waiting states (受付審査中, 審査中, 準備中…) are at most this many days old. */
export const WAITING_DAYS = 5;
/** Due applications (--due) passed their deadline 1 to this many days ago. */
export const DUE_SPREAD_DAYS = 20;
/** Events move by up to this much within their day, so that times differ between applications. */
const JITTER_MS = 90 * 60_000;
/** Applications per transaction (and per progress report). */
export const APPS_PER_TRANSACTION = 20_000;

export interface PartitionJob {
  /** The file of each of `tables` (same order; tables may share a file): the merge deletes a file as soon as its tables are copied. */
  readonly files: readonly string[];
  readonly tables: readonly TableName[];
  /** Also write the お知らせ for everyone (one writer does). */
  readonly publicNotifications: boolean;
  readonly applications: number;
  readonly due: number;
  /** `spread`: every (N/K)-th; `recent`: the last K (see GenerateOptions). */
  readonly duePlacement: 'spread' | 'recent';
  readonly seed: string;
  readonly cacheMb: number;
  readonly set: TemplateSet;
  /** The non-unique indexes are kept during the load (--keep-indexes): their keys land anywhere, the writer takes the full cache. */
  readonly keepIndexes?: boolean;
  /** The index builds sort in memory, alone (temp_store=MEMORY): no temporary files, no helper threads. */
  readonly sortInMemory?: boolean;
  /** The non-unique indexes of this writer's tables, built in their table's file once the rows are in (each writer in parallel). */
  readonly indexes: readonly { readonly name: string; readonly sql: string; readonly table: string }[];
}

export interface PartitionResult {
  readonly rows: Record<string, number>;
  readonly statuses: Record<string, number>;
  /** Seconds to write the rows, and to build each index afterwards. */
  readonly insertSeconds: number;
  readonly indexSeconds: Record<string, number>;
  /** CPU seconds of this writer thread (user + system, from /proc/thread-self/stat): writing the rows, building the indexes. */
  readonly cpu: { readonly insert: number; readonly indexes: number };
}

/** CPU seconds (user, system) of the calling thread so far; zeros where /proc is missing. */
export function threadCpu(): { user: number; system: number } {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) (utime, stime), counted from the state (field 3) after the name.
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: 0, system: 0 };
  }
}

const cpuSince = (from: { user: number; system: number }) => {
  const now = threadCpu();
  return Math.round((now.user - from.user + now.system - from.system) * 10) / 10;
};

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same applications. */
export class Rng {
  private s = 0;
  reset(seed: number): void {
    this.s = seed | 0;
  }
  next = (): number => {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
}

export function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Four and three hex digits for every 16-bit and 12-bit number. */
const HEX4 = Array.from({ length: 0x10000 }, (_, i) => i.toString(16).padStart(4, '0'));
const HEX3 = Array.from({ length: 0x1000 }, (_, i) => i.toString(16).padStart(3, '0'));

/**
 * A UUID-shaped key whose first 12 hex digits count up: inserts append to the primary-key index.
 * The rest is random: 3 + 3 + 12 hex digits from three draws, and one of 8, 9, a, b from a fourth.
 * Built from whole table entries (no slicing: about 0.3 instead of 0.6 µs an id with its UTF-8).
 */
function orderedId(counter: number, rng: Rng): string {
  const high = Math.floor(counter / 0x10000);
  const a = rng.u32();
  const b = rng.u32();
  const c = rng.u32();
  return (
    HEX4[(high >>> 16) & 0xffff]! + HEX4[high & 0xffff]! + '-' + HEX4[counter & 0xffff]! + '-4' + HEX3[a >>> 20]! + '-' + '89ab'[rng.u32() & 3]! + HEX3[(a >>> 8) & 0xfff]! + '-' + HEX4[b >>> 16]! + HEX4[b & 0xffff]! + HEX4[c >>> 16]!
  );
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => pad(i, 2));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => pad(i, 3));
/** The last instant `toISOString` writes with a four-digit year (9999-12-31T23:59:59.999Z). */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;

/**
 * `new Date(ms).toISOString()`, the same text, about ten times cheaper: the day's part (`2026-12-01T`)
 * from a cache, the time of day from tables of digits. V8 formats every instant through printf
 * (about 1 µs each), and a million applications have some twenty million instants.
 */
export function isoInstantFormatter(): (ms: number) => string {
  const days = new Map<number, string>();
  return (ms) => {
    if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_YEAR_MS) || !Number.isInteger(ms)) return new Date(ms).toISOString();
    const d = Math.floor(ms / DAY_MS);
    let prefix = days.get(d);
    if (prefix === undefined) {
      prefix = `${dayString(d)}T`;
      days.set(d, prefix);
    }
    let rest = ms - d * DAY_MS;
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const sec = Math.floor(rest / 1000);
    return `${prefix}${TWO_DIGITS[h]!}:${TWO_DIGITS[m]!}:${TWO_DIGITS[sec]!}.${THREE_DIGITS[rest - sec * 1000]!}Z`;
  };
}

/** 9 digits unique for every i < 10^9 (7654321 is prime to 10, so i ↦ i·7654321 mod 10^9 is one-to-one). */
const nineDigits = (i: number) => pad((i * 7_654_321 + 13_579) % 1_000_000_000, 9);
const tenDigits = (i: number) => pad((i * 7_654_321 + 24_680) % 10_000_000_000, 10);

interface Picker {
  readonly templates: readonly Template[];
  readonly cumulative: Float64Array;
}

function picker(templates: readonly Template[], weight: (t: Template) => number): Picker {
  const chosen = templates.filter((t) => weight(t) > 0);
  const cumulative = new Float64Array(chosen.length);
  let sum = 0;
  chosen.forEach((t, i) => {
    sum += weight(t);
    cumulative[i] = sum;
  });
  for (let i = 0; i < cumulative.length; i++) cumulative[i]! /= sum;
  return { templates: chosen, cumulative };
}

function pickFrom(p: Picker, r: number): Template {
  let lo = 0;
  let hi = p.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (p.cumulative[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return p.templates[lo]!;
}

export function templateWeight(set: TemplateSet): (t: Template) => number {
  // Several scenarios may reach one status (e.g. まとめ払い before and after the number is taken): they share its weight.
  const sameStatus = new Map<string, number>();
  for (const t of set.templates) {
    const k = `${t.procedure}/${t.status}/${t.officeCode}`;
    sameStatus.set(k, (sameStatus.get(k) ?? 0) + 1);
  }
  return (t) => {
    const proc = t.procedure as keyof typeof PROCEDURE_SHARE;
    const share = STATUS_MIX[proc]?.[t.status] ?? 0;
    return ((PROCEDURE_SHARE[proc] ?? 0) * share * OFFICE_SHARE[t.officeCode]) / sameStatus.get(`${t.procedure}/${t.status}/${t.officeCode}`)!;
  };
}

/** An SQL literal for a constant cell (inlined in a template's statement: no binding per row). */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return Number.isInteger(v) ? String(v) : v.toExponential(17);
  }
  if (typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return `X'${v.toString('hex')}'`;
  throw new Error(`no SQL literal for ${typeof v}`);
}

/**
 * One template's rows of one table as one prepared multi-row INSERT: the template's constants are
 * literals of the statement (parsed once, never bound again), only the cells that move with each
 * application (ids, instants, dates, numbers, names, texts) are parameters. Each application is
 * one run of its template's statement per table.
 */
interface TemplateInsert {
  readonly statement: SQLite.Statement;
  /** The moving cells of every row, in the order of their parameters. */
  readonly cells: readonly Cell[];
  readonly rows: number;
}

function templateInsert(db: SQLite.Database, table: string, columns: readonly string[], rows: readonly (readonly Cell[])[]): TemplateInsert | null {
  if (rows.length === 0) return null;
  const cells: Cell[] = [];
  const tuples = rows.map((row) => {
    if (row.length !== columns.length) throw new Error(`${table}: a template row has ${row.length} cells for ${columns.length} columns`);
    return `(${row
      .map((cell) => {
        if (cell.k === CellKind.Const) return sqlLiteral(cell.v);
        cells.push(cell);
        return '?';
      })
      .join(',')})`;
  });
  return { statement: db.prepare(`insert into ${table} (${columns.join(',')}) values ${tuples.join(',')}`), cells, rows: rows.length };
}

/** Per-application values that replace the template's. */
interface AppValues {
  appId: string;
  arrival: string;
  receipt: string;
  shiftDays: number;
  shiftMs: number;
  pay: string[];
  conf: string[];
  fields: Record<FieldName, string>;
}

/** 車台番号 in the template's shape: its frame code and a serial (`JF3-1234567`), or ten digits. */
function chassisFor(t: Template, i: number): string {
  return t.chassisPrefix === null ? pad((i * 7_654_321 + 97) % 10_000_000_000, 10) : `${t.chassisPrefix}-${pad((i * 7_654_321 + 97) % 10_000_000, 7)}`;
}

/**
 * The page cache a writer needs while it writes rows. Every key of the history, the attachments,
 * the payment lines and the notices arrives in order (ids count up, then application and position),
 * so each B-tree is only appended to: its right edge is all that is read again, and 64 MiB hold it.
 * The applications' 到達番号 and 受付番号 (unique, day then scrambled digits) land anywhere in their
 * indexes: those stay in the cache, about 120 bytes an application for both. A larger cache costs
 * CPU, not saves it: every page of it is fresh memory the kernel clears once (at 400,000, 2 GiB
 * instead of 256 MiB cost the history writer 4.8 instead of 1.9 system CPU s, the same user time).
 * The index builds then read their table into fresh memory instead: at 1,000,000 they gave back
 * about 2.5 of the rows' 6.4 CPU s (docs/benchmarks.md, round six).
 */
export function rowsCacheMb(job: Pick<PartitionJob, 'tables' | 'applications' | 'cacheMb' | 'keepIndexes'>): number {
  if (job.keepIndexes) return job.cacheMb;
  const randomKeys = job.tables.includes('applications') ? (job.applications * 128) / 1024 ** 2 : 0;
  return Math.min(job.cacheMb, Math.ceil(64 + randomKeys));
}

/** Helper threads of SQLite's sorter for the index builds (PRAGMA threads). */
const SORTER_THREADS = 2;

/**
 * The page cache of the index builds: at most 256 MiB (it also sizes the sorter's runs). At
 * 1,000,000, two writers, the feed index took 17.8–19.3 s with 64 or 256 MiB against 23.3–23.5 s
 * with 2 GiB, sorting in memory (docs/benchmarks.md, round eight): a larger cache is fresh memory
 * for the index's new pages, not fewer reads (the table comes through the memory map).
 */
function indexCacheMb(job: Pick<PartitionJob, 'cacheMb'>): number {
  return Math.min(job.cacheMb, 256);
}

/**
 * Builds indexes by sorting, once each, on a loading connection; returns each one's seconds. Used by
 * the writers for their own tables, and by the merge for the history's indexes when they are built
 * after it (GenerateOptions.historyIndexesAfterMerge).
 */
export function buildIndexes(db: SQLite.Database, indexes: readonly { readonly name: string; readonly sql: string }[], o: Pick<PartitionJob, 'cacheMb' | 'sortInMemory'>): Record<string, number> {
  const seconds: Record<string, number> = {};
  if (indexes.length === 0) return seconds;
  db.pragma(`cache_size = -${Math.round(indexCacheMb(o) * 1024)}`);
  // The table is read through a memory map (SQLite caps it at its build's limit, 2 GiB here): its
  // pages come from the kernel's page cache as they are, instead of being copied into fresh cache
  // memory (history, 200,000, four pairs alternated: 2.9–3.6 instead of 3.7–4.5 CPU s to build).
  db.pragma(`mmap_size = ${2 ** 40}`);
  if (!o.sortInMemory) {
    // The sorter spills runs of the cache's size to temporary files, each sorted by a helper
    // thread while this one reads on (with temp_store=MEMORY it keeps every key in one list and
    // sorts it alone, at the end). One writer, 1,000,000: the feed index in 9.3–11.3 instead of
    // 18.2–20.9 s, the same CPU in all; the files take about 1.4 times the index on disk while it is built.
    db.pragma('temp_store = FILE');
    db.pragma(`threads = ${SORTER_THREADS}`);
  }
  for (const index of indexes) {
    const t0 = performance.now();
    db.exec(index.sql);
    seconds[index.name] = Math.round((performance.now() - t0) / 100) / 10;
  }
  return seconds;
}

/** Opens a writer's file with the load settings: no rollback journal, no fsync, a large page cache. */
export function openForLoad(file: string, cacheMb: number): SQLite.Database {
  const db = new SQLite(file);
  // better-sqlite3 opens connections in SQLite's defensive mode, which refuses journal_mode=OFF
  // without an error (the pragma answers the old mode): the product's migrations leave the file in
  // WAL, so the load used to run in WAL, every page written twice (to the log, then by the
  // automatic checkpoints). Unsafe mode lifts defensive mode for this loading connection only.
  db.unsafeMode(true);
  db.pragma('journal_mode = OFF');
  const mode = db.pragma('journal_mode', { simple: true });
  if (mode !== 'off') throw new Error(`${file}: journal_mode stayed ${String(mode)}`);
  db.pragma('synchronous = OFF');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('temp_store = MEMORY');
  db.pragma(`cache_size = -${Math.round(cacheMb * 1024)}`);
  db.pragma('foreign_keys = OFF');
  return db;
}

/**
 * Writes the job's tables for every application. `progress` is called after each transaction with
 * the applications done so far.
 */
export function runPartition(job: PartitionJob, progress: (applications: number, rows: number) => void): PartitionResult {
  const { set } = job;
  const started = performance.now();
  const cpu0 = threadCpu();
  if (job.files.length !== job.tables.length) throw new Error('a writer needs one file for each of its tables');
  // One connection a file, each with the cache its own tables' keys need.
  const connections = [...new Set(job.files)].map((file) => {
    const tables = job.tables.filter((_, k) => job.files[k] === file);
    return { file, tables, db: openForLoad(file, rowsCacheMb({ ...job, tables })) };
  });
  const dbOf = (table: string) => connections.find((c) => c.tables.includes(table as TableName))!.db;
  const columns = Object.fromEntries(job.tables.map((t) => [t, set.columns[t]])) as Record<TableName, string[]>;
  const counts: Record<string, number> = Object.fromEntries(job.tables.map((t) => [t, 0]));
  // Per template, per table of this writer: its statement (null when the template has no such rows).
  const inserts = new Map<Template, (TemplateInsert | null)[]>();
  for (const t of set.templates) inserts.set(t, TABLES.map((table) => (job.tables.includes(table) ? templateInsert(dbOf(table), table, columns[table], t.rows[table]) : null)));
  const params: unknown[] = [];
  const showsField = (cell: Cell) => cell.k === CellKind.Field || (cell.k === CellKind.Text && (cell.v as TextPart[]).some((p) => p.k === 'field'));
  const needsFields = set.templates.some((t) => job.tables.some((table) => t.rows[table].some((row) => row.some(showsField))));
  const weight = templateWeight(set);
  const normal = picker(set.templates, weight);
  const duePicker = picker(set.templates, (t) => (t.kind === 'deadline' && t.deadlineDays !== null ? weight(t) : 0));
  if (job.due > 0 && duePicker.templates.length === 0) throw new Error('no template has a running deadline');
  // A database of N applications spans the time Japan takes to file N (about six million a year).
  const historyDays = Math.min(1000, Math.max(30, Math.ceil((job.applications * 365) / 6_000_000)));
  const seedHash = hash32(job.seed);
  const rng = new Rng();
  const idRng = new Rng();
  const statusCounts: Record<string, number> = {};
  const counters: Record<string, number> = { payment_lines: 0, notices: 0, status_history: 0 };

  const dayCache = new Map<number, string>();
  const day = (n: number) => {
    let s = dayCache.get(n);
    if (s === undefined) {
      s = dayString(n);
      dayCache.set(n, s);
    }
    return s;
  };
  const iso = isoInstantFormatter();
  const yymmdd = (ms: number) => {
    const s = day(japanDay(ms));
    return `${s.slice(2, 4)}${s.slice(5, 7)}${s.slice(8, 10)}`;
  };

  const values: AppValues = {
    appId: '',
    arrival: '',
    receipt: '',
    shiftDays: 0,
    shiftMs: 0,
    pay: [],
    conf: [],
    fields: { applicantName: '', applicantAddress: '', userName: '', userAddress: '', ownerName: '', ownerAddress: '', vehicleNumber: '', chassisNumber: '' },
  };

  const text = (parts: readonly TextPart[]): string => {
    let s = '';
    for (const p of parts) {
      switch (p.k) {
        case 'lit':
          s += p.v;
          break;
        case 'instant':
          s += iso(p.ms + values.shiftMs);
          break;
        case 'date':
          s += day(p.day + values.shiftDays);
          break;
        case 'arrival':
          s += values.arrival;
          break;
        case 'receipt':
          s += values.receipt;
          break;
        case 'pay':
          s += values.pay[p.n];
          break;
        case 'conf':
          s += values.conf[p.n];
          break;
        case 'field':
          s += values.fields[p.f];
          break;
      }
    }
    return s;
  };

  const emit = (table: TableName, insert: TemplateInsert) => {
    const buf = params;
    buf.length = 0;
    for (const cell of insert.cells) {
      switch (cell.k) {
        case CellKind.AppId:
          buf.push(values.appId);
          break;
        case CellKind.NewId:
          buf.push(orderedId(counters[table]!++, idRng));
          break;
        case CellKind.Instant:
          buf.push(iso((cell.v as number) + values.shiftMs));
          break;
        case CellKind.DeadlineInstant:
          buf.push(iso((cell.v as number) + values.shiftDays * DAY_MS));
          break;
        case CellKind.Date:
          buf.push(day((cell.v as number) + values.shiftDays));
          break;
        case CellKind.Arrival:
          buf.push(values.arrival);
          break;
        case CellKind.Receipt:
          buf.push(values.receipt);
          break;
        case CellKind.PaymentNumber:
          buf.push(values.pay[cell.v as number]);
          break;
        case CellKind.ConfirmationNumber:
          buf.push(values.conf[cell.v as number]);
          break;
        case CellKind.Field:
          buf.push(values.fields[cell.v as FieldName]);
          break;
        case CellKind.Text:
          buf.push(text(cell.v as TextPart[]));
          break;
        default:
          throw new Error(`cell kind ${cell.k} is not a parameter`);
      }
    }
    insert.statement.run(buf);
    counts[table]! += insert.rows;
  };

  let rowsDone = 0;
  for (const c of connections) c.db.exec('begin');
  for (let i = 0; i < job.applications; i++) {
    rng.reset(seedHash ^ Math.imul(i + 1, 0x9e3779b1));
    // Exactly `due` applications, spread evenly over the file, or the last ones written.
    const due = job.duePlacement === 'recent' ? i >= job.applications - job.due : Math.floor(((i + 1) * job.due) / job.applications) > Math.floor((i * job.due) / job.applications);
    const t = due ? pickFrom(duePicker, rng.next()) : pickFrom(normal, rng.next());
    let shiftDays: number;
    if (due) shiftDays = -(t.deadlineDays! + 1 + rng.int(DUE_SPREAD_DAYS));
    else if (t.kind === 'terminal') shiftDays = -rng.int(historyDays + 1);
    else if (t.kind === 'deadline') shiftDays = -rng.int(Math.max(0, t.deadlineDays ?? 0) + 1);
    else shiftDays = -rng.int(WAITING_DAYS + 1);
    // Every event stays before the base day (nothing in the future), and within its own day.
    const jitter = Math.floor((rng.next() * Math.min(JITTER_MS, Math.max(0, set.baseMs - t.lastEventMs - 1000))) / 1000) * 1000;
    values.shiftDays = shiftDays;
    values.shiftMs = shiftDays * DAY_MS + jitter;
    values.appId = orderedId(i, rng);
    const digits = nineDigits(i);
    values.arrival = `${yymmdd(t.filedMs + values.shiftMs)}20${digits}`;
    values.receipt = t.acceptMs !== null ? `${yymmdd(t.acceptMs + values.shiftMs)}10${digits}` : '';
    values.pay.length = 0;
    values.conf.length = 0;
    for (let k = 0; k < t.paymentNumbers; k++) {
      values.pay.push(`3${tenDigits(i)}${k}${pad(rng.int(100_000_000), 8)}`);
      values.conf.push(pad(rng.int(1_000_000), 6));
    }
    const office = t.officeCode;
    const f = values.fields;
    // The names, addresses and plate are drawn last (the stream is reset for each application), so
    // a writer whose tables never show them skips them and its other values stay the same.
    if (needsFields) {
      f.applicantName = applicantName(rng.next);
      f.applicantAddress = address(rng.next, office);
      f.userName = rng.next() < 0.8 ? personName(rng.next) : f.applicantName;
      f.userAddress = address(rng.next, office);
      f.ownerName = personName(rng.next);
      f.ownerAddress = address(rng.next, office);
      f.vehicleNumber = plate(rng.next, office);
      f.chassisNumber = chassisFor(t, i);
    }
    const mineOfT = inserts.get(t)!;
    for (let k = 0; k < TABLES.length; k++) {
      const insert = mineOfT[k];
      if (!insert) continue;
      // Child ids from their own stream: the same whichever writer writes the table.
      idRng.reset(seedHash ^ Math.imul(i + 1, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35));
      emit(TABLES[k]!, insert);
    }
    statusCounts[t.status] = (statusCounts[t.status] ?? 0) + 1;

    if ((i + 1) % APPS_PER_TRANSACTION === 0 || i + 1 === job.applications) {
      for (const c of connections) {
        c.db.exec('commit');
        c.db.exec('begin');
      }
      const now = Object.values(counts).reduce((a, b) => a + b, 0);
      progress(i + 1, now - rowsDone);
      rowsDone = now;
    }
  }
  const rows: Record<string, number> = { ...counts };
  if (job.publicNotifications) {
    // お知らせ for everyone (the portal's top page shows the latest), in the file of the writer's last table.
    const publish = connections.at(-1)!.db.prepare('insert into notifications (id, application_id, title, body, published_at) values (?, null, ?, ?, ?)');
    publish.run('bench-public-1', '窓口の混雑について', '月末は窓口が混雑します。交付物の受け取りは、混雑を避けてお越しください。', new Date(set.baseMs - 2 * DAY_MS).toISOString());
    publish.run('bench-public-2', '自動車検査証の電子化について', '自動車検査証は電子化されています。交付物の受け取りには二次元コードを印刷してお持ちください。', new Date(set.baseMs - 30 * DAY_MS).toISOString());
    rows.notifications = 2;
  }
  for (const c of connections) c.db.exec('commit');
  const insertSeconds = (performance.now() - started) / 1000;
  const insertCpu = cpuSince(cpu0);
  const cpu1 = threadCpu();
  // The indexes by sorting, once, in this thread: the writers build theirs at the same time, one
  // file after another (each connection is closed once its indexes are built).
  const indexSeconds: Record<string, number> = {};
  for (const c of connections) {
    Object.assign(indexSeconds, buildIndexes(c.db, job.indexes.filter((index) => c.tables.includes(index.table as TableName)), job));
    c.db.close();
  }
  return { rows, statuses: statusCounts, insertSeconds: Math.round(insertSeconds * 10) / 10, indexSeconds, cpu: { insert: insertCpu, indexes: cpuSince(cpu1) } };
}
