import type { FastifyPluginAsyncTypebox, Static } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Compile } from 'typebox/compile';
import { actorId, actorKindLabels, actorLabel } from '../../domain/actors.js';
import type { Application } from '../../domain/application.js';
import { discloseDetails, disclosureFor } from '../../domain/disclosure.js';
import { eventLabels, eventsFor, type EventType, type Transition } from '../../domain/events.js';
import type { FilingInput } from '../../domain/filing.js';
import type { Result } from '../../domain/result.js';
import { statuses } from '../../domain/statuses.js';
import { isAgencyEventType } from '../../services/agency-input.js';
import { apiRoleLabels, describeScope, tokenActor, type ApiTokenRecord } from '../../services/api-tokens.js';
import { IDEMPOTENCY_RETRY_AFTER_SECONDS, isValidIdempotencyKey, requestFingerprint, type Once, type TransactionReads } from '../../services/idempotency.js';
import type { Services } from '../../services/index.js';
import type { Settlement } from '../../services/payment-groups.js';
import { isJapanDate } from '../../domain/time.js';
import { bearerAuth, jsonOnly, tokenOf } from './auth.js';
import { errorBody, refusalBody, sendApiError, type ApiErrorBody } from './errors.js';
import { ApplicationResponse, ErrorResponse, EventBody, EventResponse, FilingBody, IdempotencyKeyHeader, MeResponse, NumberParams, PaymentReportBody, PaymentReportResponse, eventSchemas } from './schemas.js';
import { attachedErrors, describeSchemaErrors } from './validation.js';
import { useStrictJson } from './json.js';
import { applicationView, historyView } from './views.js';

type Outcome = { status: number; body: unknown };

/** The work of a request without an Idempotency-Key: no hook, reads outside any transaction. */
const noOnce: Once = { within: () => undefined };

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorResponse]));
const eventCheckers = Object.fromEntries(Object.entries(eventSchemas).map(([type, schema]) => [type, Compile(schema)])) as Record<string, ReturnType<typeof Compile>>;
const knownEventTypes = Object.keys(eventLabels).filter((t) => t !== 'arrive');

function versionIn(body: unknown): number | undefined {
  const app = body && typeof body === 'object' ? (body as { application?: { version?: unknown } }).application : undefined;
  return typeof app?.version === 'number' ? app.version : undefined;
}

/**
 * Sends JSON serialized here (not by the response schema), so that a replay under an
 * Idempotency-Key is byte for byte the first answer. The application's version is the ETag.
 */
function sendJson(reply: FastifyReply, status: number, body: unknown, replayed = false) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  reply.code(status).type('application/json; charset=utf-8');
  if (replayed) reply.header('idempotent-replayed', 'true');
  if (status < 300) {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { application?: { version?: unknown; arrivalNumber?: unknown } } | null;
    const version = versionIn(parsed);
    if (version !== undefined) reply.header('etag', `"${version}"`);
    // A registration names the new application (on a replay too).
    if (status === 201 && typeof parsed?.application?.arrivalNumber === 'string') reply.header('location', `/api/v1/applications/${parsed.application.arrivalNumber}`);
  }
  return reply.send(text);
}

/** The version a write expects: `expectedVersion` in the body and/or `If-Match` (they must agree). */
function expectedVersionOf(req: FastifyRequest, fromBody: number | undefined): { ok: true; value: number | undefined } | { ok: false; body: ApiErrorBody } {
  const header = req.headers['if-match'];
  let fromHeader: number | undefined;
  if (typeof header === 'string' && header.trim() !== '' && header.trim() !== '*') {
    const m = /^(?:W\/)?"?([1-9][0-9]{0,9})"?$/.exec(header.trim());
    if (!m) return { ok: false, body: errorBody('invalidInput', 'If-Match には申請の version（ETag）を指定してください（例："3"）。') };
    fromHeader = Number(m[1]);
  }
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
    return { ok: false, body: errorBody('invalidInput', 'expectedVersion と If-Match の version が一致しません。') };
  }
  return { ok: true, value: fromBody ?? fromHeader };
}

