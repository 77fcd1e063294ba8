import { japanDateOf } from '../../src/domain/time.js';
import type { ApiToken, PaymentTarget, SampleApplication } from './fixtures.js';
import type { Scenario } from './load.js';

/** The scenarios of `npm run bench`, in the order they run. */

export const SCENARIO_KEYS = ['ceiling', 'status', 'status-identity', 'login', 'api-read', 'api-event', 'top'] as const;

/** What a browser sends (Chromium, Firefox): pages come back compressed, as they would to an applicant. */
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd';
export type ScenarioKey = (typeof SCENARIO_KEYS)[number];

/** A different client address for each request (10.0.0.0/8), as seen through the trusted proxy. */
function addresses(): () => string {
  let i = 0;
  return () => {
    i = (i + 1) % 16_777_216;
    return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  };
}

function rotate<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('nothing to rotate over');
  let i = 0;
  return () => items[i++ % items.length]!;
}

export function ceiling(): Scenario {
  let n = 0;
  return {
    key: 'ceiling',
    title: '1. ceiling: GET /__bench/hello (fixed small JSON, same process)',
    method: 'GET',
    path: '/__bench/hello',
    expect: 200,
    // A changing header, so that the load generator does the same per-request work as in the others.
    next: () => ({ headers: { 'x-bench-request': String(n++) } }),
    note: 'Fastify with every plugin and hook of the product, no database: the most this process and this load generator can do on this machine.',
  };
}

/** `compressed`: the browser's Accept-Encoding (a kept page goes out gzip, spliced from parts compressed once); otherwise none (identity). */
export function statusPage(tokens: readonly string[], csrfCookie: string, compressed = true): Scenario {
  const next = rotate(tokens);
  return {
    key: compressed ? 'status' : 'status-identity',
    title: `2${compressed ? '' : 'b'}. status page: GET /inquiry/status, ${tokens.length.toLocaleString('en')} sessions of as many applications${compressed ? `, Accept-Encoding: ${BROWSER_ENCODINGS} (a kept page goes gzip, spliced)` : ', uncompressed (no Accept-Encoding)'}`,
    method: 'GET',
    path: '/inquiry/status',
    expect: 200,
    next: () => ({ headers: { cookie: `kei_session=${next()}; ${csrfCookie}`, ...(compressed ? { 'accept-encoding': BROWSER_ENCODINGS } : {}) } }),
    note: `Each request carries the session of another application (rotating), and the CSRF cookie a browser has. Each page was viewed once before the measurement (an applicant's first view renders and keeps it): session lookup, the application's version read, the kept page with a fresh CSRF token${compressed ? ', sent as gzip assembled from the parts compressed when the page was kept (decision 0008, round three; before it, brotli 1 per request)' : ', inflated and sent uncompressed'}. STATUS_PAGE_CACHE_MB=0 measures every view rendered.`,
  };
}

export function loginPassword(apps: readonly SampleApplication[], password: string, cookies: string, csrfToken: string): Scenario {
  const next = rotate(apps);
  const address = addresses();
  return {
    key: 'login',
    title: '3. login step 2: POST /inquiry/login/password (argon2id verify)',
    method: 'POST',
    path: '/inquiry/login/password',
    expect: 303,
    next: () => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies, 'x-forwarded-for': address() },
      body: new URLSearchParams({ receiptNumber: next().number, password, _csrf: csrfToken }).toString(),
    }),
    note: 'The right password for a different application each time, from a different client address each time (the per-address limit of 30 a minute applies per client, as behind a proxy); each login verifies the argon2id hash, counts the attempt and starts a session.',
  };
}

export function apiRead(apps: readonly SampleApplication[], token: ApiToken): Scenario {
  const next = rotate(apps);
  return {
    key: 'api-read',
    title: '4a. agency API: GET /api/v1/applications/:number',
    method: 'GET',
    path: '/api/v1/applications/x',
    expect: 200,
    next: () => ({ path: `/api/v1/applications/${next().number}`, headers: { authorization: `Bearer ${token.token}` } }),
    note: 'A payment-network token (it may read any application), a different application each time; the answer is the application with its whole history as JSON.',
  };
}

export function apiEvent(targets: readonly PaymentTarget[], token: ApiToken): Scenario {
  // Each payment once; paying the fees makes 自動車重量税 due, whose payment joins the end of the queue.
  const queue: PaymentTarget[] = [...targets];
  let i = 0;
  const next = () => {
    const t = queue[i % queue.length]!;
    if (i < queue.length && t.weightTaxDue) queue.push({ number: t.number, stage: 'weightTax', weightTaxDue: false });
    i += 1;
    return t;
  };
  const paidOn = japanDateOf(new Date());
  return {
    key: 'api-event',
    title: '4b. agency API: POST /api/v1/applications/:number/events (recordPayment)',
    method: 'POST',
    path: '/api/v1/applications/x/events',
    expect: 200,
    next: () => {
      const t = next();
      return {
        path: `/api/v1/applications/${t.number}/events`,
        headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'recordPayment', stage: t.stage, paidOn }),
      };
    },
    note: `The payment network reports a payment (納付の完了) for a different application each time, each stage once (${targets.length.toLocaleString('en')} applications awaiting a payment; paying the fees makes 自動車重量税 due, paid later in the queue): one transaction that loads, checks, saves and appends the history, with synchronous=FULL. These applications move on, as they would: the data drifts a little at each run.`,
  };
}

export function topPage(): Scenario {
  let n = 0;
  return {
    key: 'top',
    title: '5. top page: GET /',
    method: 'GET',
    path: '/',
    expect: 200,
    next: () => ({ headers: { 'x-bench-request': String(n++), 'accept-encoding': BROWSER_ENCODINGS } }),
    note: 'An anonymous visitor: the portal top with the latest お知らせ.',
  };
}
