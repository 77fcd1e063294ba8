import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { displayNumber, type Application } from '../../domain/application.js';
import { procedures } from '../../domain/procedures.js';
import { formatReceiptNumber } from '../../domain/receipt-number.js';
import { statusView } from '../../domain/status-view.js';
import { statuses } from '../../domain/statuses.js';
import { toAgencyEvent, type AgencyEventInput } from '../../services/agency-input.js';
import type { Transition } from '../../domain/events.js';
import type { RefusalCode, Result } from '../../domain/result.js';
import { IDEMPOTENCY_RETRY_AFTER_SECONDS, type Answer, type Once } from '../../services/idempotency.js';
import { CONFLICT_MESSAGE } from '../../services/application-events.js';
import type { AgencyView } from '../../services/agency.js';
import type { Services } from '../../services/index.js';
import { FormTokenField, runFormOnce, withoutToken } from '../form-once.js';
import { staffActor, staffAuditActor } from '../../services/staff-auth.js';
import type { HistoryEntry } from '../../domain/history.js';
import type { Notification } from '../../domain/notifications.js';
import { Banner, ErrorSummary, type ErrorItem } from '../components/forms.js';
import type { PageContext } from '../page-context.js';
import { renderDocument } from '../render.js';
import { refusalStatus } from '../refusals.js';
import { Attachments } from '../portal/status/Attachments.js';
import { CurrentStatus } from '../portal/status/CurrentStatus.js';
import { DeadlineNotices } from '../portal/status/DeadlineNotices.js';
import { Delivery } from '../portal/status/Delivery.js';
import { Examination } from '../portal/status/Examination.js';
import { Notices } from '../portal/status/Notices.js';
import { NotificationMessage } from '../portal/status/NotificationMessage.js';
import { Payments } from '../portal/status/Payments.js';
import { ProgressSteps } from '../portal/status/ProgressSteps.js';
import { StaffLayout } from './components.js';
import { DecisionForm, availableDecisions, decisionKeys, decisions, fieldId, type DecisionField, type DecisionFormState, type DecisionKey } from './decisions.js';
import { officeApplication, sendHtml, staffContext, staffUserOf } from './guard.js';
import { History } from './History.js';
import { ConfirmDecisionPage } from './confirm-decision.js';

export const STALE_FORM_MESSAGE = '画面の情報が古いか正しくありません。申請の詳細をもう一度表示してから操作してください。';
export const NOT_FOUND_TITLE = '申請が見つかりません';
export const NOT_FOUND_MESSAGE = '指定された受付番号（到達番号）の申請は、この事務所等の申請の中に見つかりません。';

interface PageProps {
  readonly ctx: PageContext;
  readonly application: Application;
  readonly history: readonly HistoryEntry[];
  readonly notifications: readonly Notification[];
  readonly now: Date;
  readonly done?: DecisionKey | undefined;
  readonly problem?: { readonly message: string; readonly state?: DecisionFormState | undefined } | undefined;
}

/**
 * 申請の詳細: what the applicant sees (the status page's parts, read-only), the clerk's decisions
 * allowed in the current status, and the whole history.
 */
export function StaffApplicationPage({ ctx, application: app, history, notifications, now, done, problem }: PageProps) {
  const number = formatReceiptNumber(displayNumber(app));
  const label = procedures[app.procedure].label;
  const available = availableDecisions(app);
  const state = problem?.state;
  const view = statusView(app, now, { announcements: notifications.length });
  const items: ErrorItem[] = [];
  if (problem) {
    const fieldErrors = Object.entries(state?.errors ?? {}) as [DecisionField, string][];
    if (fieldErrors.length > 0 && state) {
      for (const [f, message] of fieldErrors) items.push({ field: f === 'kind' ? `decision-${state.decision}` : fieldId(state.decision, f), message });
    } else items.push({ field: state && available.includes(state.decision) ? `decision-${state.decision}` : 'decisions', message: problem.message });
  }
  return (
    <StaffLayout ctx={ctx} title={`申請の詳細 ${number}`} hasErrors={items.length > 0} current="application" wide>
      <h1 class="page-title">
        <span class="page-title__crumb">申請の詳細</span> {number} <span class="procedure-tag">{label}</span>
      </h1>
      <ErrorSummary items={items} title={state && items.length > 0 ? `「${decisions[state.decision].title(app)}」を記録できませんでした` : undefined} />
      {done ? (
        <Banner kind="success" title={`「${decisions[done].title(app)}」を記録しました。`}>
          <p>申請者の画面の申請状況は「{statuses[app.status].label}」です。</p>
        </Banner>
      ) : null}
      <p>
        <a href="/staff/applications">作業一覧へ戻る</a>
      </p>
      <h2 class="staff-section-title">申請者の画面に表示されている内容</h2>
      <div class="applicant-view">
        <ProgressSteps steps={view.steps} summary={view.progressSummary} />
        <NotificationMessage message={view.message} />
        <CurrentStatus application={app} />
        <Attachments application={app} />
        <Examination application={app} />
        <Payments payments={view.payments} readOnly />
        <Delivery application={app} collection={view.collection} readOnly />
        <DeadlineNotices reminders={view.reminders} notifications={notifications} />
        <Notices notices={view.notices} />
      </div>
      <section class="panel decisions" id="decisions" aria-labelledby="decisions-heading" tabIndex={-1}>
        <h2 id="decisions-heading" class="panel__title">
          事務所等の操作
        </h2>
        {ctx.staffRole === 'viewer' ? (
          <p>閲覧のみの権限のため、事務所等の操作はできません。</p>
        ) : available.length === 0 ? (
          <p>
            現在の申請状況（{statuses[app.status].label}）では、事務所等が行う操作はありません。
            {view.closed ? 'この申請は完了または終了しており、これ以上進められません。' : '申請者、収納機関、添付書類取得元、都道府県税事務所の操作を待っています。'}
          </p>
        ) : (
          available.map((d) => <DecisionForm app={app} decision={d} csrfToken={ctx.csrfToken} now={now} state={state} />)
        )}
      </section>
      <History entries={history} />
    </StaffLayout>
  );
}

