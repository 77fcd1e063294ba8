import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_PASSWORD, generateSqlite, type GenerateReport } from '../../../bench/lib/generator.js';
import { STATUS_MIX } from '../../../bench/lib/partition.js';
import { inspectionOffices } from '../../../src/domain/offices.js';
import { procedures } from '../../../src/domain/procedures.js';
import { deadlineInstant, stepMarks } from '../../../src/domain/rules.js';
import { statuses, type StatusCode } from '../../../src/domain/statuses.js';
import { fixedClock, japanDateOf } from '../../../src/domain/time.js';
import { parseVehicleNumber } from '../../../src/domain/vehicle.js';
import type { ServiceDeps } from '../../../src/services/context.js';
import { randomIds } from '../../../src/services/ids.js';
import { createServices, loadServerSecrets } from '../../../src/services/index.js';
import { argon2Hasher } from '../../../src/services/passwords.js';
import { loadApplication } from '../../../src/store/applications.repository.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/store/database.js';
import { historyRepository } from '../../../src/store/history.repository.js';
import { buildApp } from '../../../src/web/app.js';
import { silentLogger, TEST_NOW } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';

/**
 * npm run bench:data: the generated applications are ones the product could have made — every
 * part its status implies, consistent with the domain's rules, readable by the product's own code —
 * and the same options give the same numbers.
 */
const APPLICATIONS = 4000;
const DUE = 40;

