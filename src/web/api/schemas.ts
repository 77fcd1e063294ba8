import { Type, type TSchema } from '@fastify/type-provider-typebox';
import { attachmentKinds, procedureCodes } from '../../domain/procedures.js';
import { paymentStages, statusCodes, statuses } from '../../domain/statuses.js';
import { actorKindLabels } from '../../domain/actors.js';
import { eventContract, eventLabels, type EventType } from '../../domain/events.js';
import { weightTaxBands } from '../../domain/filing.js';
import { inspectionOffices } from '../../domain/offices.js';
import { NO_CODE_REASON_MAX, REASON_DETAIL_MAX, REASON_TITLE_MAX } from '../../services/agency-input.js';

/** The JSON shapes of the agency API (TypeBox: validated at the door, and the OpenAPI document). */

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const JapanDateString = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: '日付（日本時間、YYYY-MM-DD）', examples: ['2026-12-10'] });
export const Instant = Type.String({ description: '日時（ISO 8601, UTC）', examples: ['2026-11-26T01:00:00.000Z'] });

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'エラーの種類（invalidInput, unknownEvent, actorNotAllowed, otherOffice, notFound, statusDoesNotAllow, versionConflict, …）' }),
      message: Type.String({ description: '日本語のメッセージ' }),
      fields: Type.Optional(Type.Record(Type.String(), Type.String(), { description: '項目ごとのメッセージ（入力内容の誤り）' })),
    }),
  },
  { description: 'エラー' },
);

const expectedVersion = Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: '最後に読んだ version。異なれば 409（If-Match ヘッダーでも指定可）' }));
const reasonTitle = Type.String({ minLength: 1, maxLength: REASON_TITLE_MAX * 2, description: `理由（${REASON_TITLE_MAX}文字以内）`, examples: ['申請書・添付書類の不備エラー'] });
const reasonDetail = Type.Optional(Type.String({ maxLength: REASON_DETAIL_MAX * 2, description: `理由の詳細（${REASON_DETAIL_MAX}文字以内、改行可）` }));
const attachmentKind = Type.Enum(Object.keys(attachmentKinds), { description: Object.entries(attachmentKinds).map(([k, v]) => `${k}: ${v}`).join(' / ') });

/**
 * "Who may post it, from which statuses" in words, built from the domain's table of events (so
 * the documentation cannot drift from the rule); `note` adds only what the event does.
 */
export function eventDescription(type: EventType, note: string): string {
  const contract = eventContract(type);
  const who = contract.actors.map((kind) => actorKindLabels[kind]).join('・');
  const from = contract.from.map((status) => statuses[status].label).join('・');
  return `${eventLabels[type]}: ${who}が送れる。申請状況が ${from} のとき。${note}`;
}

const event = (type: EventType, fields: Record<string, TSchema>, note: string) =>
  Type.Object({ type: Type.Literal(type), ...fields, expectedVersion }, { additionalProperties: false, title: type, description: eventDescription(type, note) });

/** Every event an agency may post, one schema each (who may post which, and when, is the domain's table of events). */
export const eventSchemas = {
  accept: event('accept', {}, '申請を受け付ける。受付番号はシステムが払い出す。'),
  refuseAcceptance: event('refuseAcceptance', { reasonTitle, reasonDetail }, '申請を受け付けない（未受付、理由つき）。'),
  acquireAttachment: event('acquireAttachment', { kind: attachmentKind }, '添付書類を取得済にする。'),
  markAttachmentNotRequired: event('markAttachmentNotRequired', { kind: attachmentKind }, '添付書類を不要にする。'),
  issueFees: event('issueFees', { dueOn: JapanDateString }, '検査手数料・技術情報管理手数料と自動車重量税の納付情報を発行する（納付期限 dueOn）。'),
  recordPayment: event('recordPayment', { stage: Type.Enum([...paymentStages]), paidOn: JapanDateString }, '税・手数料の納付を記録する（納付日 paidOn）。'),
  requestCorrection: event('requestCorrection', { reasonTitle, reasonDetail, deadline: JapanDateString }, '検査申請の補正を求める（補正期限 deadline）。'),
  completeExamination: event(
    'completeExamination',
    { completedOn: JapanDateString, vehicleNumber: Type.Optional(Type.String({ maxLength: 40, description: '新車では必須（例：品川 580 な 1010）', examples: ['品川 580 な 1010'] })) },
    '審査を完了する（新車は軽自動車税申告の審査へ進む）。',
  ),
  reject: event('reject', { reasonTitle, reasonDetail }, '申請を却下する（理由つき）。'),
  invalidate: event('invalidate', { reasonTitle, reasonDetail }, '申請を無効にする（理由つき）。'),
  requestTaxCorrection: event('requestTaxCorrection', { reasonTitle, reasonDetail, deadline: JapanDateString }, '軽自動車税申告の補正を求める（新車、補正期限 deadline）。'),
  assessVehicleTax: event(
    'assessVehicleTax',
    { dueOn: JapanDateString, amount: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000, description: '税額（円）。省略時は取得価額と税率から計算' })) },
    '軽自動車税（環境性能割）を決定する（0円なら納付なしで交付準備へ）。',
  ),
  markReady: event('markReady', {}, '自動車検査証等の返付・交付の準備完了を記録する。'),
  handOver: event(
    'handOver',
    { noCodeReason: Type.Optional(Type.String({ maxLength: NO_CODE_REASON_MAX * 2, description: `二次元コードの提示なしで渡した理由（${NO_CODE_REASON_MAX}文字以内、例：本人確認書類で確認）。履歴に記録されます` })) },
    '窓口での受け取りを記録する（二次元コードの確認は窓口での受け取り確認で。提示がない場合は noCodeReason に理由）。',
  ),
} as const;