const NumberParams = Type.Object({ number: Type.String({ maxLength: 40 }) });
const DecisionParams = Type.Object({ number: Type.String({ maxLength: 40 }), decision: Type.Enum([...decisionKeys]) });
/** The same decision form is being processed by another request (a double click). */
const DECISION_IN_PROGRESS_MESSAGE = 'この操作は処理中です。しばらく待ってから、画面を更新して結果を確認してください。';

const DecisionBody = Type.Object({
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
  version: Type.String({ maxLength: 20 }),
  formToken: FormTokenField,
  reasonTitle: Type.Optional(Type.String({ maxLength: 2000 })),
  reasonDetail: Type.Optional(Type.String({ maxLength: 10_000 })),
  deadline: Type.Optional(Type.String({ maxLength: 40 })),
  dueOn: Type.Optional(Type.String({ maxLength: 40 })),
  completedOn: Type.Optional(Type.String({ maxLength: 40 })),
  vehicleNumber: Type.Optional(Type.String({ maxLength: 200 })),
  kind: Type.Optional(Type.String({ maxLength: 60 })),
  noCodeReason: Type.Optional(Type.String({ maxLength: 2000 })),
  /** Set by the confirmation page of an irreversible decision (issue 14). */
  confirmed: Type.Optional(Type.Literal('yes')),
});

