import type { Selectable } from 'kysely';
import type { WebhookDelivery, WebhookDeliveryState, WebhookEndpoint } from '../domain/webhooks.js';
import type { Executor } from './database.js';
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from './schema.js';

const toEndpoint = (r: Selectable<WebhookEndpointsTable>): WebhookEndpoint => ({
  id: r.id,
  accountId: r.account_id,
  url: r.url,
  createdAt: new Date(r.created_at),
  failingSince: r.failing_since ? new Date(r.failing_since) : null,
  disabledAt: r.disabled_at ? new Date(r.disabled_at) : null,
  disabledReason: r.disabled_reason,
});

const toDelivery = (r: Selectable<WebhookDeliveriesTable>): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  seq: r.seq,
  body: r.body,
  state: r.state as WebhookDeliveryState,
  attempts: r.attempts,
  nextAttemptAt: new Date(r.next_attempt_at),
  lastAttemptAt: r.last_attempt_at ? new Date(r.last_attempt_at) : null,
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: new Date(r.created_at),
});

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery {
  readonly delivery: WebhookDelivery;
  readonly url: string;
  readonly secret: string;
  readonly accountId: string;
  readonly failingSince: Date | null;
}

/** Webhook endpoints and their transactional outbox (issue 17). */
export function webhookRepository(db: Executor, dialect: 'sqlite' | 'postgres') {
  return {
    async insertEndpoint(e: WebhookEndpoint, secret: string): Promise<void> {
      await db
        .insertInto('webhook_endpoints')
        .values({ id: e.id, account_id: e.accountId, url: e.url, secret, created_at: e.createdAt.toISOString(), failing_since: null, disabled_at: null, disabled_reason: null })
        .execute();
    },

    async endpoints(accountId: string): Promise<WebhookEndpoint[]> {
      return (await db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute()).map(toEndpoint);
    },

    async setSecret(accountId: string, id: string, secret: string): Promise<boolean> {
      const r = await db.updateTable('webhook_endpoints').set({ secret }).where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async deleteEndpoint(accountId: string, id: string): Promise<boolean> {
      const r = await db.deleteFrom('webhook_endpoints').where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    /** The live endpoints of every account that holds this application. */
    async endpointsFor(applicationId: string): Promise<{ id: string }[]> {
      return db
        .selectFrom('webhook_endpoints as e')
        .innerJoin('account_applications as aa', 'aa.account_id', 'e.account_id')
        .select('e.id')
        .where('aa.application_id', '=', applicationId)
        .where('e.disabled_at', 'is', null)
        .execute();
    },

    /** `endpointsFor` of many applications in one statement (the deadline sweep's batch): application id → live endpoint ids. */
    async endpointsForMany(applicationIds: readonly string[]): Promise<Map<string, string[]>> {
      const out = new Map<string, string[]>();
      for (let i = 0; i < applicationIds.length; i += 500) {
        const rows = await db
          .selectFrom('webhook_endpoints as e')
          .innerJoin('account_applications as aa', 'aa.account_id', 'e.account_id')
          .select(['aa.application_id', 'e.id'])
          .where('aa.application_id', 'in', applicationIds.slice(i, i + 500))
          .where('e.disabled_at', 'is', null)
          .execute();
        for (const r of rows) out.set(r.application_id, [...(out.get(r.application_id) ?? []), r.id]);
      }
      return out;
    },

    async enqueue(rows: readonly { id: string; endpointId: string; applicationId: string; seq: number; body: string }[], now: Date): Promise<void> {
      if (rows.length === 0) return;
      const at = now.toISOString();
      await db
        .insertInto('webhook_deliveries')
        .values(rows.map((r) => ({ id: r.id, endpoint_id: r.endpointId, application_id: r.applicationId, seq: r.seq, body: r.body, state: 'queued', attempts: 0, next_attempt_at: at, last_attempt_at: null, last_status: null, last_error: null, created_at: at, delivered_at: null })))
        .onConflict((oc) => oc.columns(['endpoint_id', 'application_id', 'seq']).doNothing())
        .execute();
    },

    /** Claims due deliveries of live endpoints for a lease (PostgreSQL: rows another worker holds are skipped). */
    async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
      let q = db
        .selectFrom('webhook_deliveries as d')
        .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
        .selectAll('d')
        .select(['e.url', 'e.secret', 'e.account_id', 'e.failing_since'])
        .where('d.state', '=', 'queued')
        .where('d.next_attempt_at', '<=', now.toISOString())
        .where('e.disabled_at', 'is', null)
        .orderBy('d.next_attempt_at')
        .orderBy('d.created_at')
        .limit(limit);
      if (dialect === 'postgres') q = q.forUpdate('d').skipLocked();
      const rows = await q.execute();
      if (rows.length === 0) return [];
      await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({ next_attempt_at: leaseUntil.toISOString(), attempts: eb('attempts', '+', 1) }))
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.map((r) => ({
        delivery: { ...toDelivery(r), attempts: r.attempts + 1 },
        url: r.url,
        secret: r.secret,
        accountId: r.account_id,
        failingSince: r.failing_since ? new Date(r.failing_since) : null,
      }));
    },

    async markDelivered(id: string, endpointId: string, status: number, at: Date): Promise<void> {
      await db.updateTable('webhook_deliveries').set({ state: 'delivered', last_status: status, last_error: null, last_attempt_at: at.toISOString(), delivered_at: at.toISOString() }).where('id', '=', id).execute();
      await db.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', '=', endpointId).where('failing_since', 'is not', null).execute();
    },

    async markRetry(id: string, endpointId: string, next: Date, status: number | null, error: string, at: Date): Promise<void> {
      await db.updateTable('webhook_deliveries').set({ next_attempt_at: next.toISOString(), last_status: status, last_error: error.slice(0, 500), last_attempt_at: at.toISOString() }).where('id', '=', id).execute();
      await db.updateTable('webhook_endpoints').set({ failing_since: at.toISOString() }).where('id', '=', endpointId).where('failing_since', 'is', null).execute();
    },

    /** Disables an endpoint (once): its waiting deliveries fail with it. True if this call disabled it. */
    async disable(endpointId: string, reason: string, at: Date): Promise<boolean> {
      const r = await db.updateTable('webhook_endpoints').set({ disabled_at: at.toISOString(), disabled_reason: reason }).where('id', '=', endpointId).where('disabled_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await db.updateTable('webhook_deliveries').set({ state: 'failed', last_error: reason }).where('endpoint_id', '=', endpointId).where('state', '=', 'queued').execute();
      return true;
    },

    async enable(accountId: string, id: string): Promise<boolean> {
      const r = await db.updateTable('webhook_endpoints').set({ disabled_at: null, disabled_reason: null, failing_since: null }).where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async recentDeliveries(endpointId: string, limit: number): Promise<WebhookDelivery[]> {
      return (await db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()).map(toDelivery);
    },
  };
}
