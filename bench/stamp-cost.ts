/**
 * npx tsx bench/stamp-cost.ts data/bench/bench-100000.sqlite | postgres://…
 *
 * The CPU of what a view of a kept status page reads besides the session (issue 18, decision 0016):
 * before, the stamp and the mail section's two statements through the builder (as
 * contactAddresses.panel runs them); now, the one stamp statement that also returns the mail
 * section. process.cpuUsage over 3 × 2,000 applications after one warm-up pass.
 */
import { CompiledQuery } from 'kysely';
import { openBench, sampleApplications } from './lib/fixtures.js';
import { mailRepository } from '../src/store/mail.repository.js';
import { applicationStamp } from '../src/store/applications.repository.js';

const url = process.argv[2] ?? '';
if (!url) throw new Error('usage: npx tsx bench/stamp-cost.ts <sqlite file | postgres://…>');
const handle = openBench(url);
const apps = await sampleApplications(handle, 2000);
const repo = mailRepository(handle.db, handle.dialect);
async function cpu(label: string, f: (id: string) => Promise<unknown>) {
  for (const a of apps) await f(a.id); // warm
  const t = process.cpuUsage();
  const rounds = 3;
  for (let r = 0; r < rounds; r++) for (const a of apps) await f(a.id);
  const u = process.cpuUsage(t);
  console.log(`${label}: ${((u.user + u.system) / (rounds * apps.length)).toFixed(1)} µs CPU a call (${url.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'})`);
}
await cpu('mail section, two builder statements (before)', (id) => Promise.all([repo.contact(id), repo.latestForApplication(id)]));
await cpu('stamp with the mail section, one prepared statement (after)', (id) => applicationStamp(handle, id));
/** The stamp statement before decision 0016 (without the mail section). */
const OLD =
  'select a.version as version, (select count(*) from notifications n where n.application_id = a.id) as notifications, (select max(n.published_at) from notifications n where n.application_id = a.id) as latest, (select count(*) from account_applications aa where aa.application_id = a.id) as held from applications a where a.id = ';
const sqlite = handle.sqlite;
if (sqlite) {
  const old = sqlite.prepare(`${OLD}?`);
  await cpu('old stamp alone, prepared (before)', (id) => handle.db.connection().execute(async () => old.get(id)));
} else {
  await cpu('old stamp alone (before)', (id) => handle.db.executeQuery(CompiledQuery.raw(`${OLD}$1`, [id])));
}
await handle.close();
