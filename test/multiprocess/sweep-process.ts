/**
 * One deadline sweeper in its own process, for test/multiprocess/sweeper.test.ts:
 *   node --import tsx test/multiprocess/sweep-process.ts <schema> <now ISO>
 * Opens the test database's schema, prints "ready", waits for "go" on stdin (so that two of them
 * start at once), runs the sweep the server runs, and prints its result as one JSON line.
 */
import { createInterface } from 'node:readline';
import pino from 'pino';
import { fixedClock } from '../../src/domain/time.js';
import type { ServiceDeps } from '../../src/services/context.js';
import { randomIds } from '../../src/services/ids.js';
import { createServices, loadServerSecrets } from '../../src/services/index.js';
import { argon2Hasher } from '../../src/services/passwords.js';
import { openDatabase } from '../../src/store/database.js';
import { DEFAULT_TEST_DATABASE_URL } from '../support/database.js';

const [schema, now] = process.argv.slice(2);
if (!schema || !now) throw new Error('usage: sweep-process.ts <schema> <now ISO>');

const database = openDatabase({ kind: 'postgres', url: process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL, schema }, { poolSize: 2 });
const logger = pino({ level: 'warn' });
const deps: ServiceDeps = { database, clock: fixedClock(now), ids: randomIds, passwords: argon2Hasher, logger };
const services = createServices(deps, await loadServerSecrets(deps));

const lines = createInterface({ input: process.stdin });
console.log('ready');
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();

const result = await services.sweepDeadlines();
console.log(JSON.stringify({ result, pid: process.pid }));
await database.close();
