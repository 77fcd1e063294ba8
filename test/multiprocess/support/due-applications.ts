import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import { seedDemo } from '../../../src/demo/seed.js';
import { statuses } from '../../../src/domain/statuses.js';
import type { DatabaseHandle } from '../../../src/store/database.js';
import type { Database } from '../../../src/store/schema.js';
import { silentLogger } from '../../support/app.js';

export interface DueApplications {
  readonly ids: string[];
  /** How many wait for a correction (補正期限) and how many for a payment (納付期限). */
  readonly corrections: number;
  readonly payments: number;
}

const CHUNK = 100;
let calls = 0;

/**
 * `count` applications whose running deadline has passed by `sweepAt`, inserted fast: the demo
 * applications that have a running deadline (built by replaying their events, on `seededAt`) are
 * copied row for row, with new ids and numbers, by multi-row inserts through Kysely; the demo
 * applications themselves are removed (other rows are left alone). Every copy is a real application in a due state, with its
 * attachments, payment lines, notices and history.
 */
export async function insertDueApplications(handle: DatabaseHandle, count: number, seededAt: Date): Promise<DueApplications> {
  const db = handle.db;
  calls += 1;
  const before = new Set((await db.selectFrom('applications').select('id').execute()).map((r) => r.id));
  await seedDemo(handle, { logger: silentLogger, now: seededAt, reset: true });
  const demo = (await db.selectFrom('applications').select('id').execute()).map((r) => r.id).filter((id) => !before.has(id));
  const templates = (await db.selectFrom('applications').selectAll().where('deadline_at', 'is not', null).orderBy('id').execute()).filter((t) => demo.includes(t.id));
  if (templates.length === 0) throw new Error('the demo has no application with a running deadline');
  const parts = async (id: string) => ({
    attachments: await db.selectFrom('attachments').selectAll().where('application_id', '=', id).execute(),
    lines: await db.selectFrom('payment_lines').selectAll().where('application_id', '=', id).execute(),
    notices: await db.selectFrom('notices').selectAll().where('application_id', '=', id).execute(),
    history: await db.selectFrom('status_history').selectAll().where('application_id', '=', id).execute(),
  });
  const templateParts = await Promise.all(templates.map((t) => parts(t.id)));
  await db.deleteFrom('notifications').where('id', 'like', 'demo-%').execute();
  await db.deleteFrom('applications').where('id', 'in', demo).execute();

  const ids: string[] = [];
  let corrections = 0;
  let payments = 0;
  for (let start = 0; start < count; start += CHUNK) {
    const apps: Insertable<Database['applications']>[] = [];
    const attachments: Insertable<Database['attachments']>[] = [];
    const lines: Insertable<Database['payment_lines']>[] = [];
    const notices: Insertable<Database['notices']>[] = [];
    const history: Insertable<Database['status_history']>[] = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      const t = templates[i % templates.length]!;
      const p = templateParts[i % templates.length]!;
      const id = randomUUID();
      ids.push(id);
      if (statuses[t.status as keyof typeof statuses].deadline === 'correction') corrections += 1;
      else payments += 1;
      const serial = `${calls.toString().padStart(3, '0')}${String(i).padStart(13, '0')}`;
      // A 新車's 車両番号 is issued once (issue 14): the copies do not hold the demo's, so that the
      // demo can be seeded again (next call) without its 審査完了 being refused.
      const vehicle_number = t.procedure === 'newVehicle' ? null : t.vehicle_number;
      apps.push({ ...t, id, arrival_number: `8${serial}`, receipt_number: t.receipt_number === null ? null : `9${serial}`, vehicle_number });
      for (const a of p.attachments) attachments.push({ ...a, application_id: id });
      for (const l of p.lines) lines.push({ ...l, id: randomUUID(), application_id: id });
      for (const n of p.notices) notices.push({ ...n, id: randomUUID(), application_id: id });
      for (const h of p.history) history.push({ ...h, id: randomUUID(), application_id: id });
    }
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('applications').values(apps).execute();
      if (attachments.length) await tx.insertInto('attachments').values(attachments).execute();
      if (lines.length) await tx.insertInto('payment_lines').values(lines).execute();
      if (notices.length) await tx.insertInto('notices').values(notices).execute();
      if (history.length) await tx.insertInto('status_history').values(history).execute();
    });
  }
  return { ids, corrections, payments };
}