export const EventBody = Type.Union(Object.values(eventSchemas), { description: 'イベント（type で種類を指定）' });

export const NumberParams = Type.Object({
  number: Type.String({ maxLength: 40, description: '受付番号または到達番号（数字17桁）', examples: ['99999999999999999'] }),
});

export const FilingBody = Type.Object(
  {
    procedure: Type.Enum([...procedureCodes], { description: 'continuousInspection: 継続検査 / newVehicle: 新車〔新規検査・地方税申告〕' }),
    officeCode: Type.Enum(Object.keys(inspectionOffices), { description: '申請先軽自動車検査協会事務所等（トークンの事務所等と同じであること）' }),
    password: Type.String({ minLength: 1, maxLength: 64, description: '申請用パスワード（8〜64文字、英字と数字を含む）' }),
    applicantName: Type.String({ maxLength: 200 }),
    applicantAddress: Type.String({ maxLength: 400 }),
    userName: Type.String({ maxLength: 200 }),
    userNameHigh: Type.Optional(Type.String({ maxLength: 200 })),
    userAddress: Type.String({ maxLength: 400 }),
    ownerSameAsUser: Type.Optional(Type.Boolean()),
    ownerName: Type.Optional(Type.String({ maxLength: 200 })),
    ownerNameHigh: Type.Optional(Type.String({ maxLength: 200 })),
    ownerAddress: Type.Optional(Type.String({ maxLength: 400 })),
    vehicleNumber: Type.Optional(Type.String({ maxLength: 40, description: '継続検査: 車両番号（例：品川 580 さ 1234）' })),
    chassisNumber: Type.String({ maxLength: 60 }),
    vehicleModel: Type.String({ maxLength: 60 }),
    weightTaxBand: Type.Enum(Object.keys(weightTaxBands)),
    acquisitionPrice: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000, description: '新車: 取得価額（円）' })),
    environmentalTaxRate: Type.Optional(Type.Integer({ minimum: 0, maximum: 2, description: '新車: 環境性能割の税率（%）' })),
    preferredNumber: Type.Optional(Type.Boolean({ description: '新車: 希望番号を予約済み（希望番号予約済証が必要）' })),
    agentCommissionNumber: Type.Optional(Type.String({ maxLength: 40 })),
    agentName: Type.Optional(Type.String({ maxLength: 200 })),
    agentUsable: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, description: '初回申請（一括申請の受付）' },
);

const Party = Type.Object({ name: Type.String(), nameHigh: Nullable(Type.String()), address: Nullable(Type.String({ description: '事務所等・都道府県税事務所のトークンにのみ返す' })) });

