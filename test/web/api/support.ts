import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Actor } from '../../../src/domain/actors.js';
import type { ApplicationEvent } from '../../../src/domain/events.js';
import type { TestApp } from '../../support/app.js';
import { TestBrowser, textOf } from '../../support/browser.js';

/**
 * Helpers for the agency-side tests: an API client per token, and the applicant's own view of an
 * application (logging in through the portal, as a person would, from an address of its own so
 * that the login rate limit per address does not mix unrelated logins).
 */

let nextAddress = 0;
/** A new client address for each simulated person (10.3.x.y). */
export function freshAddress(): string {
  nextAddress += 1;
  return `10.3.${Math.floor(nextAddress / 250) % 250}.${(nextAddress % 250) + 1}`;
}

export function browserFor(app: FastifyInstance): TestBrowser {
  return new TestBrowser(app, { remoteAddress: freshAddress() });
}

export interface ApiClient {
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  event(number: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export function apiClient(app: FastifyInstance, token: string): ApiClient {
  const auth = { authorization: `Bearer ${token}` };
  const client: ApiClient = {
    get: (url, headers = {}) => app.inject({ method: 'GET', url, headers: { ...auth, ...headers } }),
    post: (url, body, headers = {}) =>
      app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    event: (number, body, headers = {}) => client.post(`/api/v1/applications/${number}/events`, body, headers),
  };
  return client;
}

export interface AgencyTokens {
  readonly tokyo: ApiClient;
  readonly nerima: ApiClient;
  readonly tokyoTax: ApiClient;
  readonly osakaTax: ApiClient;
  readonly payment: ApiClient;
  readonly attachments: ApiClient;
  readonly ids: Readonly<Record<'tokyo' | 'nerima' | 'tokyoTax' | 'osakaTax' | 'payment' | 'attachments', string>>;
}

/** One token of each role (and a second office and tax office, to be refused). */
export async function agencyTokens(t: TestApp): Promise<AgencyTokens> {
  const make = async (name: string, role: string, officeCode?: string) => {
    const r = await t.services.apiTokens.create({ name, role, officeCode });
    if (!r.ok) throw new Error(r.refusal.message);
    return r.value;
  };
  const tokyo = await make('東京主管事務所 審査システム', 'inspectionOffice', 'tokyo');
  const nerima = await make('練馬支所 審査システム', 'inspectionOffice', 'nerima');
  const tokyoTax = await make('東京都 軽自動車税申告窓口', 'taxOffice', 'tokyoTax');
  const osakaTax = await make('大阪府 軽自動車税申告窓口', 'taxOffice', 'osakaTax');
  const payment = await make('Pay-easy 収納機関', 'paymentNetwork');
  const attachments = await make('添付書類取得元システム', 'attachmentSource');
  return {
    tokyo: apiClient(t.app, tokyo.token),
    nerima: apiClient(t.app, nerima.token),
    tokyoTax: apiClient(t.app, tokyoTax.token),
    osakaTax: apiClient(t.app, osakaTax.token),
    payment: apiClient(t.app, payment.token),
    attachments: apiClient(t.app, attachments.token),
    ids: { tokyo: tokyo.record.id, nerima: nerima.record.id, tokyoTax: tokyoTax.record.id, osakaTax: osakaTax.record.id, payment: payment.record.id, attachments: attachments.record.id },
  };
}

export const json = (res: LightMyRequestResponse) => JSON.parse(res.body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const PASSWORD = 'kei2026pass';

export function continuousFiling(overrides: Record<string, unknown> = {}) {
  return {
    procedure: 'continuousInspection',
    officeCode: 'tokyo',
    password: PASSWORD,
    applicantName: '品川オートサービス',
    applicantAddress: '東京都品川区東品川2-2-2',
    userName: '東品川 太郎',
    userAddress: '東京都品川区東品川3-3-3',
    vehicleNumber: '品川 580 す 4321',
    chassisNumber: 'JF5-7654321',
    vehicleModel: '6BA-JF5',
    weightTaxBand: 'standard',
    ...overrides,
  };
}

export function newCarFiling(overrides: Record<string, unknown> = {}) {
  return {
    procedure: 'newVehicle',
    officeCode: 'tokyo',
    password: PASSWORD,
    applicantName: '麻布モータース株式会社',
    applicantAddress: '東京都港区麻布十番1-1-1',
    userName: '麻布 花子',
    userAddress: '東京都港区麻布十番2-2-2',
    ownerSameAsUser: true,
    chassisNumber: 'LA650S-2000001',
    vehicleModel: '5BA-LA650S',
    weightTaxBand: 'standard',
    acquisitionPrice: 1_650_000,
    environmentalTaxRate: 1,
    preferredNumber: true,
    ...overrides,
  };
}

/** What the applicant sees: logs in on the portal with the number and password, returns the page text. */
export async function applicantPage(app: FastifyInstance, number: string, password = PASSWORD): Promise<{ text: string; html: string }> {
  const page = await browserFor(app).login(number, password);
  if (page.statusCode !== 200) throw new Error(`status page: ${page.statusCode}`);
  return { text: textOf(page.body), html: page.body };
}

/** The applicant's own events (補正申請, 取り下げ) go through the same door the portal uses. */
export async function applicantActs(t: TestApp, number: string, event: ApplicationEvent): Promise<void> {
  const id = await t.services.findApplicationId(number as never);
  if (!id) throw new Error(`no application ${number}`);
  const actor: Actor = { kind: 'applicant' };
  const r = await t.services.actOnApplication(id, event, actor);
  if (!r.ok) throw new Error(r.refusal.message);
}