describe('bench:data (the benchmark database generator)', () => {
  let dir: string;
  let file: string;
  let report: GenerateReport;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kei-oss-bench-'));
    file = join(dir, 'bench.sqlite');
    report = await generateSqlite({ applications: APPLICATIONS, due: DUE, out: file, seed: 'test', now: TEST_NOW, cacheMb: 64, writers: 2, deferIndexes: true, check: true, log: () => undefined });
    handle = openDatabase({ kind: 'sqlite', path: file });
  }, 240_000);
  afterAll(async () => {
    await handle?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes N applications of both procedures and every status, and reports rows and size', () => {
    expect(report.applications).toBe(APPLICATIONS);
    expect(report.rows.applications).toBe(APPLICATIONS);
    for (const t of ['attachments', 'payment_lines', 'notices', 'status_history']) expect(report.rows[t]).toBeGreaterThan(0);
    expect(report.totalRows).toBe(Object.values(report.rows).reduce((a, b) => a + b, 0));
    expect(report.bytes).toBeGreaterThan(0);
    // Where the CPU went: each writer thread (its tables, its rows, its indexes) and the merge.
    expect(report.writerCpuSeconds.map((w) => w.tables)).toEqual(['status_history', 'applications+attachments+payment_lines+notices']);
    for (const w of report.writerCpuSeconds) for (const seconds of [w.insert, w.indexes]) expect(seconds).toBeGreaterThanOrEqual(0);
    expect(report.mergeCpuSeconds).toBeGreaterThanOrEqual(0);
    const counted = handle.sqlite!.prepare('select procedure, status, count(*) as n from applications group by procedure, status').all() as { procedure: keyof typeof STATUS_MIX; status: StatusCode; n: number }[];
    for (const [procedure, mix] of Object.entries(STATUS_MIX)) {
      for (const status of Object.keys(mix)) expect(counted.some((c) => c.procedure === procedure && c.status === status), `${procedure} ${status}`).toBe(true);
    }
    // Every status of the catalogue that belongs to a procedure is in the mix.
    for (const [code, def] of Object.entries(statuses)) {
      for (const p of def.procedures) expect(Object.keys(STATUS_MIX[p]), `${p} ${code}`).toContain(code);
    }
  });

  it('gives every row an id of its own, UUID-shaped, counting up in the order the rows were written (before the sweep below adds its own)', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const table of ['applications', 'payment_lines', 'notices', 'status_history']) {
      const ids = handle.sqlite!.prepare(`select id from ${table} order by rowid`).pluck().all() as string[];
      expect(ids.length, table).toBe(report.rows[table]);
      expect(ids.filter((id) => !uuid.test(id)), table).toEqual([]);
      expect(new Set(ids).size, table).toBe(ids.length);
      // The first 12 hex digits count up: each row was appended to its primary-key index.
      const ordered = ids.map((id) => id.slice(0, 13));
      expect(ordered, table).toEqual([...ordered].sort());
      expect(new Set(ordered).size, table).toBe(ids.length);
    }
    // The history's instants, shifted, in the form the product writes them.
    const instants = handle.sqlite!.prepare('select occurred_at from status_history').pluck().all() as string[];
    expect(instants.filter((t) => new Date(t).toISOString() !== t)).toEqual([]);
  });

  it('has exactly the product schema (its migrations, every index), in WAL mode, with nothing left behind', async () => {
    const fresh = openDatabase({ kind: 'sqlite', path: join(dir, 'fresh.sqlite') });
    await migrateToLatest(fresh);
    const schema = (db: SQLite.Database) => db.prepare("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_stat%' order by type, name").all();
    expect(schema(handle.sqlite!)).toEqual(schema(fresh.sqlite!));
    expect(handle.sqlite!.prepare('select name from kysely_migration order by name').all()).toEqual(fresh.sqlite!.prepare('select name from kysely_migration order by name').all());
    await fresh.close();
    expect(handle.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
    expect(existsSync(`${file}.json`)).toBe(true);
  });

  it('gives every application the parts its status implies, consistent with the rules', async () => {
    const history = historyRepository(handle.db, handle.dialect);
    const rows = handle.sqlite!.prepare('select id, deadline_at from applications').all() as { id: string; deadline_at: string | null }[];
    const today = japanDateOf(TEST_NOW);
    let passed = 0;
    for (const row of rows) {
      const app = (await loadApplication(handle, row.id))!;
      const def = statuses[app.status];
      const label = `${app.arrivalNumber} ${app.status}`;
      expect((def.procedures as readonly string[]).includes(app.procedure), label).toBe(true);
      expect(() => stepMarks(app)).not.toThrow();
      // The stored deadline (which the sweeper's index reads) is the one the rules derive.
      expect(row.deadline_at, label).toBe(deadlineInstant(app)?.toISOString() ?? null);
      if (row.deadline_at && row.deadline_at <= TEST_NOW.toISOString()) passed += 1;
      // The history: every version, from the arrival to the current status, in order, in the past.
      const entries = await history.list(app.id);
      expect(entries.map((e) => e.seq), label).toEqual(Array.from({ length: app.version }, (_, i) => i + 1));
      expect(entries[0]!.event).toBe('arrive');
      expect(entries.at(-1)!.toStatus).toBe(app.status);
      for (let i = 1; i < entries.length; i++) expect(entries[i]!.fromStatus, label).toBe(entries[i - 1]!.toStatus);
      for (let i = 1; i < entries.length; i++) expect(entries[i]!.occurredAt.getTime()).toBeGreaterThanOrEqual(entries[i - 1]!.occurredAt.getTime());
      expect(entries.at(-1)!.occurredAt.getTime()).toBeLessThanOrEqual(TEST_NOW.getTime());
      expect(app.statusChangedAt.getTime()).toBeLessThanOrEqual(TEST_NOW.getTime());
      // 到達番号 carries the filing day, 受付番号 (only after 受付) the acceptance day.
      expect(app.arrivalNumber.slice(0, 6)).toBe(japanDateOf(app.filedAt).replace(/-/g, '').slice(2));
      const accept = entries.find((e) => e.event === 'accept');
      expect(app.receiptNumber !== null, label).toBe(accept !== undefined);
      if (accept) {
        expect(app.receiptNumber!.slice(0, 6)).toBe(japanDateOf(accept.occurredAt).replace(/-/g, '').slice(2));
        expect(accept.details).toEqual({ receiptNumber: app.receiptNumber });
      }
      expect(app.attachments.map((a) => a.kind)).toEqual([...procedures[app.procedure].attachments]);
      if (app.vehicle.vehicleNumber) {
        const plate = parseVehicleNumber(app.vehicle.vehicleNumber);
        expect(plate.ok, label).toBe(true);
        if (plate.ok) expect(inspectionOffices[app.officeCode].plateRegions as readonly string[]).toContain(plate.value.region);
      }
      // Pay-easy: the lines of a stage share one 納付番号 (20 digits) and 確認番号 (6 digits), or none yet (まとめ納付 before the number is taken).
      for (const stage of new Set(app.paymentLines.map((l) => l.stage))) {
        const lines = app.paymentLines.filter((l) => l.stage === stage && l.status !== 'notRequired');
        const numbers = new Set(lines.map((l) => l.paymentNumber));
        expect(numbers.size, label).toBeLessThanOrEqual(1);
        for (const l of lines) {
          if (l.paymentNumber !== null) expect(l.paymentNumber).toMatch(/^3\d{19}$/);
          if (l.confirmationNumber !== null) expect(l.confirmationNumber).toMatch(/^\d{6}$/);
          if (l.status === 'paid') expect(l.paidOn! <= today).toBe(true);
        }
      }
    }
    expect(passed).toBe(DUE);
  }, 240_000);

  it('is readable by the product: the sweep expires exactly the applications past their deadline', async () => {
    const deps: ServiceDeps = { database: handle, clock: fixedClock(TEST_NOW), ids: randomIds, passwords: argon2Hasher, logger: silentLogger };
    const services = createServices(deps, await loadServerSecrets(deps));
    const result = await services.sweepDeadlines();
    expect(result.examined).toBe(DUE);
    expect(result.expiredCorrections + result.expiredPayments).toBe(DUE);
    expect(result.skipped).toBe(0);
    const left = handle.sqlite!.prepare('select count(*) as n from applications where deadline_at <= ?').get(TEST_NOW.toISOString()) as { n: number };
    expect(left.n).toBe(0);
  });

  it('is readable by the product: the status page shows an application of every status; the shared password logs in', async () => {
    const deps: ServiceDeps = { database: handle, clock: fixedClock(TEST_NOW), ids: randomIds, passwords: argon2Hasher, logger: silentLogger };
    const secrets = await loadServerSecrets(deps);
    const services = createServices(deps, secrets);
    const app = await buildApp({ services, cookieSecret: secrets.cookieSecret, logger: silentLogger });
    try {
      const samples = handle.sqlite!.prepare('select id, status, coalesce(receipt_number, arrival_number) as number from applications group by procedure, status').all() as { id: string; status: StatusCode; number: string }[];
      expect(samples.length).toBeGreaterThanOrEqual(30);
      for (const s of samples) {
        const { token } = await services.sessions.start('applicant', { applicationId: s.id });
        const page = await app.inject({ method: 'GET', url: '/inquiry/status', headers: { cookie: `kei_session=${token}` } });
        expect(page.statusCode, s.status).toBe(200);
        expect(textOf(page.body)).toContain(`現在の申請状況 ${statuses[s.status].label} 状況更新日時：`);
      }
      // The two-step login with the password every generated application shares (a few: 30 a minute per address).
      for (const s of samples.slice(0, 3)) {
        const page = await new TestBrowser(app).login(s.number, BENCH_PASSWORD);
        expect(page.statusCode).toBe(200);
        expect(textOf(page.body)).toContain(`現在の申請状況 ${statuses[s.status].label}`);
      }
    } finally {
      await app.close();
    }
  }, 120_000);

  it('gives the same numbers, names and history for the same options', async () => {
    const digest = (path: string) => {
      const db = new SQLite(path, { readonly: true });
      try {
        const h = createHash('sha256');
        for (const r of db.prepare('select id, arrival_number, receipt_number, status, applicant_name, vehicle_number, filed_at from applications order by rowid').iterate()) h.update(JSON.stringify(r));
        for (const r of db.prepare('select id, seq, details, occurred_at from status_history order by rowid').iterate()) h.update(JSON.stringify(r));
        for (const r of db.prepare('select id, payment_number, confirmation_number, due_on from payment_lines order by rowid').iterate()) h.update(JSON.stringify(r));
        return h.digest('hex');
      } finally {
        db.close();
      }
    };
    const options = { applications: 300, due: 5, seed: 'same', now: TEST_NOW, cacheMb: 16, deferIndexes: true, check: false, log: () => undefined };
    await generateSqlite({ ...options, out: join(dir, 'a.sqlite'), writers: 1 });
    await generateSqlite({ ...options, out: join(dir, 'b.sqlite'), writers: 2 });
    expect(digest(join(dir, 'a.sqlite'))).toBe(digest(join(dir, 'b.sqlite')));
    // Three writers (four tables in files of their own, merged one file after another), the
    // indexes sorted in memory instead of by the sorter's threads, the history's indexes built
    // after the merge: the same rows, sound indexes, and for the sort the same pages.
    await generateSqlite({ ...options, out: join(dir, 'c.sqlite'), writers: 3 });
    await generateSqlite({ ...options, out: join(dir, 'd.sqlite'), writers: 2, sortInMemory: true });
    await generateSqlite({ ...options, out: join(dir, 'e.sqlite'), writers: 2, historyIndexesAfterMerge: true });
    const pages = (path: string) => {
      const db = new SQLite(path, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true }), path).toBe('ok');
        return db.pragma('page_count', { simple: true }) as number;
      } finally {
        db.close();
      }
    };
    expect(digest(join(dir, 'c.sqlite'))).toBe(digest(join(dir, 'b.sqlite')));
    expect(digest(join(dir, 'd.sqlite'))).toBe(digest(join(dir, 'b.sqlite')));
    expect(pages(join(dir, 'd.sqlite'))).toBe(pages(join(dir, 'b.sqlite')));
    pages(join(dir, 'c.sqlite'));
    // The feed index built after the merge: the same rows and the same number of pages (the index last).
    expect(digest(join(dir, 'e.sqlite'))).toBe(digest(join(dir, 'b.sqlite')));
    expect(pages(join(dir, 'e.sqlite'))).toBe(pages(join(dir, 'b.sqlite')));
    expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
  }, 120_000);

  it('places the due applications evenly (spread) or as the last ones written (recent, --due-placement)', async () => {
    const dueIndexes = (path: string) => {
      const db = new SQLite(path, { readonly: true });
      try {
        const rows = db.prepare('select deadline_at from applications order by id').all() as { deadline_at: string | null }[];
        return rows.flatMap((r, i) => (r.deadline_at !== null && r.deadline_at <= TEST_NOW.toISOString() ? [i] : []));
      } finally {
        db.close();
      }
    };
    const options = { applications: 300, due: 6, seed: 'placement', now: TEST_NOW, cacheMb: 16, deferIndexes: true, check: false, writers: 2, log: () => undefined };
    await generateSqlite({ ...options, out: join(dir, 'spread.sqlite') });
    await generateSqlite({ ...options, out: join(dir, 'recent.sqlite'), duePlacement: 'recent' });
    expect(dueIndexes(join(dir, 'spread.sqlite'))).toEqual([49, 99, 149, 199, 249, 299]);
    expect(dueIndexes(join(dir, 'recent.sqlite'))).toEqual([294, 295, 296, 297, 298, 299]);
  }, 120_000);
});