export const ApplicationView = Type.Object(
  {
    id: Type.String(),
    procedure: Type.Enum([...procedureCodes]),
    procedureLabel: Type.String(),
    arrivalNumber: Type.String({ description: '到達番号' }),
    receiptNumber: Nullable(Type.String({ description: '受付番号（受付前は null）' })),
    status: Type.Enum([...statusCodes]),
    statusLabel: Type.String({ description: '申請者の画面に表示される申請状況' }),
    statusChangedAt: Instant,
    filedAt: Instant,
    officeCode: Type.String(),
    officeName: Type.String(),
    version: Type.Integer({ description: '版。書き込みの expectedVersion / If-Match に使う（ETag と同じ）' }),
    applicant: Party,
    user: Party,
    owner: Nullable(Party),
    vehicle: Type.Object({
      vehicleNumber: Nullable(Type.String()),
      chassisNumber: Type.String(),
      model: Type.String(),
      weightTaxBand: Type.String(),
      acquisitionPrice: Nullable(Type.Integer()),
      environmentalTaxRate: Nullable(Type.Integer()),
    }),
    recordingAgent: Nullable(Type.Object({ commissionNumber: Type.String(), name: Type.String(), usable: Type.Boolean() })),
    partialDocumentExamination: Nullable(Type.String()),
    examinationCompletedOn: Nullable(Type.String()),
    deadline: Nullable(Type.Object({ kind: Type.Enum(['correction', 'payment']), date: Type.String() }, { description: '進行中の期限（補正期限・納付期限）' })),
    attachments: Type.Array(Type.Object({ kind: Type.String(), label: Type.String(), state: Type.Enum(['notAcquired', 'acquired', 'notRequired']), stateLabel: Type.String() })),
    paymentLines: Type.Array(
      Type.Object({
        stage: Type.String(),
        feeKind: Type.String(),
        feeClass: Type.String(),
        amount: Type.Integer(),
        payeeName: Type.String(),
        payeeKana: Type.String(),
        collectorNumber: Type.String(),
        paymentNumber: Nullable(Type.String()),
        confirmationNumber: Nullable(Type.String()),
        paymentCategory: Type.String(),
        status: Type.Enum(['unpaid', 'paid', 'notRequired']),
        paidOn: Nullable(Type.String()),
        dueOn: Type.String(),
      }),
    ),
    notices: Type.Array(
      Type.Object({
        kind: Type.String(),
        kindLabel: Type.String({ description: '通知等情報として申請者に表示される名称（補正申請が行われた補正は「補正（補正済）」）' }),
        outcome: Type.Enum(['open', 'corrected', 'closed', 'final'], { description: 'open: 補正の回答待ち / corrected: 補正申請済 / closed: 却下・無効・取り下げで終了した補正 / final: 補正以外の通知' }),
        agencyName: Type.String(),
        deadline: Nullable(Type.String()),
        reasonTitle: Type.String(),
        reasonDetail: Type.String(),
        issuedAt: Instant,
        resolvedAt: Nullable(Instant),
      }),
    ),
    collectionCodeSerial: Type.Integer({ description: '二次元コードの発行回数（0: 未発行）' }),
    availableEvents: Type.Array(Type.String(), { description: 'このトークンが今送れるイベント（ロール・事務所等・申請状況と、期限・添付書類などの条件による）' }),
  },
  { description: '申請' },
);

export const HistoryEntryView = Type.Object({
  seq: Type.Integer({ description: 'この操作でなった version' }),
  event: Type.String(),
  eventLabel: Type.String(),
  fromStatus: Nullable(Type.String()),
  toStatus: Type.String(),
  toStatusLabel: Type.String(),
  actor: Type.Object({ kind: Type.String(), id: Nullable(Type.String()), label: Type.String() }),
  reason: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  occurredAt: Instant,
});

export const ApplicationResponse = Type.Object({ application: ApplicationView, history: Type.Array(HistoryEntryView) });
export const EventResponse = Type.Object({ application: ApplicationView, event: HistoryEntryView });

export const MeResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.Enum(['inspectionOffice', 'taxOffice', 'paymentNetwork', 'attachmentSource']),
  roleLabel: Type.String(),
  officeCode: Nullable(Type.String()),
  scope: Type.String(),
  events: Type.Array(Type.String(), { description: 'このトークンが送れるイベント' }),
  mayRegister: Type.Boolean({ description: '初回申請（POST /api/v1/applications）ができるか' }),
});

export const IdempotencyKeyHeader = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ maxLength: 200, description: '再送しても二重に処理されないためのキー（UUID など）。同じキーには最初の結果を返す' })),
  'if-match': Type.Optional(Type.String({ maxLength: 40, description: 'version（ETag）。異なれば 409' })),
});
