import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { displayNumber, type Application, type Notice } from '../../../domain/application.js';
import { correctableFields, currentValue, validateCorrection, type CorrectableField, type FieldChange } from '../../../domain/corrections.js';
import { procedures } from '../../../domain/procedures.js';
import { formatReceiptNumber } from '../../../domain/receipt-number.js';
import { openCorrectionNotice } from '../../../domain/status-view.js';
import type { Services } from '../../../services/index.js';
import { Layout } from '../../components/Layout.js';
import { ErrorSummary, TextField, errorItems, type ErrorItem, type FieldErrors } from '../../components/forms.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { renderDocument, sendHtml } from '../../render.js';
import { valueOrBlank } from '../status/History.js';
import { NoticeRows } from '../status/Notices.js';
import { ActionPostForm, CSRF_FIELD, VERSION_FIELD, actionRefusal, versionRefusal } from './form.js';
import { sendRefused } from './refused.js';
import { setFlash } from '../flash.js';
import { loadOwnApplication, ownApplicationOf } from '../own-application.js';

const REFUSED_TITLE = '補正申請を行うことができません';
export const NO_CHANGE_MESSAGE = '変更がありません。補正する項目の内容を変更してから、「入力内容を確認する」ボタンを押してください。';

type CorrectionInput = Partial<Record<CorrectableField, string>>;

/** The parts of the form, in the order of the status page's summary. */
const groups: { legend: string; fields: CorrectableField[] }[] = [
  { legend: '申請者', fields: ['applicantName', 'applicantAddress'] },
  { legend: '使用者', fields: ['userName', 'userNameHigh', 'userAddress'] },
  { legend: '所有者', fields: ['ownerName', 'ownerNameHigh', 'ownerAddress'] },
  { legend: '車両', fields: ['chassisNumber'] },
];

export function fieldsOf(app: Application): CorrectableField[] {
  return (Object.keys(correctableFields) as CorrectableField[]).filter((f) => (correctableFields[f].procedures as readonly string[]).includes(app.procedure));
}


function isRequired(app: Application, field: CorrectableField): boolean {
  if (field.endsWith('High')) return false;
  return !(field.startsWith('owner') && app.owner === null);
}

function hintFor(app: Application, field: CorrectableField): string | undefined {
  if (field === 'chassisNumber') return '半角英数字とハイフンで入力してください（例：AX01-0000001）。';
  if (field.endsWith('High')) return '標準の文字で表せない文字を含む氏名・名称の場合に入力してください（任意）。';
  if (field.startsWith('owner') && app.owner === null) return '所有者が使用者と同じ（同上）の場合は、空欄のままにしてください。';
  return undefined;
}

function NoticeReason({ notice }: { notice: Notice | null }) {
  if (!notice) return null;
  return (
    <section class="panel panel--warning" aria-labelledby="correction-notice-heading">
      <h2 id="correction-notice-heading" class="panel__title">
        補正の内容（通知等情報）
      </h2>
      <table class="summary-table">
        <caption class="visually-hidden">補正の通知</caption>
        <NoticeRows notice={notice} />
      </table>
    </section>
  );
}

function Heading({ application, sub }: { application: Application; sub: string }) {
  return (
    <>
      <h1 class="page-title">
        <span class="page-title__crumb">状況照会</span> {sub} <span class="procedure-tag">{procedures[application.procedure].label}</span>
      </h1>
      <p>受付番号：{formatReceiptNumber(displayNumber(application))}</p>
    </>
  );
}

/** 補正申請 (入力): the notice's reason and the fields that can be corrected, prefilled. */
export function CorrectionFormPage({ ctx, application, values, errors, general }: { ctx: PageContext; application: Application; values: CorrectionInput; errors?: FieldErrors; general?: string }) {
  const fields = fieldsOf(application);
  const items: ErrorItem[] = [...(general ? [{ message: general }] : []), ...errorItems(errors ?? {}, fields)];
  return (
    <Layout ctx={ctx} title="補正申請" hasErrors={items.length > 0}>
      <Heading application={application} sub="補正申請" />
      <ErrorSummary items={items} />
      <NoticeReason notice={openCorrectionNotice(application)} />
      <p>通知等情報の理由を確認し、補正する項目の内容を変更してください。変更しない項目はそのままにしてください。</p>
      <ActionPostForm action="/inquiry/correction" class="form" novalidate csrfToken={ctx.csrfToken} application={application}>
        <input type="hidden" name="step" value="check" />
        {groups.map((g) => {
          const shown = g.fields.filter((f) => fields.includes(f));
          if (shown.length === 0) return null;
          return (
            <fieldset class="fieldset">
              <legend>{g.legend}</legend>
              {shown.map((f) => (
                <TextField
                  name={f}
                  label={correctableFields[f].label}
                  value={values[f] ?? ''}
                  error={errors?.[f]}
                  hint={hintFor(application, f)}
                  required={isRequired(application, f)}
                  maxLength={correctableFields[f].maxLength}
                  width={f.endsWith('Address') ? 'long' : 'medium'}
                  autocomplete="off"
                  spellcheck={false}
                />
              ))}
            </fieldset>
          );
        })}
        <div class="button-row">
          <button type="submit" class="button button--primary">
            入力内容を確認する
          </button>
        </div>
      </ActionPostForm>
      <p>
        <a href="/inquiry/status">補正申請を行わずに申請状況確認へ戻る</a>
      </p>
    </Layout>
  );
}

