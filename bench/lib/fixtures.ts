import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { inspectionOffices } from '../../src/domain/offices.js';
import { SESSION_ABSOLUTE_MS } from '../../src/services/sessions.js';
import { openDatabase, parseDatabaseUrl, type DatabaseHandle } from '../../src/store/database.js';
import { loadApplication } from '../../src/store/applications.repository.js';
import { historyRepository } from '../../src/store/history.repository.js';
import { notificationRepository } from '../../src/store/notifications.repository.js';
import { sessionRepository } from '../../src/store/sessions.repository.js';
import { ROOT } from './common.js';
import { CLI } from './server.js';

/** What the load needs from the database: applications to look at, sessions, payment targets, a token. */

export interface SampleApplication {
  readonly id: string;
  /** The number the applicant logs in with: 受付番号, or 到達番号 when none was issued. */
  readonly number: string;
  readonly status: string;
}

export function openBench(databaseUrl: string): DatabaseHandle {
  return openDatabase(parseDatabaseUrl(databaseUrl, ROOT), { poolSize: 4, statementTimeoutMs: 600_000 });
}

/**
 * `count` applications spread evenly over the whole table (so over the whole file), whatever
 * their status: the status page is looked at for old and new applications alike.
 */
export async function sampleApplications(handle: DatabaseHandle, count: number): Promise<SampleApplication[]> {
  if (handle.sqlite) {
    const max = (handle.sqlite.prepare('select max(rowid) as m from applications').get() as { m: number | null }).m ?? 0;
    if (max === 0) throw new Error('the database has no applications: run npm run bench:data first');
    const stmt = handle.sqlite.prepare('select id, coalesce(receipt_number, arrival_number) as number, status from applications where rowid >= ? order by rowid limit 1');
    const out: SampleApplication[] = [];
    const seen = new Set<string>();
    for (let k = 0; k < count; k++) {
      const row = stmt.get(1 + Math.floor((k * max) / count)) as SampleApplication | undefined;
      if (row && !seen.has(row.id)) {
        seen.add(row.id);
        out.push(row);
      }
    }
    return out;
  }
  // PostgreSQL: a random sample of pages, then of rows.
  const total = Number((await handle.db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const percent = Math.min(100, (count * 150) / Math.max(1, total));
  const { rows } = await handle.pool!.query<SampleApplication>(
    `select id, coalesce(receipt_number, arrival_number) as number, status from applications tablesample system (${percent}) limit ${count}`,
  );
  return rows;
}

/**
 * Reads each application as the status page does (its row, parts, history, お知らせ), once, so that
 * its pages are in the operating system's cache: the measurement is then of a server whose day's
 * applications are in memory, as they are after a few minutes of real use. Returns the seconds the
 * cold reads took (a first visit to an application whose pages are on disk only).
 */
export async function warmApplications(handle: DatabaseHandle, apps: readonly SampleApplication[]): Promise<number> {
  const t0 = performance.now();
  for (const app of apps) {
    await loadApplication(handle, app.id);
    await historyRepository(handle.db, handle.dialect).list(app.id);
    await notificationRepository(handle.db).forApplication(app.id);
  }
  return (performance.now() - t0) / 1000;
}

/** Live applicant sessions, one per application, started now (as a login would). Returns the cookie tokens. */
export async function createSessions(handle: DatabaseHandle, apps: readonly SampleApplication[]): Promise<string[]> {
  const now = new Date();
  const tokens = apps.map(() => randomBytes(32).toString('base64url'));
  const chunk = 1000;
  for (let i = 0; i < apps.length; i += chunk) {
    await handle.db.transaction().execute(async (tx) => {
      const repo = sessionRepository(tx);
      for (let k = i; k < Math.min(apps.length, i + chunk); k++) {
        await repo.insert(tokens[k]!, {
          kind: 'applicant',
          applicationId: apps[k]!.id,
          staffUserId: null,
          createdAt: now,
          lastSeenAt: now,
          expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
        });
      }
    });
  }
  return tokens;
}

/**
 * Marks the applicant sessions seen now. The first views take longer than a minute on a loaded
 * machine; without this every measured view would also write last_seen_at (once a minute per
 * session, src/services/sessions.ts), a write and a disk flush a request instead of the reads the
 * status page is measured for.
 */
export async function touchApplicantSessions(handle: DatabaseHandle): Promise<void> {
  await handle.db.updateTable('sessions').set({ last_seen_at: new Date().toISOString() }).where('kind', '=', 'applicant').execute();
}

/** Removes the applicant sessions (the ones this harness made, and those its logins made). */
export async function deleteApplicantSessions(handle: DatabaseHandle): Promise<number> {
  const r = await handle.db.deleteFrom('sessions').where('kind', '=', 'applicant').executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Gives `share` of these applications (spread evenly over the list) a confirmed 連絡先メールアドレス
 * of its own, as applicants register one on the status page (issue 15); returns how many. Their
 * unsubscribe tokens start with `bench-<tag>-`, so that removeContacts takes away these and no other.
 */
export async function giveContacts(handle: DatabaseHandle, ids: readonly string[], share: number, tag: string): Promise<number> {
  if (share === 0) return 0;
  const now = new Date().toISOString();
  const chosen = ids.filter((_, i) => Math.floor((i + 1) * share) > Math.floor(i * share));
  for (let i = 0; i < chosen.length; i += 1000) {
    await handle.db
      .insertInto('contact_addresses')
      .values(chosen.slice(i, i + 1000).map((id) => ({ application_id: id, address: `applicant-${id.slice(0, 8)}${id.slice(-4)}@example.jp`, confirmed_at: now, token_hash: null, token_expires_at: null, unsubscribed_at: null, unsubscribe_token: `bench-${tag}-${id}`, updated_at: now })))
      .onConflict((oc) => oc.column('application_id').doNothing())
      .execute();
  }
  return chosen.length;
}

/** Removes the 連絡先 giveContacts gave under `tag`. */
export async function removeContacts(handle: DatabaseHandle, tag: string): Promise<number> {
  const r = await handle.db.deleteFrom('contact_addresses').where('unsubscribe_token', 'like', `bench-${tag}-%`).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export interface PaymentTarget {
  readonly number: string;
  readonly stage: 'inspectionFees' | 'weightTax';
  /** Whether 自動車重量税 is due after the fees (not for an exempt car). */
  readonly weightTaxDue: boolean;
}

/**
 * Applications a payment network may report a payment for right now: 検査手数料等納付待ち or
 * 自動車重量税納付待ち (a Pay-easy number issued, not まとめ払い), before their deadline. Found by
 * the (office, status, deadline) index, office by office.
 */
export async function paymentTargets(handle: DatabaseHandle, limit: number): Promise<PaymentTarget[]> {
  const now = new Date().toISOString();
  const out: PaymentTarget[] = [];
  const offices = Object.keys(inspectionOffices);
  const per = Math.ceil(limit / offices.length / 2);
  for (const office of offices) {
    for (const [status, stage] of [
      ['inspectionFeesDue', 'inspectionFees'],
      ['weightTaxDue', 'weightTax'],
    ] as const) {
      const rows = await handle.db
        .selectFrom('applications')
        .select(['receipt_number', 'weight_tax_band'])
        .where('office_code', '=', office)
        .where('status', '=', status)
        .where('deadline_at', '>', now)
        .limit(per)
        .execute();
      for (const r of rows) if (r.receipt_number) out.push({ number: r.receipt_number, stage, weightTaxDue: stage === 'inspectionFees' && r.weight_tax_band !== 'exempt' });
    }
  }
  // Interleave offices and stages, so that the load does not walk one office after another.
  return out.sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
}

export interface ApiToken {
  readonly id: string;
  readonly token: string;
}

/**
 * A bearer token of the agency API, made by the product's own command (`kei-oss create-api-token`).
 * Null when this build has no agency API yet.
 */
export function createApiToken(databaseUrl: string, role: 'paymentNetwork' | 'attachmentSource', name: string): ApiToken | null {
  const r = spawnSync(process.execPath, [CLI, 'create-api-token', '--name', name, '--role', role, '--json'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', NODE_ENV: 'production', DEMO_DATA: 'off' },
    encoding: 'utf8',
  });
  if (r.status !== 0) return null;
  try {
    const parsed = JSON.parse(r.stdout) as { id: string; token: string };
    return parsed.token ? { id: parsed.id, token: parsed.token } : null;
  } catch {
    return null;
  }
}

export function revokeApiToken(databaseUrl: string, id: string): void {
  spawnSync(process.execPath, [CLI, 'revoke-api-token', '--id', id], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', NODE_ENV: 'production', DEMO_DATA: 'off' },
    encoding: 'utf8',
  });
}

/** The CSRF cookie and a form token, as a browser has them after opening 状況照会 ログイン. */
/**
 * Opens each session's status page once (eight at a time), as each applicant of the day would have
 * looked once already: the measurement is then of a server whose pages are kept (the status page
 * cache), as they are for every view after an applicant's first. Returns the seconds it took.
 */
export async function viewEach(baseUrl: string, tokens: readonly string[], csrfCookie: string): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++]!;
      const res = await fetch(`${baseUrl}/inquiry/status`, { headers: { cookie: `kei_session=${token}; ${csrfCookie}` } });
      if (res.status !== 200) throw new Error(`status page: ${res.status} while viewing each page once`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return (performance.now() - started) / 1000;
}

export async function csrfPair(baseUrl: string): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${baseUrl}/inquiry/login`);
  const html = await res.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('kei_csrf='));
  if (!token || !csrf) throw new Error('no CSRF token or cookie on /inquiry/login');
  return { cookie: cookies.join('; '), token };
}
