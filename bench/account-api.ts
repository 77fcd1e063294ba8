/**
 * npm run bench:account-api -- [--database sqlite|postgres] [--filler N]
 *
 * The 一括申請 API (issue 17) on a fresh SQLite database (or a new PostgreSQL schema at DATABASE_URL,
 * dropped after), through the HTTP routes (app.inject):
 * 500 applications filed in one request, a bulk status of 1,000 numbers, a changes-feed page of 1,000,
 * and 10,000 webhook deliveries drained to a local node:http receiver by the product's delivery step.
 * --filler N first adds N history rows of other accounts' applications (so the feed's query runs
 * among many rows it must skip). Prints the figures with this process's CPU seconds (all its threads:
 * libuv's pool hashes the passwords) and the load average (docs/benchmarks.md quotes them), and the
 * floor of the bulk filing: 500 × one argon2id hash's CPU ÷ the cores.
 * Decision 0017: the passwords are stored encrypted and hashed after the answer by the background
 * hasher (started as `serve` starts it); the time until every one is hashed is printed apart.
 * --hash-in-request: without PENDING_PASSWORD_KEY, hashed inside the request (decision 0014).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { validateFiling, type FilingInput } from '../src/domain/filing.js';
import { systemClock } from '../src/domain/time.js';
import type { ServiceDeps } from '../src/services/context.js';
import { randomIds } from '../src/services/ids.js';
import { createServices, loadServerSecrets } from '../src/services/index.js';
import { ARGON2_OPTIONS, argon2Hasher } from '../src/services/passwords.js';
import { makeWebhookDelivery } from '../src/services/webhooks.js';
import { makePendingPasswordCipher } from '../src/services/pending-password-cipher.js';
import { startPasswordHasher } from '../src/jobs/password-hasher.js';
import { webhookRepository } from '../src/store/account-api-webhooks.repository.js';
import { buildApp } from '../src/web/app.js';
import { runMain } from './lib/cli.js';
import { openFreshDatabase } from './lib/fresh-database.js';
import { load, parseCount } from './lib/common.js';

const HELP = `Usage: npm run bench:account-api -- [--database sqlite|postgres] [--filler N]

Options:
  --database sqlite|postgres   a temporary SQLite file (default), or a new schema on DATABASE_URL
                               (default postgres://postgres@127.0.0.1:5432/test), dropped after
  --filler N                   history rows of other applications added first (default 0)
  --precomputed-hash           every password "hashed" to one hash made at the start: the filing's
                               cost without argon2 (to compare the writes alone); never in production
  --hash-in-request            no PENDING_PASSWORD_KEY: the passwords hashed inside the request
                               (decision 0014) instead of after the answer (decision 0017)
  --skip-webhooks              leave out the 10,000 webhook deliveries
  -h, --help                   this help`;

/** CPU seconds of this process (every thread) since `from`. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return Math.round((u.user + u.system) / 1e4) / 100;
};
const loadText = () => `load ${load().join(' ')}`;

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function row(i: number) {
  return {
    rowKey: `bench-${i}`,
    password: 'dealer2026pass',
    procedure: 'continuousInspection',
    officeCode: 'tokyo',
    applicantName: '大崎モータース',
    applicantAddress: '東京都品川区大崎1-1-1',
    userName: `使用者 ${i}`,
    userAddress: '東京都品川区大崎2-2-2',
    vehicleNumber: '品川 580 そ 1000',
    chassisNumber: `JF3-${String(1_000_000 + i)}`,
    vehicleModel: '5BA-JF3',
    weightTaxBand: 'standard',
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { database: { type: 'string' }, filler: { type: 'string' }, 'precomputed-hash': { type: 'boolean' }, 'skip-webhooks': { type: 'boolean' }, 'hash-in-request': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const filler = parseCount(values.filler ?? '0', '--filler');
  const kind = values.database ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error('--database must be sqlite or postgres');
  const fresh = await openFreshDatabase(kind);
  const database = fresh.handle;
  const logger = pino({ level: 'silent' });
  try {
    console.log(`database: ${kind}, ${availableParallelism()} cores, ${loadText()}`);
    // The floor of the bulk filing: one hash's CPU, measured here, times 500, over the cores.
    const c0 = process.cpuUsage();
    for (let i = 0; i < 20; i++) await argon2Hasher.hash(`floor-${i}-password`);
    const hashCpu = cpuSince(c0) / 20;
    console.log(`argon2id (m=${ARGON2_OPTIONS.memoryCost} KiB, t=${ARGON2_OPTIONS.timeCost}, p=${ARGON2_OPTIONS.parallelism}): ${Math.round(hashCpu * 10000) / 10} ms CPU a hash; floor of 500 rows = ${Math.round((500 * hashCpu) / availableParallelism() * 100) / 100} s on ${availableParallelism()} cores`);
    const precomputed = values['precomputed-hash'] ? await argon2Hasher.hash('dealer2026pass') : null;
    const passwords = precomputed === null ? argon2Hasher : { hash: () => Promise.resolve(precomputed), verify: (h: string, p: string) => argon2Hasher.verify(h, p) };
    if (precomputed !== null) console.log('passwords: one precomputed hash (the writes alone)');
    // Decision 0017 as `serve` runs it with PENDING_PASSWORD_KEY set (a random key here unless given).
    const pendingPasswords = values['hash-in-request'] ? null : makePendingPasswordCipher(process.env.PENDING_PASSWORD_KEY?.trim() || randomBytes(32).toString('hex'));
    console.log(pendingPasswords ? 'passwords: encrypted with the row, hashed after the answer by the background hasher (decision 0017)' : 'passwords: hashed inside the request (--hash-in-request, decision 0014)');
    const deps: ServiceDeps = { database, clock: systemClock, ids: randomIds, passwords, logger, pendingPasswords };
    const secrets = await loadServerSecrets(deps);
    const services = createServices(deps, secrets);
    const app = await buildApp({ services, cookieSecret: secrets.cookieSecret, logger });
    await app.ready();
    const hasher = pendingPasswords ? startPasswordHasher(services.pendingPasswordHashing, logger) : null;
    const reg = await services.accounts.register({ kind: 'business', name: '大崎モータース株式会社', mailAddress: 'bench@example.jp', password: 'kei dealer passphrase 2026' }, { clientAddress: null });
    if (!reg.ok) throw new Error(reg.refusal.message);
    const tk = await services.accountApi.tokens.create(reg.value.accountId, { name: 'bench', scopes: ['read', 'file', 'act'], days: 30 });
    if (!tk.ok) throw new Error(tk.refusal.message);
    const headers = { authorization: `Bearer ${tk.value.token}`, 'content-type': 'application/json' };

    if (filler > 0) {
      // Other applications' history: one application row, then its history rows at increasing feed positions.
      const t0 = performance.now();
      const valid = validateFiling({ ...row(-1), chassisNumber: 'JF3-0999999' } as FilingInput);
      if (!valid.ok) throw new Error('filler');
      const one = await services.registerApplication(valid.value, 'dealer2026pass', { kind: 'applicant' });
      if (!one.ok) throw new Error('filler');
      const at = new Date().toISOString();
      const fillerRow = (i: number) => ({ id: `filler-${i}`, application_id: one.value.id, seq: i + 2, event: 'arrive', from_status: null, to_status: 'awaitingAcceptance', actor_kind: 'applicant', actor_id: null, actor_label: '申請者', reason: null, details: '{}', occurred_at: at, feed_position: i + 2 });
      await database.db.transaction().execute(async (tx) => {
        for (let i = 0; i < filler; i += 2000) await tx.insertInto('status_history').values(Array.from({ length: Math.min(2000, filler - i) }, (_, j) => fillerRow(i + j))).execute();
      });
      console.log(`filler: ${filler.toLocaleString('en')} history rows in ${ms(t0)} ms`);
    }

    let t0 = performance.now();
    const loadBefore = loadText();
    let c1 = process.cpuUsage();
    const filed = await app.inject({ method: 'POST', url: '/api/v1/account/applications', headers, payload: JSON.stringify({ applications: Array.from({ length: 500 }, (_, i) => row(i)) }) });
    const fileMs = ms(t0);
    const results = filed.json<{ filed: number; results: { arrivalNumber: string }[] }>();
    console.log(`bulk filing: 500 rows in ${fileMs} ms, ${cpuSince(c1)} CPU s (filed ${results.filed}; ${loadBefore} before, ${loadText()} after)`);
    if (hasher) {
      // The background hasher (2 hashes at a time) after the answer: until no password is pending.
      const left = await services.pendingPasswordHashing.pendingCount();
      while ((await services.pendingPasswordHashing.pendingCount()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      console.log(`passwords hashed: ${left} pending at the answer, all hashed ${ms(t0)} ms after the request began (${Math.round(ms(t0) - fileMs)} ms after the answer), ${cpuSince(c1)} CPU s since the request (${loadText()})`);
    }
    // The same request again with its keys: every row answered from its stored answer, nothing hashed.
    t0 = performance.now();
    c1 = process.cpuUsage();
    const again = await app.inject({ method: 'POST', url: '/api/v1/account/applications', headers, payload: JSON.stringify({ applications: Array.from({ length: 500 }, (_, i) => row(i)) }) });
    const replayed = again.json<{ results: { replayed?: boolean }[] }>().results.filter((r) => r.replayed).length;
    console.log(`bulk filing retried: 500 rows in ${ms(t0)} ms, ${cpuSince(c1)} CPU s (replayed ${replayed})`);

    const numbers = [...results.results.map((r) => r.arrivalNumber), ...Array.from({ length: 500 }, (_, i) => `2612${String(i).padStart(13, '0')}`)];
    const query: number[] = [];
    for (let i = 0; i < 7; i++) {
      t0 = performance.now();
      const res = await app.inject({ method: 'POST', url: '/api/v1/account/applications/query', headers, payload: JSON.stringify({ numbers }) });
      if (res.statusCode !== 200) throw new Error(res.body);
      query.push(ms(t0));
    }
    console.log(`bulk status: 1,000 numbers, median ${median(query)} ms (runs ${query.join(', ')}; ${loadText()})`);

    // 500 more changes (acceptance), so that the feed holds 1,000 of the account's.
    const office = { kind: 'inspectionOffice', officeCode: 'tokyo', id: 'bench', label: 'bench' } as const;
    for (const r of results.results) {
      const id = await services.findApplicationId(r.arrivalNumber as never);
      if (id) await services.actOnApplication(id, { type: 'accept' }, office);
    }
    const feed: number[] = [];
    let count = 0;
    for (let i = 0; i < 7; i++) {
      t0 = performance.now();
      const res = await app.inject({ method: 'GET', url: '/api/v1/account/changes?limit=1000', headers });
      feed.push(ms(t0));
      count = res.json<{ changes: unknown[] }>().changes.length;
    }
    console.log(`changes feed: a page of ${count}, median ${median(feed)} ms (runs ${feed.join(', ')}; ${loadText()})`);

    if (values['skip-webhooks']) {
      hasher?.stop();
      await hasher?.idle();
      await app.close();
      return 0;
    }
    // 10,000 webhook messages to a local receiver.
    let received = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const endpoint = await services.webhooks.register(reg.value.accountId, url);
    if (!endpoint.ok) throw new Error(endpoint.refusal.message);
    const ids = await database.db.selectFrom('applications').select('id').limit(500).execute();
    const messages = Array.from({ length: 10_000 }, (_, i) => ({ id: `msg_bench${i}`, endpointId: endpoint.value.endpoint.id, applicationId: ids[i % ids.length]!.id, seq: 1000 + i, body: JSON.stringify({ type: 'application.status_changed', data: { seq: i } }) }));
    await database.db.transaction().execute(async (tx) => {
      for (let i = 0; i < messages.length; i += 1000) await webhookRepository(tx, database.dialect).enqueue(messages.slice(i, i + 1000), new Date(Date.now() - 1000));
    });
    const delivery = makeWebhookDelivery(deps);
    t0 = performance.now();
    c1 = process.cpuUsage();
    for (;;) {
      const run = await delivery.deliverDue();
      if (run.claimed === 0) break;
    }
    console.log(`webhooks: ${received.toLocaleString('en')} delivered in ${ms(t0)} ms, ${cpuSince(c1)} CPU s (${loadText()})`);
    server.close();
    hasher?.stop();
    await hasher?.idle();
    await app.close();
  } finally {
    await fresh.drop();
  }
  return 0;
}

runMain('bench:account-api', main);