/** 補正申請 (確認): each change before → after; the same values travel on in hidden fields. */
export function CorrectionConfirmPage({ ctx, application, values, changes }: { ctx: PageContext; application: Application; values: CorrectionInput; changes: readonly FieldChange[] }) {
  return (
    <Layout ctx={ctx} title="補正申請 入力内容の確認">
      <Heading application={application} sub="補正申請 入力内容の確認" />
      <p>次の内容で補正申請を行います。よろしければ「補正申請する」ボタンを押してください。</p>
      <table class="data-table correction-changes">
        <caption>補正する項目（{changes.length}件）</caption>
        <thead>
          <tr>
            <th scope="col">項目</th>
            <th scope="col">補正前</th>
            <th scope="col">補正後</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr data-field={c.field}>
              <th scope="row">{correctableFields[c.field].label}</th>
              <td>{valueOrBlank(c.before)}</td>
              <td>{valueOrBlank(c.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ActionPostForm action="/inquiry/correction" class="button-row" csrfToken={ctx.csrfToken} application={application}>
        {fieldsOf(application).map((f) => (
          <input type="hidden" name={f} value={values[f] ?? ''} />
        ))}
        <button type="submit" name="step" value="submit" class="button button--primary">
          補正申請する
        </button>
        <button type="submit" name="step" value="edit" class="button button--secondary">
          入力内容を修正する
        </button>
      </ActionPostForm>
    </Layout>
  );
}

const text = Type.Optional(Type.String({ maxLength: 2000 }));
const CorrectionForm = Type.Object({
  _csrf: CSRF_FIELD,
  version: VERSION_FIELD,
  step: Type.Optional(Type.Union([Type.Literal('check'), Type.Literal('edit'), Type.Literal('submit')])),
  applicantName: text,
  applicantAddress: text,
  userName: text,
  userNameHigh: text,
  userAddress: text,
  ownerName: text,
  ownerNameHigh: text,
  ownerAddress: text,
  chassisNumber: text,
});

function currentValues(app: Application): CorrectionInput {
  return Object.fromEntries(fieldsOf(app).map((f) => [f, currentValue(app, f) ?? '']));
}

/** 【申請共通】補正申請の操作手順: 検査申請補正待ち (both) and 軽自動車税申告補正待ち (新車), before the deadline. */
export function correctionRoutes(services: Services): FastifyPluginAsyncTypebox {
  const withOwn = loadOwnApplication(services);
  return async (app) => {
    app.get('/inquiry/correction', { preHandler: withOwn }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const refusal = actionRefusal(own.application, 'correct', own.now);
      if (refusal) return sendRefused(req, reply, REFUSED_TITLE, refusal);
      return sendHtml(reply, 200, renderDocument(<CorrectionFormPage ctx={pageContext(req, reply)} application={own.application} values={currentValues(own.application)} />));
    });

    app.post('/inquiry/correction', { schema: { body: CorrectionForm }, preHandler: [app.csrfProtection, withOwn] }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const application = own.application;
      const refusal = actionRefusal(application, 'correct', own.now) ?? versionRefusal(application, req.body.version);
      if (refusal) return sendRefused(req, reply, REFUSED_TITLE, refusal);
      const ctx = pageContext(req, reply);
      const values: CorrectionInput = {};
      for (const f of fieldsOf(application)) values[f] = req.body[f] ?? '';
      const step = req.body.step ?? 'check';
      if (step === 'edit') return sendHtml(reply, 200, renderDocument(<CorrectionFormPage ctx={ctx} application={application} values={values} />));
      const checked = validateCorrection(application, values);
      if (!checked.ok) return sendHtml(reply, 400, renderDocument(<CorrectionFormPage ctx={ctx} application={application} values={values} errors={checked.errors} />));
      if (checked.changes.length === 0) {
        return sendHtml(reply, 400, renderDocument(<CorrectionFormPage ctx={ctx} application={application} values={values} general={NO_CHANGE_MESSAGE} />));
      }
      if (step === 'check') return sendHtml(reply, 200, renderDocument(<CorrectionConfirmPage ctx={ctx} application={application} values={values} changes={checked.changes} />));
      const result = await services.actOnApplication(application.id, { type: 'submitCorrection', changes: checked.changes }, { kind: 'applicant' }, {
        expectedVersion: Number(req.body.version),
        audit: { action: 'applicantCorrection', actor: { kind: 'applicant', applicationId: application.id }, clientAddress: req.ip, detail: `補正した項目：${checked.changes.map((c) => correctableFields[c.field].label).join('、')}` },
      });
      if (!result.ok) return sendRefused(req, reply, REFUSED_TITLE, result.refusal);
      req.log.info({ event: 'applicant-correction', applicationId: application.id, fields: checked.changes.map((c) => c.field) }, 'correction submitted');
      setFlash(req, reply, 'corrected');
      return reply.redirect('/inquiry/status', 303);
    });
  };
}
