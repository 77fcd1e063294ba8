import type { Application } from './application.js';
import { eventLabels, type HistoryDraft } from './events.js';
import { ok, refuse, type Result } from './result.js';
import { statuses } from './statuses.js';

/** Webhooks of a 利用者ID (issue 17), signed as the Standard Webhooks specification says. */

/** An endpoint whose deliveries have failed for this many days is disabled, and the account is mailed. */
export const WEBHOOK_DISABLE_AFTER_DAYS = 3;
/** Endpoints per account. */
export const WEBHOOK_ENDPOINTS_MAX = 5;
/** The event type every message carries. */
export const WEBHOOK_EVENT_TYPE = 'application.status_changed';

export interface WebhookEndpoint {
  readonly id: string;
  readonly accountId: string;
  readonly url: string;
  readonly createdAt: Date;
  readonly failingSince: Date | null;
  readonly disabledAt: Date | null;
  readonly disabledReason: string | null;
}

export type WebhookDeliveryState = 'queued' | 'delivered' | 'failed';
export const webhookDeliveryStateLabels: Record<WebhookDeliveryState, string> = { queued: '送信待ち（再送予定を含む）', delivered: '送信済', failed: '送信失敗' };

export interface WebhookDelivery {
  readonly id: string;
  readonly endpointId: string;
  readonly seq: number;
  readonly body: string;
  readonly state: WebhookDeliveryState;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastAttemptAt: Date | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
}

/** The JSON body of a change's message: fixed at enqueue, so that every attempt sends the same bytes. */
export function webhookPayload(app: Application, seq: number, h: HistoryDraft): string {
  return JSON.stringify({
    type: WEBHOOK_EVENT_TYPE,
    timestamp: h.occurredAt.toISOString(),
    data: {
      arrivalNumber: app.arrivalNumber,
      receiptNumber: app.receiptNumber,
      seq,
      event: h.event,
      eventLabel: eventLabels[h.event],
      fromStatus: h.fromStatus,
      toStatus: h.toStatus,
      toStatusLabel: statuses[h.toStatus].label,
      occurredAt: h.occurredAt.toISOString(),
    },
  });
}

export const INTERNAL_ADDRESS_MESSAGE = '内部のネットワーク（プライベート・ループバック・リンクローカル）のアドレスには送信できません。';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An endpoint's URL: HTTPS; plain HTTP only to a loopback host outside production (development and
 * tests). In production the service also refuses hosts that are, or resolve to, internal addresses
 * (decision 0011: SSRF).
 */
export function parseEndpointUrl(input: string, production: boolean): Result<URL> {
  const text = input.trim();
  let url: URL;
  try {
    if (text.length > 500) throw new Error('long');
    url = new URL(text);
  } catch {
    return refuse('invalidInput', 'URL は https:// で始まる500文字以内の URL で指定してください。');
  }
  if (url.username || url.password) return refuse('invalidInput', 'URL に利用者名やパスワードを含めないでください。');
  const loopback = LOOPBACK_NAMES.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback && !production)) {
    return refuse('invalidInput', production ? 'URL は https:// で始まる URL で指定してください。' : 'URL は https:// で始まる URL で指定してください（http:// は開発時のローカルホストのみ）。');
  }
  if (production && loopback) return refuse('invalidInput', INTERNAL_ADDRESS_MESSAGE);
  return ok(url);
}
