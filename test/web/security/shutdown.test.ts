import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { fixedClock } from '../../../src/domain/time.js';
import { createRuntime, type Runtime } from '../../../src/server.js';
import { TEST_NOW, silentLogger } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/** A keep-alive HTTP/1.1 connection on which requests are written as the test wishes; `closed` resolves with all the server sent. */
function keepAlive(port: number) {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    data += chunk;
  });
  return {
    send: (path: string) => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`),
    closed: new Promise<string>((resolve) => {
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    }),
  };
}

function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('graceful shutdown: requests in flight finish, new ones get 503, then the database is closed', () => {
  let db: TestDatabase;
  let runtime: Runtime;
  let release: () => void = () => undefined;
  let inFlight = 0;
  let entered: () => void = () => undefined;
  const bothInHandler = new Promise<void>((resolve) => {
    entered = () => {
      inFlight += 1;
      if (inFlight === 2) resolve();
    };
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = { ...loadConfig({ DEMO_DATA: 'off', SWEEP_INTERVAL_SECONDS: '0', PORT: '0', LOG_LEVEL: 'silent' }), database: db.handle.location };
    runtime = await createRuntime(config, silentLogger, fixedClock(TEST_NOW));
    // A test-only route, never in production: waits for the test, then reads the database.
    runtime.app.get('/__test/slow', async () => {
      entered();
      await gate;
      const row = await runtime.database.db.selectFrom('applications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return { finished: true, applications: Number(row.n) };
    });
    await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    release();
    await db.destroy();
  });

  it('lets the slow request finish with its database read, answers a request that comes after 503, refuses new connections, then closes the database', async () => {
    const port = (runtime.app.server.address() as AddressInfo).port;
    // Two keep-alive connections, each with a request in flight when the shutdown begins.
    const connection = keepAlive(port);
    const quiet = keepAlive(port);
    connection.send('/__test/slow');
    quiet.send('/__test/slow');
    await bothInHandler;

    let stopped = false;
    const stopping = runtime.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    // A new request on the open connection, and a new connection, while the slow one is still running.
    connection.send('/online');
    expect(await connectRefused(port)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);

    release();
    const text = await connection.closed;
    // The other connection is closed once its response is done: the shutdown does not wait for its keep-alive timeout (72 s).
    const quietText = await quiet.closed;
    await stopping;
    expect(stopped).toBe(true);
    expect(quietText).toMatch(/^HTTP\/1\.1 200 /);
    expect(quietText.split(/(?=HTTP\/1\.1 )/)).toHaveLength(1);

    const responses = text.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(responses[0]).toContain('{"finished":true,"applications":0}');
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503 /);

    // The runtime's database handle is closed: a query fails.
    await expect(runtime.database.db.selectFrom('applications').select('id').execute()).rejects.toThrow();
    if (runtime.database.sqlite) expect(runtime.database.sqlite.open).toBe(false);
  });
});
