import type { Kysely } from 'kysely';

/**
 * The account log of the 一括申請 API (issue 17; frozen in time: never edit, add a new migration).
 * - account_log.detail: what a line is about beyond a 受付番号, as the user reads it: the name of an
 *   API token issued or revoked, the address of a webhook endpoint registered, rotated, disabled,
 *   enabled again or deleted. Never a token or a secret.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('account_log').addColumn('detail', 'text').execute();
}
