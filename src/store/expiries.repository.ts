import { CompiledQuery } from 'kysely';
import type { Expiry } from '../domain/expiry.js';
import { accountListing, oweListBumps } from './accounts.repository.js';
import type { Executor } from './database.js';

/** Applications per statement: two parameters each (the id, the id with its version), well under both databases' limits. */
const CHUNK = 5_000;

/** Parameters of one raw statement: `?` on SQLite, `$n` on PostgreSQL. */
function params(dialect: 'sqlite' | 'postgres') {
  const values: (string | number | null)[] = [];
  const add = (v: string | number | null) => {
    values.push(v);
    return dialect === 'postgres' ? `$${values.length}` : '?';
  };
  return { values, add, list: (vs: readonly (string | number | null)[]) => vs.map(add).join(', ') };
}

async function run(db: Executor, text: string, values: readonly (string | number | null)[]): Promise<{ id: string }[]> {
  return (await db.executeQuery(CompiledQuery.raw(text, [...values]) as CompiledQuery<{ id: string }>)).rows;
}

function groupBy<T>(all: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of all) {
    const list = out.get(key(t));
    if (list) list.push(t);
    else out.set(key(t), [t]);
  }
  return out;
}

function* chunks<T>(all: readonly T[], size = CHUNK): Generator<T[]> {
  for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
}

/**
 * 期限切れ applied in bulk (decision 0018): the domain decided each expiry (`decideExpiry`); this
 * writes what its plan says, in a few set-based statements per plan instead of rows rebuilt one by
 * one. Never reads or rewrites the payment lines and attachments an expiry does not change.
 */
export function expiryRepository(db: Executor, dialect: 'sqlite' | 'postgres') {
  return {
    /**
     * Per status expired from: ONE `UPDATE applications … WHERE id IN (…) AND status = from AND
     * id:version IN (…) RETURNING id` (the version read is the guard: an application changed since
     * is not written, and is absent from the answer); then, for the applications written, the
     * notices the plan settles, the notice it adds, the 利用者ID lists' rows and the list versions
     * owed. Returns the ids written.
     */
    async apply(expiries: readonly Expiry[], at: Date): Promise<Set<string>> {
      const now = at.toISOString();
      const written = new Set<string>();
      for (const group of groupBy(expiries, (x) => x.plan.from).values()) {
        const { plan } = group[0]!;
        for (const chunk of chunks(group)) {
          const p = params(dialect);
          const text =
            `update applications set status = ${p.add(plan.to)}, status_changed_at = ${p.add(now)}, updated_at = ${p.add(now)}, deadline_at = null, version = version + 1` +
            (plan.clearsCorrectionDeadline ? ', correction_deadline = null' : '') +
            ` where id in (${p.list(chunk.map((x) => x.applicationId))}) and status = ${p.add(plan.from)}` +
            ` and id || ':' || version in (${p.list(chunk.map((x) => `${x.applicationId}:${x.fromVersion}`))}) returning id`;
          for (const r of await run(db, text, p.values)) written.add(r.id);
        }
      }
      const done = expiries.filter((x) => written.has(x.applicationId));
      // The open notices the plan settles (a correction request), all kinds of one plan in one statement.
      for (const group of groupBy(done, (x) => x.plan.settlesNotices.join(',')).values()) {
        const kinds = group[0]!.plan.settlesNotices;
        if (kinds.length === 0) continue;
        for (const chunk of chunks(group)) {
          const p = params(dialect);
          const text = `update notices set resolved_at = ${p.add(now)} where application_id in (${p.list(chunk.map((x) => x.applicationId))}) and resolved_at is null and kind in (${p.list(kinds)})`;
          await run(db, text, p.values);
        }
      }
      for (const chunk of chunks(done, 1_000)) {
        const p = params(dialect);
        const rows = chunk.map(({ applicationId, notice: n }) => `(${p.list([n.id, applicationId, n.kind, n.agencyName, n.deadline, n.reasonTitle, n.reasonDetail, n.issuedAt.toISOString(), null])})`);
        await run(db, `insert into notices (id, application_id, kind, agency_name, deadline, reason_title, reason_detail, issued_at, resolved_at) values ${rows.join(', ')}`, p.values);
      }
      // The 利用者ID's 申請一覧 keeps its order on account_applications (decision 0009): the same listing for every application of one plan.
      for (const group of groupBy(done, (x) => x.plan.to).values()) {
        const l = accountListing(group[0]!.plan.to, null, now);
        for (const chunk of chunks(group)) {
          const p = params(dialect);
          const text = `update account_applications set status = ${p.add(l.status)}, list_rank = ${p.add(l.list_rank)}, sort_deadline = ${p.add(l.sort_deadline)}, status_changed_at = ${p.add(l.status_changed_at)} where application_id in (${p.list(chunk.map((x) => x.applicationId))})`;
          await run(db, text, p.values);
        }
      }
      // Status, its time and the deadline are shown in 申請一覧: the lists holding these owe a new version.
      if (done.length > 0) await oweListBumps(db, done.map((x) => x.applicationId));
      return written;
    },
  };
}