export function applicationRoutes(services: Services): FastifyPluginAsyncTypebox {
  /**
   * The page for an application already read; `reread` reads it again first (after a refused
   * decision the application may have moved on, and the form must carry its current version).
   */
  async function render(req: FastifyRequest, reply: FastifyReply, status: number, found: AgencyView, extra: Pick<PageProps, 'done' | 'problem'> = {}, reread = false) {
    const current = (reread ? await officeApplication(services, staffUserOf(req), displayNumber(found.application)) : null) ?? found;
    return sendHtml(
      reply,
      status,
      renderDocument(
        <StaffApplicationPage ctx={staffContext(req, reply)} application={current.application} history={current.history} notifications={current.notifications} now={current.now} {...extra} />,
      ),
    );
  }

  function notFound(req: FastifyRequest, reply: FastifyReply) {
    return sendHtml(
      reply,
      404,
      renderDocument(
        <StaffLayout ctx={staffContext(req, reply)} title={NOT_FOUND_TITLE} current="application">
          <h1>{NOT_FOUND_TITLE}</h1>
          <p>{NOT_FOUND_MESSAGE}</p>
          <p>
            <a href="/staff/applications">作業一覧へ戻る</a>
          </p>
        </StaffLayout>,
      ),
    );
  }

  return async (app) => {
    app.get('/staff/applications/:number', { schema: { params: NumberParams, querystring: Type.Object({ done: Type.Optional(Type.Enum([...decisionKeys])) }) } }, async (req, reply) => {
      const found = await officeApplication(services, staffUserOf(req), req.params.number);
      if (!found) return notFound(req, reply);
      return render(req, reply, 200, found, { done: req.query.done });
    });

    app.post(
      '/staff/applications/:number/:decision',
      { schema: { params: DecisionParams, body: DecisionBody }, attachValidation: true, preHandler: app.csrfProtection },
      async (req, reply) => {
        const user = staffUserOf(req);
        if (req.validationError && (req.validationError as { validationContext?: string }).validationContext === 'params') return notFound(req, reply);
        const loaded = await officeApplication(services, user, req.params.number);
        if (!loaded) return notFound(req, reply);
        const found = loaded.application;
        const decision = req.params.decision;
        const def = decisions[decision];
        const body = req.validationError ? null : req.body;
        const values: Partial<Record<DecisionField, string>> = {};
        for (const f of ['reasonTitle', 'reasonDetail', 'deadline', 'dueOn', 'completedOn', 'vehicleNumber', 'kind', 'noCodeReason'] as const) {
          const v = body?.[f];
          if (typeof v === 'string') values[f] = v;
        }
        const fail = (status: number, message: string, errors: Partial<Record<DecisionField, string>> = {}) =>
          render(req, reply, status, loaded, { problem: { message, state: { decision, values, errors } } }, true);

        if (!body) return fail(400, '入力内容が長すぎるか、形式が正しくありません。入力内容を確認してください。');
        if (!/^[1-9][0-9]{0,9}$/.test(body.version)) return fail(400, STALE_FORM_MESSAGE);
        const errors: Partial<Record<DecisionField, string>> = {};
        const issuesNumber = procedures[found.procedure].issuesVehicleNumber;
        if (decision === 'complete-examination' && issuesNumber && (values.vehicleNumber ?? '').trim() === '') errors.vehicleNumber = '車両番号を入力してください。';
        // 受け取り on this page is always without the 2D code (the code is checked at /staff/counter), so its reason is required.
        const noCodeReason = decision === 'hand-over' ? (values.noCodeReason ?? '') : undefined;
        const input: AgencyEventInput = { type: def.event, ...values, vehicleNumber: issuesNumber ? values.vehicleNumber : undefined, noCodeReason };
        const built = toAgencyEvent(input);
        if (!built.ok) Object.assign(errors, built.errors);
        if (Object.keys(errors).length > 0 || !built.ok) return fail(400, '入力内容にエラーがあります。', errors);

        if (def.consequence && body.confirmed !== 'yes') {
          // Irreversible: confirm first, on the application as it is now (a stale version is refused on the confirmation's POST).
          if (Number(body.version) !== found.version) return fail(409, CONFLICT_MESSAGE);
          if (!availableDecisions(found).includes(decision)) return fail(409, `現在の申請状況（${statuses[found.status].label}）では「${def.title(found)}」はできません。`);
          return sendHtml(reply, 200, renderDocument(<ConfirmDecisionPage ctx={staffContext(req, reply)} app={found} decision={decision} values={values} formToken={body.formToken} />));
        }
        // Once per form: a replayed or retried decision gets the first answer again (stored with the write), never a second act.
        const answerOf = (result: Result<Transition>): Answer =>
          result.ok
            ? { status: 303, body: { location: `/staff/applications/${displayNumber(result.value.application)}?done=${decision}` } }
            : { status: refusalStatus(result.refusal.code), body: { code: result.refusal.code, message: result.refusal.message } };
        // One service call: the office scope, the input, the version, the rule, the history and the audit entry, in one transaction.
        const work = async (once: Once) =>
          answerOf(
            await services.agency.post(
              staffActor(user),
              req.params.number,
              input,
              Number(body.version),
              { action: 'staffDecision', actor: staffAuditActor(user), clientAddress: req.ip, detail: def.title(found) },
              once.within(answerOf),
            ),
          );
        const outcome = await runFormOnce(services, req, work);
        if (outcome.kind === 'mismatch') return fail(409, STALE_FORM_MESSAGE);
        if (outcome.kind === 'inProgress') {
          reply.header('retry-after', String(IDEMPOTENCY_RETRY_AFTER_SECONDS));
          return fail(409, DECISION_IN_PROGRESS_MESSAGE);
        }
        const answer = outcome.kind === 'noToken' ? await work(withoutToken) : outcome;
        const stored = answer.body as { location?: string; code?: RefusalCode; message?: string };
        if (answer.status !== 303 || !stored.location) {
          const message = stored.message ?? STALE_FORM_MESSAGE;
          if (stored.code === 'vehicleNumberTaken') return fail(answer.status, message, { vehicleNumber: message });
          if (stored.code === 'invalidInput' && def.dateField) return fail(answer.status, message, { [def.dateField]: message });
          return fail(answer.status, message);
        }
        if (!(outcome.kind === 'answer' && outcome.replayed)) req.log.info({ event: def.event, applicationId: found.id, staffUserId: user.id }, 'staff decision');
        return reply.redirect(stored.location, 303);
      },
    );
  };
}
