/**
 * npm run bench:payment-group -- [--database sqlite|postgres] [--applications 500] [--repeat 3]
 *
 * まとめ納付 across applications (issue 16): one 納付番号 over N applications, and the payment report
 * that settles it, each one transaction through the product's services.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { KyselyPlugin } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import type { Actor } from '../src/domain/actors.js';
import { validateFiling } from '../src/domain/filing.js';
import { addDays, japanDateOf, systemClock } from '../src/domain/time.js';
import type { ServiceDeps } from '../src/services/context.js';
import { randomIds } from '../src/services/ids.js';
import { createServices, loadServerSecrets } from '../src/services/index.js';
import { argon2Hasher } from '../src/services/passwords.js';
import { accountRepository } from '../src/store/accounts.repository.js';
import { load, machineInfo, parseCount, round1 } from './lib/common.js';
import { runMain } from './lib/cli.js';
import { openFreshDatabase } from './lib/fresh-database.js';
import { machineLines, median, save } from './lib/report.js';
import { fixedHasher } from './lib/templates.js';

const HELP = `Usage: npm run bench:payment-group -- [options]

On a fresh database (a temporary SQLite file with the product's settings, or a new schema on the
PostgreSQL server at DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, dropped after),
files N applications and brings each to 検査手数料等まとめ払い中 through the services, then times:
  1. services.paymentGroups.create: one まとめ納付 number over the N applications (one transaction);
  2. services.paymentGroups.settle: the payment network's report of that number, every application
     settled with its history (one transaction; what POST /api/v1/payments calls).
Each step reports wall time, the CPU time of this process (process.cpuUsage) and, on PostgreSQL, of
its server backends (/proc/<pid>/stat of the pool's connections), and the number of SQL statements
sent (a Kysely plugin counts them): CPU and statements do not depend on the machine's load.
Repeats with new applications and prints the median. Saves bench/results/latest-payment-group-<db>.*

Options:
  --database sqlite|postgres   (default sqlite)
  --applications N             applications in the number (default 500)
  --repeat R                   measured rounds (default 3)
  -h, --help                   this help`;

const OFFICE: Actor = { kind: 'inspectionOffice', officeCode: 'tokyo', id: 'bench-tokyo', label: '東京主管事務所 ベンチ' };
const PAYEASY: Actor = { kind: 'paymentNetwork', id: 'bench-payeasy', label: 'Pay-easy ベンチ' };

/** Counts the statements Kysely sends (every query of the services goes through it). */
function statementCounter(): { plugin: KyselyPlugin; count(): number } {
  let n = 0;
  return {
    plugin: {
      transformQuery: (args) => {
        n += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    },
    count: () => n,
  };
}

/** CPU seconds (user + system) of processes by pid, from /proc (the PostgreSQL backends of the pool). */
function procCpuMs(pids: Iterable<number>): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / tick;
    } catch {
      // the backend ended
    }
  }
  return total;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Step {
  wall: number;
  cpu: number;
  dbCpu: number | null;
  statements: number;
}

