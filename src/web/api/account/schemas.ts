import { Type } from '@fastify/type-provider-typebox';
import { BULK_QUERY_MAX } from '../../../services/account-api.js';
import { BULK_FILING_MAX } from '../../../services/account-filing.js';
import { FEED_PAGE_DEFAULT, FEED_PAGE_MAX } from '../../../domain/account-api.js';

/** The JSON shapes of the 一括申請 API (issue 17): validated at the door, and in the OpenAPI document. */

const receiptExample = '2112 2310 5000 30459';

export const ChangesQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 200, description: '前回の応答の nextCursor（省略: 最初から）' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: `1ページの件数（1〜${FEED_PAGE_MAX}、既定 ${FEED_PAGE_DEFAULT}）`, examples: ['1000'] })),
});

const Change = Type.Object(
  {
    arrivalNumber: Type.String({ examples: ['21123120000012345'] }),
    receiptNumber: Type.Union([Type.String(), Type.Null()]),
    seq: Type.Integer({ description: 'その申請の履歴の番号（version）' }),
    event: Type.String({ examples: ['requestCorrection'] }),
    eventLabel: Type.String({ examples: ['補正指示'] }),
    fromStatus: Type.Union([Type.String(), Type.Null()]),
    toStatus: Type.String({ examples: ['correctionRequested'] }),
    toStatusLabel: Type.String({ examples: ['検査申請補正待ち'] }),
    actor: Type.Object({ kind: Type.String(), label: Type.String() }),
    reason: Type.Union([Type.String(), Type.Null()]),
    details: Type.Record(Type.String(), Type.Unknown()),
    occurredAt: Type.String({ examples: ['2026-12-06T01:00:00.000Z'] }),
  },
  { description: '申請状況の変更（申請の履歴の1行）' },
);

export const ChangesResponse = Type.Object({
  changes: Type.Array(Change),
  nextCursor: Type.String({ description: '次の要求の after に指定する値（新しい変更がなければ、指定した after と同じ）' }),
  hasMore: Type.Boolean({ description: 'true: 続きがあります（すぐに次のページを要求してください）' }),
});

export const QueryBody = Type.Object(
  {
    numbers: Type.Array(Type.String({ maxLength: 60 }), { minItems: 1, maxItems: BULK_QUERY_MAX, description: `受付番号または到達番号（空白・ハイフン・全角数字可）、${BULK_QUERY_MAX}件まで`, examples: [[receiptExample, '2112-2310-5000-30460']] }),
  },
  { additionalProperties: false },
);

export const StatusViewSchema = Type.Object(
  {
    arrivalNumber: Type.String(),
    receiptNumber: Type.Union([Type.String(), Type.Null()]),
    status: Type.String({ examples: ['correctionRequested'] }),
    statusLabel: Type.String({ examples: ['検査申請補正待ち'] }),
    steps: Type.Array(Type.Object({ label: Type.String(), mark: Type.String({ examples: ['done', 'action', 'pending'] }), markLabel: Type.String({ examples: ['済', '!', '未'] }) })),
    message: Type.Union([Type.String(), Type.Null()], { description: '通知メッセージ（申請者が今読む・行うこと）' }),
    deadlines: Type.Array(Type.Object({ kind: Type.String(), label: Type.String(), date: Type.String(), what: Type.String() })),
    payments: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: '納付情報（納付番号ごと）' }),
    actions: Type.Record(Type.String(), Type.Object({ allowed: Type.Boolean(), reason: Type.Optional(Type.String()) })),
  },
  { additionalProperties: true, description: '申請状況（申請状況照会の画面と同じ内容）' },
);

export const QueryResponse = Type.Object({
  results: Type.Array(
    Type.Object({
      number: Type.String({ description: '指定した番号（そのまま）' }),
      found: Type.Boolean(),
      application: Type.Optional(StatusViewSchema),
      error: Type.Optional(Type.Object({ code: Type.String({ examples: ['notFound'] }), message: Type.String() })),
    }),
  ),
});

export const AccountMeResponse = Type.Object({
  tokenId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String({ examples: ['read', 'file', 'act'] })),
  expiresAt: Type.String(),
});

export const FilingRequest = Type.Object(
  { applications: Type.Array(Type.Unknown(), { description: `申請（FilingRowBody の形）、${BULK_FILING_MAX}件まで。各行の形の誤りはその行の errors で答える` }) },
  { description: 'JSON の一括申請。CSV は Content-Type: text/csv で、1行目にテンプレートの見出し。' },
);

const RowResult = Type.Object({
  row: Type.Integer({ description: '行番号（JSON の配列では1から、CSV では見出しの次の行が1）' }),
  rowKey: Type.Union([Type.String(), Type.Null()]),
  ok: Type.Boolean(),
  arrivalNumber: Type.Optional(Type.String({ description: '到達番号（ok のとき）', examples: ['26120620123456789'] })),
  replayed: Type.Optional(Type.Boolean({ description: 'true: 以前の要求ですでに申請済み（同じキー）。新たに申請していない' })),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String({ examples: ['chassisNumber'] }), message: Type.String({ examples: ['車台番号を入力してください。'] }) }))),
});

export const FilingResponse = Type.Object({
  filed: Type.Integer({ description: '申請できた行（再送で以前の到達番号を返した行を含む）' }),
  failed: Type.Integer({ description: '誤りのため申請しなかった行' }),
  encoding: Type.Optional(Type.String({ description: 'CSV の文字コード（utf-8 / shift_jis）' })),
  results: Type.Array(RowResult),
});

export const EndpointParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
export const WebhookBody = Type.Object({ url: Type.String({ maxLength: 600, examples: ['https://dealer.example.jp/kei-oss/webhooks'] }) }, { additionalProperties: false });
export const WebhookSecret = Type.Object({ secret: Type.String({ description: '署名の鍵（この応答でだけ返す）', examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] }) });
export const WebhookCreated = Type.Object({ id: Type.String(), url: Type.String(), secret: WebhookSecret.properties.secret });
export const WebhooksResponse = Type.Object({
  endpoints: Type.Array(
    Type.Object({
      id: Type.String(),
      url: Type.String(),
      createdAt: Type.String(),
      failingSince: Type.Union([Type.String(), Type.Null()], { description: '送信に失敗し始めた日時（成功していれば null）' }),
      disabledAt: Type.Union([Type.String(), Type.Null()]),
      disabledReason: Type.Union([Type.String(), Type.Null()]),
      deliveries: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: '新しい順に20件: state（queued / delivered / failed）、attempts、lastStatus、lastError、nextAttemptAt' }),
    }),
  ),
});
