import type { Generated } from 'kysely';

/**
 * Table types. Portable on SQLite and PostgreSQL: text, integer; instants as ISO-8601 UTC text
 * (sortable), Japan dates as `YYYY-MM-DD`, booleans as 0/1, keys made by the application.
 */
export interface ApplicationsTable {
  id: string;
  procedure: string;
  arrival_number: string;
  receipt_number: string | null;
  status: string;
  status_changed_at: string;
  filed_at: string;
  office_code: string;
  tax_office_code: string;
  applicant_name: string;
  applicant_address: string;
  user_name: string;
  user_name_high: string | null;
  user_address: string;
  owner_same_as_user: number;
  owner_name: string | null;
  owner_name_high: string | null;
  owner_address: string | null;
  vehicle_number: string | null;
  chassis_number: string;
  vehicle_model: string;
  weight_tax_band: string;
  acquisition_price: number | null;
  environmental_tax_rate: number | null;
  agent_commission_number: string | null;
  agent_name: string | null;
  agent_usable: number | null;
  partial_document_examination: string | null;
  examination_completed_on: string | null;
  correction_deadline: string | null;
  /** The instant the running deadline passes (indexed for the sweeper), null when none runs. */
  deadline_at: string | null;
  collection_code_serial: number;
  /** '' while the password waits for the background hasher (password_pending holds it encrypted). */
  password_hash: string;
  /** Decision 0017: the 申請用パスワード AES-256-GCM-encrypted until hashed, then null; never shown anywhere. */
  password_pending: string | null;
  /** A background hasher's claim on the pending row (ISO instant); null when none. */
  password_claimed_until: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface AttachmentsTable {
  application_id: string;
  kind: string;
  state: string;
  position: number;
}

export interface PaymentLinesTable {
  id: string;
  application_id: string;
  position: number;
  stage: string;
  fee_kind: string;
  fee_class: string;
  amount: number;
  payee_name: string;
  payee_kana: string;
  collector_number: string;
  payment_number: string | null;
  confirmation_number: string | null;
  payment_category: string;
  status: string;
  paid_on: string | null;
  due_on: string;
}

export interface NoticesTable {
  id: string;
  application_id: string;
  kind: string;
  agency_name: string;
  deadline: string | null;
  reason_title: string;
  reason_detail: string;
  issued_at: string;
  resolved_at: string | null;
}

/** お知らせ: for one application (application_id) or for everyone (null, shown on the portal top). */
export interface NotificationsTable {
  id: string;
  application_id: string | null;
  title: string;
  body: string;
  published_at: string;
}

/** Append-only: every event that happened to an application, in order. */
export interface StatusHistoryTable {
  id: string;
  application_id: string;
  seq: number;
  event: string;
  from_status: string | null;
  to_status: string;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string;
  reason: string | null;
  details: string;
  occurred_at: string;
  /** Where the row stands in the changes feed (migration 2026-12-06-0020, decision 0011); a bigint: pg answers it as text. */
  feed_position: Generated<number | string>;
}

export interface SessionsTable {
  /** SHA-256 of the cookie's token: a stolen database does not yield live sessions. */
  id_hash: string;
  kind: string;
  application_id: string | null;
  staff_user_id: string | null;
  /** The 利用者ID's account of a session of kind 'account' (migration 2026-12-06-0016). */
  account_id: string | null;
  created_at: string;
  last_seen_at: string;
  /** Absolute end, whatever the activity. */
  expires_at: string;
}

export interface StaffUsersTable {
  id: string;
  login_id: string;
  password_hash: string;
  display_name: string;
  office_code: string;
  created_at: string;
  disabled_at: string | null;
  /** clerk | viewer (閲覧のみ) | supervisor (監督者); migration 2026-12-06-0019. */
  role: Generated<string>;
}

/** Append-only: who did what, from where, when, to which application (never a secret). */
export interface AuditLogTable {
  id: string;
  occurred_at: string;
  action: string;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string;
  client_address: string | null;
  application_id: string | null;
  receipt_number: string | null;
  detail: string | null;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  name: string;
  role: string;
  office_code: string | null;
  created_at: string;
  revoked_at: string | null;
}

/** Answers of keyed requests, written in the transaction of their write (src/services/idempotency.ts). */
export interface IdempotencyKeysTable {
  /** The scope of the key: an API token's id, or `form:` and a session's hash for a form's one-time token. */
  token_id: string;
  idempotency_key: string;
  request_hash: string;
  status_code: number;
  response_body: string;
  created_at: string;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: string;
}

/** まとめ納付 across applications (migration 2026-12-06-0017). */
export interface PaymentGroupsTable {
  id: string;
  account_id: string;
  payment_number: string;
  confirmation_number: string;
  stage: string;
  collector_number: string;
  payee_name: string;
  payee_kana: string;
  total: number;
  due_on: string;
  /** The instant its 納付期限 passes. */
  deadline_at: string;
  status: string;
  created_at: string;
  paid_on: string | null;
  closed_at: string | null;
}

export interface PaymentGroupMembersTable {
  group_id: string;
  application_id: string;
  position: number;
  receipt_number: string;
  /** JSON array of the payment line ids. */
  line_ids: string;
  amount: number;
  due_on: string;
}

/** 利用者ID (migration 2026-12-06-0016). */
export interface AccountsTable {
  id: string;
  /** The 利用者ID as shown: 12 digits, the last a Luhn check digit. */
  user_id: string;
  kind: string;
  name: string;
  mail_address: string;
  confirmed_at: string | null;
  password_hash: string;
  /** Base32 TOTP secret while two-factor is on, else null. */
  totp_secret: string | null;
  created_at: string;
  updated_at: string;
  /** Bumped with every change of the account's 申請一覧 (migration 0024): the kept first page's key. */
  list_version: Generated<number>;
}

/** リカバリーコード of a 利用者ID (migration 0024): only the HMAC-SHA-256 of a code is stored. */
export interface AccountRecoveryCodesTable {
  account_id: string;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

/** One-time links sent by mail: only the token's SHA-256 is stored. */
export interface AccountTokensTable {
  token_hash: string;
  account_id: string;
  /** confirm | reset */
  purpose: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface AccountApplicationsTable {
  account_id: string;
  application_id: string;
  added_at: string;
  /** The application's status, list group (0 needs the user, 1 in progress, 2 finished), running deadline ('9999' when none) and 状況更新日時, kept in step by every save. */
  status: string;
  list_rank: number;
  sort_deadline: string;
  status_changed_at: string;
  /** The application's procedure, office and arrival, for the list's filters (they never change). */
  procedure: string;
  office_code: string;
  filed_at: string;
}

/** The account's own log, read by its user. */
export interface AccountLogTable {
  id: string;
  account_id: string;
  /** 1, 2, … per account: the log's order. */
  seq: number;
  occurred_at: string;
  action: string;
  receipt_number: string | null;
  client_address: string | null;
  /** The token's name or the webhook endpoint's address of an API line (issue 17); null otherwise. */
  detail: string | null;
}

/** Personal API tokens of a 利用者ID (migration 2026-12-06-0020): only the SHA-256 of a token is stored. */
export interface AccountApiTokensTable {
  id: string;
  account_id: string;
  token_hash: string;
  name: string;
  /** read, file, act: comma-separated. */
  scopes: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** A 利用者ID's webhook endpoint (migration 2026-12-06-0020). */
export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  url: string;
  /** whsec_ + base64: the Standard Webhooks signing secret. */
  secret: string;
  created_at: string;
  /** The first failure since the last success; null while deliveries succeed. */
  failing_since: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
}

/** The webhooks' transactional outbox: one row per change and endpoint. */
export interface WebhookDeliveriesTable {
  /** msg_…: the webhook-id header, the same at every attempt. */
  id: string;
  endpoint_id: string;
  application_id: string;
  seq: number;
  body: string;
  /** queued | delivered | failed */
  state: string;
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** 連絡先メールアドレス of an application (migration 2026-12-06-0015). */
export interface ContactAddressesTable {
  application_id: string;
  address: string;
  confirmed_at: string | null;
  /** SHA-256 (hex) of the confirmation link's token; null once confirmed. */
  token_hash: string | null;
  token_expires_at: string | null;
  unsubscribed_at: string | null;
  /** The token of the unsubscribe link in every mail (it can only stop mail). */
  unsubscribe_token: string;
  updated_at: string;
}

/** The transactional outbox: every mail, written in the transaction of the change that causes it. */
export interface MailOutboxTable {
  id: string;
  application_id: string | null;
  account_id: string | null;
  kind: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  /** Extra headers as a JSON object (List-Unsubscribe, List-Unsubscribe-Post). */
  headers: string;
  message_id: string;
  dedupe_key: string;
  /** Order among the mails of one application (or account): sent in this order. */
  seq: number;
  state: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface Database {
  applications: ApplicationsTable;
  attachments: AttachmentsTable;
  payment_lines: PaymentLinesTable;
  notices: NoticesTable;
  notifications: NotificationsTable;
  status_history: StatusHistoryTable;
  sessions: SessionsTable;
  staff_users: StaffUsersTable;
  api_tokens: ApiTokensTable;
  idempotency_keys: IdempotencyKeysTable;
  server_secrets: ServerSecretsTable;
  audit_log: AuditLogTable;
  payment_groups: PaymentGroupsTable;
  payment_group_members: PaymentGroupMembersTable;
  accounts: AccountsTable;
  account_tokens: AccountTokensTable;
  account_applications: AccountApplicationsTable;
  account_log: AccountLogTable;
  account_recovery_codes: AccountRecoveryCodesTable;
  contact_addresses: ContactAddressesTable;
  mail_outbox: MailOutboxTable;
  account_api_tokens: AccountApiTokensTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