const BENCH_APP_NAME = `kei-bench-group-${process.pid}`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { database: { type: 'string' }, applications: { type: 'string' }, repeat: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const kind = values.database ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error('--database must be sqlite or postgres');
  const n = parseCount(values.applications ?? '500', '--applications');
  const repeat = parseCount(values.repeat ?? '3', '--repeat');

  const db = await openFreshDatabase(kind, { applicationName: BENCH_APP_NAME });
  try {
    // Password hashing is not what is measured: every application shares one precomputed hash.
    const hash = await argon2Hasher.hash('bench-payment-group');
    const counter = statementCounter();
    const backends = new Set<number>();
    const findBackends = async () => {
      if (kind !== 'postgres') return;
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test' });
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [BENCH_APP_NAME]);
      await client.end();
      for (const r of rows) backends.add(r.pid);
    };
    const database = { ...db.handle, db: db.handle.db.withPlugin(counter.plugin) };
    const deps: ServiceDeps = { database, clock: systemClock, ids: randomIds, passwords: fixedHasher(hash), logger: pino({ level: 'warn' }) };
    const services = createServices(deps, await loadServerSecrets(deps));
    const today = japanDateOf(new Date());
    const filing = validateFiling({
      procedure: 'continuousInspection',
      officeCode: 'tokyo',
      applicantName: 'ベンチ自動車販売',
      applicantAddress: '東京都品川区大崎1-1-1',
      userName: 'ベンチ 太郎',
      userAddress: '東京都品川区大崎2-2-2',
      vehicleNumber: '品川 580 そ 1000',
      chassisNumber: 'JF3-900000',
      vehicleModel: '5BA-JF3',
      weightTaxBand: 'standard',
    });
    if (!filing.ok) throw new Error(JSON.stringify(filing.errors));

    // The 利用者ID that holds them (its list proves ownership).
    const account = 'bench-account';
    const accounts = accountRepository(db.handle.db);
    await accounts.insert({ id: account, userId: '900000000000', kind: 'business', name: 'ベンチ自動車販売', mailAddress: 'bench@kei-oss.example.jp', confirmedAt: new Date(), passwordHash: hash, totpSecret: null, createdAt: new Date() }, new Date());
    const rounds: { create: Step; settle: Step }[] = [];
    const loads: number[] = [];
    const mark = () => ({ wall: performance.now(), cpu: cpuMs(), dbCpu: kind === 'postgres' ? procCpuMs(backends) : null, statements: counter.count() });
    const step = (a: ReturnType<typeof mark>, b: ReturnType<typeof mark>): Step => ({
      wall: round1(b.wall - a.wall),
      cpu: round1(b.cpu - a.cpu),
      dbCpu: a.dbCpu === null || b.dbCpu === null ? null : round1(b.dbCpu - a.dbCpu),
      statements: b.statements - a.statements,
    });
    for (let round = 0; round < repeat; round++) {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const registered = await services.registerApplication(filing.value, 'bench', { kind: 'applicant' });
        if (!registered.ok) throw new Error(registered.refusal.message);
        const id = registered.value.id;
        for (const [actor, event] of [
          [OFFICE, { type: 'accept' }],
          [OFFICE, { type: 'issueFees', dueOn: addDays(today, 14) }],
          [{ kind: 'applicant' }, { type: 'chooseBulkPayment' }],
        ] as const) {
          const r = await services.actOnApplication(id, event, actor);
          if (!r.ok) throw new Error(r.refusal.message);
        }
        ids.push(id);
        await accounts.addApplication(account, id, new Date());
      }
      loads.push(load()[0]!);
      await findBackends();
      const t0 = mark();
      const created = await services.paymentGroups.create(account, ids);
      const t1 = mark();
      if (!created.ok) throw new Error(created.refusal.message);
      const settled = await services.paymentGroups.settle(PAYEASY, created.value.paymentNumber, today);
      const t2 = mark();
      if (!settled.ok || settled.value.transitions.length !== n) throw new Error(settled.ok ? 'not every application was settled' : settled.refusal.message);
      const r = { create: step(t0, t1), settle: step(t1, t2) };
      rounds.push(r);
      const says = (s: Step) => `${s.wall} ms (node CPU ${s.cpu} ms${s.dbCpu === null ? '' : `, PostgreSQL CPU ${s.dbCpu} ms`}, ${s.statements} statements)`;
      console.log(`round ${round + 1} (load ${loads.at(-1)}): number over ${n} applications ${says(r.create)}; payment settling them ${says(r.settle)}`);
    }
    const med = (pick: (r: { create: Step; settle: Step }) => number | null) => {
      const xs = rounds.map(pick).filter((x): x is number => x !== null);
      return xs.length ? median(xs) : null;
    };
    const create = med((r) => r.create.wall);
    const settle = med((r) => r.settle.wall);
    const row = (label: string, which: 'create' | 'settle') =>
      `| ${label} | ${med((r) => r[which].wall)} | ${rounds.map((r) => r[which].wall).join(', ')} | ${med((r) => r[which].cpu)} | ${med((r) => r[which].dbCpu) ?? '-'} | ${med((r) => r[which].statements)} | < 1,000 |`;
    const m = machineInfo();
    const md = [
      `# まとめ納付 over ${n} applications (${kind})`,
      '',
      ...machineLines(m),
      `- load average (1 min) at each round: ${loads.join(', ')}; after: ${load().join(' ')}`,
      '',
      '| step | median wall ms | rounds wall ms | median node CPU ms | median PostgreSQL CPU ms | SQL statements | target (wall) |',
      '| --- | ---: | --- | ---: | ---: | ---: | --- |',
      row(`one 納付番号 over ${n} applications (create)`, 'create'),
      row('the payment that settles it (settle)', 'settle'),
    ].join('\n');
    console.log(md);
    save(`payment-group-${kind}`, { database: kind, applications: n, rounds, loads, median: { create, settle }, machine: m }, md);
    return 0;
  } finally {
    await db.drop();
  }
}

runMain('bench:payment-group', main);