export function v1Routes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.decorateRequest('apiToken', null);
    app.addHook('onRequest', bearerAuth(services.apiTokens));
    app.addHook('onRequest', jsonOnly);
    useStrictJson(app);

    /** Runs a write once per Idempotency-Key: a retry gets the first status and body again. */
    async function respond(req: FastifyRequest, reply: FastifyReply, work: (once: Once) => Promise<Outcome>) {
      const token = tokenOf(req);
      const key = req.headers['idempotency-key'];
      if (key === undefined) {
        const r = await work(noOnce);
        return sendJson(reply, r.status, r.body);
      }
      if (typeof key !== 'string' || !isValidIdempotencyKey(key)) {
        return sendApiError(reply, 400, 'invalidIdempotencyKey', 'Idempotency-Key は半角英数字・記号の1〜200文字で指定してください。');
      }
      const fingerprint = requestFingerprint(req.method, req.url.split('?')[0] ?? req.url, { body: req.body ?? null, ifMatch: req.headers['if-match'] ?? null });
      const outcome = await services.idempotency.run({ scope: token.id, key, fingerprint }, work);
      switch (outcome.kind) {
        case 'fresh':
          return sendJson(reply, outcome.status, outcome.body);
        case 'replay':
          return sendJson(reply, outcome.status, outcome.body, true);
        case 'mismatch':
          return sendApiError(reply, 422, 'idempotencyKeyReused', 'この Idempotency-Key は、内容の異なる別の要求にすでに使われています。新しいキーを指定してください。');
        case 'inProgress':
          reply.header('retry-after', String(IDEMPOTENCY_RETRY_AFTER_SECONDS));
          return sendApiError(reply, 409, 'idempotencyInProgress', '同じ Idempotency-Key の要求を処理中です。しばらく待ってから、もう一度送信してください。');
      }
    }

    app.get(
      '/me',
      { schema: { summary: 'このトークンの情報', description: 'トークンの名前、ロール、対象の事務所等と、送れるイベント。', tags: ['token'], response: { 200: MeResponse, ...errors(401) } } },
      async (req, reply) => {
        const token = tokenOf(req);
        return sendJson(reply, 200, {
            id: token.id,
            name: token.name,
            role: token.role,
            roleLabel: apiRoleLabels[token.role],
            officeCode: token.officeCode,
            scope: describeScope(token),
            events: eventsFor(token.role),
            mayRegister: token.role === 'inspectionOffice',
        });
      },
    );

    app.post(
      '/applications',
      {
        schema: {
          summary: '申請の登録（到達）',
          description:
            '初回申請を登録し、到達番号を払い出す（申請状況は「受付審査中」）。軽自動車検査協会事務所等のトークンが、自分の事務所等を申請先とする申請に限り送れる（一括申請の受付）。',
          tags: ['applications'],
          headers: IdempotencyKeyHeader,
          body: FilingBody,
          response: { 201: ApplicationResponse, ...errors(400, 401, 403, 409, 413, 415, 422) },
        },
        attachValidation: true,
      },
      async (req, reply) => {
        const token = tokenOf(req);
        if (req.validationError) {
          const fields = describeSchemaErrors(attachedErrors(req));
          return sendApiError(reply, 400, 'invalidInput', '入力内容に誤りがあります。fields の各項目を確認してください。', fields);
        }
        return respond(req, reply, async (once) => {
          const { password, contactAddress, ...input } = req.body;
          // The answer is rendered inside the registration's transaction, so that it is stored with it (Idempotency-Key).
          const render = async (registered: Result<Application>, reads: TransactionReads): Promise<Outcome> => {
            if (!registered.ok) return refusalBody(registered.refusal);
            const history = await reads.history(registered.value.id);
            return { status: 201, body: { application: applicationView(registered.value, token, reads.now), history: history.map((h) => historyView(h, token)) } };
          };
          const registered = await services.agency.register(tokenActor(token), input as FilingInput, password, once.within(render), contactAddress);
          if (!registered.ok) return refusalBody(registered.refusal, 'fields' in registered ? registered.fields : undefined);
          return { status: 201, body: { application: applicationView(registered.value.application, token, registered.value.now), history: registered.value.history.map((h) => historyView(h, token)) } };
        });
      },
    );

    app.get(
      '/applications/:number',
      {
        schema: {
          summary: '申請の参照（履歴つき）',
          description: '受付番号または到達番号で申請を読む。申請者の画面と同じ申請状況と、すべての履歴（誰が、いつ、なぜ）。ETag は version。',
          tags: ['applications'],
          params: NumberParams,
          response: { 200: ApplicationResponse, ...errors(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        const token = tokenOf(req);
        const read = await services.agency.read(tokenActor(token), req.params.number);
        if (!read.ok) {
          const { status, body } = refusalBody(read.refusal);
          return sendJson(reply, status, body);
        }
        reply.header('cache-control', 'no-store');
        return sendJson(reply, 200, { application: applicationView(read.value.application, token, read.value.now), history: read.value.history.map((h) => historyView(h, token)) });
      },
    );

    app.post(
      '/applications/:number/events',
      {
        schema: {
          summary: 'イベントの送信（申請を進める）',
          description:
            '申請に起きたことを送る。ロールと事務所等が許すイベントだけ（他は 403）、現在の申請状況が許すときだけ（他は 409）。expectedVersion または If-Match が現在の version と異なれば 409 で、申請は変わらない。Idempotency-Key を付ければ再送しても一度だけ処理され、最初の結果が返る。',
          tags: ['applications'],
          params: NumberParams,
          headers: IdempotencyKeyHeader,
          body: EventBody,
          response: { 200: EventResponse, ...errors(400, 401, 403, 404, 409, 413, 415, 422) },
        },
        attachValidation: true,
      },
      async (req, reply) => {
        const token = tokenOf(req);
        if (req.validationError) {
          const context = (req.validationError as { validationContext?: string }).validationContext;
          if (context !== 'body') return sendApiError(reply, 400, 'invalidInput', '受付番号（到達番号）または ヘッダーの形式が正しくありません。');
          const body = req.body;
          const type = body && typeof body === 'object' && !Array.isArray(body) ? (body as { type?: unknown }).type : undefined;
          if (typeof type !== 'string') return sendApiError(reply, 400, 'invalidInput', 'イベントの種類（type）を指定してください。', { type: 'イベントの種類（type）を指定してください。' });
          if (!knownEventTypes.includes(type)) return sendApiError(reply, 400, 'unknownEvent', `不明なイベントです（${type.slice(0, 50)}）。指定できるイベントは API の説明（/api/docs）を確認してください。`);
          if (!isAgencyEventType(type)) {
            return sendApiError(reply, 403, 'actorNotAllowed', `${actorKindLabels[token.role]}は「${eventLabels[type as EventType]}」を行うことができません。`);
          }
          const fields = describeSchemaErrors(eventCheckers[type]!.Errors(body) as never);
          return sendApiError(reply, 400, 'invalidInput', '入力内容に誤りがあります。fields の各項目を確認してください。', fields);
        }
        const body = req.body as Static<(typeof eventSchemas)[keyof typeof eventSchemas]>;
        return respond(req, reply, async (once) => {
          const version = expectedVersionOf(req, body.expectedVersion);
          if (!version.ok) return { status: 400, body: version.body };
          const { expectedVersion: _v, ...input } = body;
          // The answer is rendered inside the event's transaction, so that it is stored with it (Idempotency-Key).
          const render = (result: Result<Transition>, reads: TransactionReads): Outcome =>
            result.ok ? { status: 200, body: { application: applicationView(result.value.application, token, reads.now), event: transitionView(result.value, token) } } : refusalBody(result.refusal);
          const result = await services.agency.post(
            tokenActor(token),
            req.params.number,
            input,
            version.value,
            // The audit trail names the token by its name, never the token (issue 19).
            { action: 'apiEvent', actor: { kind: 'apiToken', id: token.id, label: token.name }, clientAddress: req.ip, detail: input.type },
            once.within(render),
          );
          if (!result.ok) return refusalBody(result.refusal, 'fields' in result ? result.fields : undefined);
          return { status: 200, body: { application: applicationView(result.value.application, token, result.value.now), event: transitionView(result.value, token) } };
        });
      },
    );

    app.post(
      '/payments',
      {
        schema: {
          summary: '納付の報告（まとめ納付の納付番号）',
          description:
            '収納機関（Pay-easy）が、まとめ納付の納付番号の納付を報告する。その納付番号に含まれるすべての申請の税・手数料が「済」（納付完了日 paidOn）になり、各申請は次の状況へ進む。すべて一つのトランザクションで行い、一件でも納付を受け付けられない申請があれば、どの申請も変わらない（409、受付番号と理由）。納付期限を過ぎて無効になった納付番号は、納付期限までに納付されたもの（期限後の報告）に限り受け付ける。Idempotency-Key を付ければ再送しても一度だけ処理される。',
          tags: ['payments'],
          headers: IdempotencyKeyHeader,
          body: PaymentReportBody,
          response: { 200: PaymentReportResponse, ...errors(400, 401, 403, 404, 409, 413, 415, 422) },
        },
        attachValidation: true,
      },
      async (req, reply) => {
        const token = tokenOf(req);
        if (req.validationError) {
          const fields = describeSchemaErrors(attachedErrors(req));
          return sendApiError(reply, 400, 'invalidInput', '入力内容に誤りがあります。fields の各項目を確認してください。', fields);
        }
        if (token.role !== 'paymentNetwork') return sendApiError(reply, 403, 'actorNotAllowed', `${actorKindLabels[token.role]}は納付を報告することができません。`);
        if (!isJapanDate(req.body.paidOn)) return sendApiError(reply, 400, 'invalidInput', '入力内容に誤りがあります。fields の各項目を確認してください。', { paidOn: '納付日は存在する日付（YYYY-MM-DD）で指定してください。' });
        const paidOn = req.body.paidOn;
        return respond(req, reply, async (once) => {
          const render = (result: Result<Settlement>): Outcome => (result.ok ? { status: 200, body: settlementView(result.value, token) } : refusalBody(result.refusal));
          const result = await services.paymentGroups.settle(tokenActor(token), req.body.paymentNumber, paidOn, {
            audit: { action: 'apiEvent', actor: { kind: 'apiToken', id: token.id, label: token.name }, clientAddress: req.ip, detail: `recordPayment（まとめ納付 ${req.body.paymentNumber}）` },
            once: once.within(render),
          });
          return render(result);
        });
      },
    );
  };
}

function settlementView(s: Settlement, token: ApiTokenRecord) {
  const g = s.group;
  return {
    paymentNumber: g.paymentNumber,
    status: g.status,
    total: g.total,
    dueOn: g.dueOn,
    paidOn: g.paidOn ?? '',
    applications: s.transitions.map((t) => ({
      number: t.application.receiptNumber ?? t.application.arrivalNumber,
      version: t.application.version,
      status: t.application.status,
      statusLabel: statuses[t.application.status].label,
      event: transitionView(t, token),
    })),
  };
}

function transitionView(t: Transition, token: ApiTokenRecord) {
  const h = t.history;
  return {
    seq: t.application.version,
    event: h.event,
    eventLabel: eventLabels[h.event],
    fromStatus: h.fromStatus,
    toStatus: h.toStatus,
    toStatusLabel: statuses[h.toStatus].label,
    actor: { kind: h.actor.kind, id: actorId(h.actor), label: actorLabel(h.actor) },
    reason: h.reason,
    details: discloseDetails(h.details, disclosureFor(token.role)),
    occurredAt: h.occurredAt.toISOString(),
  };
}

