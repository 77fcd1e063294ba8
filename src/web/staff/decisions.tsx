import { displayNumber, type Application } from '../../domain/application.js';
import { eventContract, type EventType } from '../../domain/events.js';
import { attachmentKinds, procedures } from '../../domain/procedures.js';
import { completionStatuses, statuses } from '../../domain/statuses.js';
import { addBusinessDays, japanDateOf } from '../../domain/time.js';
import { NO_CODE_REASON_MAX, REASON_DETAIL_MAX, REASON_TITLE_MAX, agencyFieldLabels } from '../../services/agency-input.js';
import { CsrfField } from '../components/forms.js';
import { FORM_TOKEN_FIELD, newFormToken } from '../form-once.js';
import { StaffField } from './components.js';

/** Business days a clerk gives for a correction unless they choose otherwise. */
export const DEFAULT_CORRECTION_BUSINESS_DAYS = 5;
/** Business days to pay the fees unless the clerk chooses otherwise. */
export const DEFAULT_PAYMENT_BUSINESS_DAYS = 10;

export const decisionKeys = [
  'accept',
  'refuse-acceptance',
  'issue-fees',
  'attachment-not-required',
  'request-correction',
  'complete-examination',
  'reject',
  'invalidate',
  'mark-ready',
  'hand-over',
] as const;
export type DecisionKey = (typeof decisionKeys)[number];

export type DecisionField = 'reasonTitle' | 'reasonDetail' | 'deadline' | 'dueOn' | 'completedOn' | 'vehicleNumber' | 'kind' | 'noCodeReason';

interface DecisionDef {
  readonly event: EventType;
  readonly title: (app: Application) => string;
  readonly button: (app: Application) => string;
  readonly explain: (app: Application) => string;
  readonly fields: readonly DecisionField[];
  readonly variant: 'primary' | 'secondary' | 'danger';
  /** Where a date the domain refuses (in the past, in the future) is shown. */
  readonly dateField?: DecisionField;
  /**
   * Irreversible decisions (issue 14): a confirmation page first, showing the application, the
   * decision and this consequence, as the applicant's withdrawal does.
   */
  readonly consequence?: (app: Application) => string;
}

const applyAgain = '申請者が手続を続けるには、改めて申請を行う必要があります（この申請は再開できません）。';
const doneLabel = (app: Application) => statuses[completionStatuses[app.procedure].done].label;

const readyLabel = (app: Application) => statuses[completionStatuses[app.procedure].ready].label;

/** The clerk's decisions: one form each, shown when the application's status allows it. */
export const decisions: Record<DecisionKey, DecisionDef> = {
  accept: {
    event: 'accept',
    title: () => '受付',
    button: () => '受け付ける',
    explain: () => '受付チェックで問題がなければ申請を受け付けます。受付番号が払い出され、申請者の画面は「申請受付済（添付書類取得待ち）」になります。',
    fields: [],
    variant: 'primary',
  },
  'refuse-acceptance': {
    event: 'refuseAcceptance',
    title: () => '未受付',
    button: () => '未受付にする',
    explain: () => '申請データや署名用電子証明書等に不備があり受け付けない場合に使います。申請者の画面は「未受付」になり、理由が表示されます。この申請は以後進められません。',
    fields: ['reasonTitle', 'reasonDetail'],
    variant: 'danger',
    consequence: () => `未受付にすると元に戻せません。申請者の画面は「未受付」になり、理由が表示されます。${applyAgain}`,
  },
  'issue-fees': {
    event: 'issueFees',
    title: () => '税・手数料の納付情報の発行',
    button: () => '納付情報を発行する',
    explain: () => '検査手数料・技術情報管理手数料と自動車重量税の納付番号を発行します。申請者の画面は「検査手数料等納付待ち」になります。納付期限までに納付されないと申請は無効（検査申請無効）になります。',
    fields: ['dueOn'],
    variant: 'primary',
    dateField: 'dueOn',
  },
  'attachment-not-required': {
    event: 'markAttachmentNotRequired',
    title: () => '添付書類を不要に設定',
    button: () => '不要にする',
    explain: () => '外部システムから取得する必要のない添付書類を「不要」にします。申請者の画面の添付書類取得状況に「不要」と表示されます。',
    fields: ['kind'],
    variant: 'secondary',
  },
  'request-correction': {
    event: 'requestCorrection',
    title: () => '補正の通知',
    button: () => '補正を通知する',
    explain: () => '申請者の画面は「検査申請補正待ち」になり、通知等情報に理由と期限日が表示されます。補正期限を過ぎると期限切れ却下になります。',
    fields: ['reasonTitle', 'reasonDetail', 'deadline'],
    variant: 'primary',
    dateField: 'deadline',
  },
  'complete-examination': {
    event: 'completeExamination',
    title: () => '審査完了',
    button: () => '審査を完了する',
    explain: (app) =>
      app.procedure === 'newVehicle'
        ? '審査完了年月日と払い出した車両番号を記録します。申請は都道府県税事務所の軽自動車税申告審査へ進みます（申請者の画面は「軽自動車税申告審査中」）。'
        : '審査完了年月日を記録します。申請者の画面は「返付準備中」になります。未取得の添付書類があると完了できません。',
    fields: ['completedOn', 'vehicleNumber'],
    variant: 'primary',
    dateField: 'completedOn',
  },
  reject: {
    event: 'reject',
    title: () => '却下',
    button: () => '却下する',
    explain: () => '審査の結果、申請を却下します。申請者の画面は「検査申請却下」になり、理由が表示されます。この申請は以後進められません。',
    fields: ['reasonTitle', 'reasonDetail'],
    variant: 'danger',
    consequence: () => `却下すると元に戻せません。申請者の画面は「検査申請却下」になり、理由が表示されます。${applyAgain}`,
  },
  invalidate: {
    event: 'invalidate',
    title: () => '無効',
    button: () => '無効にする',
    explain: () => '受付チェック等により申請を無効にします。申請者の画面は「検査申請無効」になり、理由が表示されます。この申請は以後進められません。',
    fields: ['reasonTitle', 'reasonDetail'],
    variant: 'danger',
    consequence: () => `無効にすると元に戻せません。申請者の画面は「検査申請無効」になり、理由が表示されます。${applyAgain}`,
  },
  'mark-ready': {
    event: 'markReady',
    title: (app) => readyLabel(app),
    button: (app) => `${readyLabel(app)}にする`,
    explain: (app) => `自動車検査証等の${procedures[app.procedure].deliveryWord}の準備が整ったことを記録します。申請者の画面は「${readyLabel(app)}」になり、二次元コードを発行できるようになります。`,
    fields: [],
    variant: 'primary',
  },
  'hand-over': {
    event: 'handOver',
    title: () => '窓口での受け取り',
    button: () => '受け取りを記録する',
    explain: (app) =>
      `窓口で交付物を渡したことを記録します（申請者の画面は「${doneLabel(app)}」）。申請者が二次元コードを提示した場合は「窓口での受け取り確認」でコードを確認してから記録してください。提示がない場合（記録等事務代行者が受け取る、本人確認書類で確認した等）は、その理由を入力して記録します。理由は履歴に残ります。`,
    fields: ['noCodeReason'],
    variant: 'primary',
    consequence: (app) => `受け取りを記録すると元に戻せません。申請状況は「${doneLabel(app)}」になり、手続は完了します。二次元コードを確認せずに渡したことと、その理由が履歴に記録されます。`,
  },
};

/**
 * The decisions the clerk's office may make on the application now: the domain's table of events
 * says which (an office may post it, from this status); this file only words them.
 */
export function availableDecisions(app: Application): DecisionKey[] {
  return decisionKeys.filter((key) => {
    const contract = eventContract(decisions[key].event);
    if (!contract.actors.includes('inspectionOffice') || !contract.from.includes(app.status)) return false;
    if (key === 'attachment-not-required') return app.attachments.some((a) => a.state === 'notAcquired');
    return true;
  });
}

export interface DecisionFormState {
  readonly decision: DecisionKey;
  readonly values: Readonly<Partial<Record<DecisionField, string>>>;
  readonly errors: Readonly<Partial<Record<DecisionField, string>>>;
}

/** The id of a field on the page: decisions share field names, so the id carries the decision. */
export const fieldId = (decision: DecisionKey, field: DecisionField) => `${decision}-${field}`;

function defaults(decision: DecisionKey, now: Date): Partial<Record<DecisionField, string>> {
  const today = japanDateOf(now);
  if (decision === 'request-correction') return { deadline: addBusinessDays(today, DEFAULT_CORRECTION_BUSINESS_DAYS) };
  if (decision === 'issue-fees') return { dueOn: addBusinessDays(today, DEFAULT_PAYMENT_BUSINESS_DAYS) };
  if (decision === 'complete-examination') return { completedOn: today };
  return {};
}

/** One decision's form: its explanation, its fields, the version it was made on, its button. */
export function DecisionForm({ app, decision, csrfToken, now, state }: { app: Application; decision: DecisionKey; csrfToken: string; now: Date; state?: DecisionFormState | undefined }) {
  const def = decisions[decision];
  const own = state?.decision === decision ? state : undefined;
  const values = { ...defaults(decision, now), ...(own?.values ?? {}) };
  const errors = own?.errors ?? {};
  const action = `/staff/applications/${displayNumber(app)}/${decision}`;
  const field = (name: DecisionField, extra: { type?: 'text' | 'date' | 'textarea'; hint?: string; required?: boolean; maxLength?: number; width?: 'short' | 'medium' | 'long' } = {}) => (
    <StaffField id={fieldId(decision, name)} name={name} label={agencyFieldLabels[name]} value={values[name]} error={errors[name]} {...extra} />
  );
  if (decision === 'attachment-not-required') {
    return (
      <section class="decision" id={`decision-${decision}`} aria-labelledby={`decision-${decision}-title`}>
        <h3 id={`decision-${decision}-title`} class="decision__title">
          {def.title(app)}
        </h3>
        <p class="decision__explain">{def.explain(app)}</p>
        {errors.kind ? <p class="form-field__error">{errors.kind}</p> : null}
        <ul class="decision__attachments">
          {app.attachments
            .filter((a) => a.state === 'notAcquired')
            .map((a) => (
              <li>
                <form method="post" action={action} class="inline-form">
                  <CsrfField token={csrfToken} />
                  <input type="hidden" name={FORM_TOKEN_FIELD} value={newFormToken()} />
                  <input type="hidden" name="version" value={String(app.version)} />
                  <input type="hidden" name="kind" value={a.kind} />
                  <span class="decision__attachment-name">{attachmentKinds[a.kind]}（未取得）</span>{' '}
                  <button type="submit" class="button button--secondary">
                    {attachmentKinds[a.kind]}を不要にする
                  </button>
                </form>
              </li>
            ))}
        </ul>
      </section>
    );
  }
  return (
    <section class="decision" id={`decision-${decision}`} aria-labelledby={`decision-${decision}-title`}>
      <h3 id={`decision-${decision}-title`} class="decision__title">
        {def.title(app)}
      </h3>
      <p class="decision__explain">{def.explain(app)}</p>
      {decision === 'hand-over' ? (
        <p>
          <a href="/staff/counter" class="button button--secondary">
            二次元コードを確認して記録する（窓口での受け取り確認へ）
          </a>
        </p>
      ) : null}
      <form method="post" action={action} class="form decision__form" novalidate>
        <CsrfField token={csrfToken} />
        <input type="hidden" name={FORM_TOKEN_FIELD} value={newFormToken()} />
        <input type="hidden" name="version" value={String(app.version)} />
        {def.fields.includes('reasonTitle') ? field('reasonTitle', { required: true, maxLength: REASON_TITLE_MAX, width: 'long', hint: `${REASON_TITLE_MAX}文字以内。申請者の画面の通知等情報「理由」の1行目に表示されます。` }) : null}
        {def.fields.includes('reasonDetail') ? field('reasonDetail', { type: 'textarea', maxLength: REASON_DETAIL_MAX, hint: `${REASON_DETAIL_MAX}文字以内。何をどう直せばよいかを申請者に伝えてください。` }) : null}
        {def.fields.includes('deadline')
          ? field('deadline', { type: 'date', required: true, width: 'short', hint: `期限日（この日の終わりまで）。既定は${DEFAULT_CORRECTION_BUSINESS_DAYS}開庁日後です。` })
          : null}
        {def.fields.includes('dueOn') ? field('dueOn', { type: 'date', required: true, width: 'short', hint: `既定は${DEFAULT_PAYMENT_BUSINESS_DAYS}開庁日後です。` }) : null}
        {def.fields.includes('completedOn') ? field('completedOn', { type: 'date', required: true, width: 'short' }) : null}
        {def.fields.includes('noCodeReason')
          ? field('noCodeReason', { required: true, maxLength: NO_CODE_REASON_MAX, width: 'long', hint: `${NO_CODE_REASON_MAX}文字以内。例：運転免許証で本人確認、記録等事務代行者が受け取り。` })
          : null}
        {def.fields.includes('vehicleNumber') && procedures[app.procedure].issuesVehicleNumber
          ? field('vehicleNumber', { required: true, width: 'medium', maxLength: 40, hint: '払い出した車両番号を「品川 580 な 1010」のように、地名・分類番号・ひらがな・一連指定番号の順に入力してください（区切りの空白は省略できます）。' })
          : null}
        <div class="button-row">
          <button type="submit" class={`button button--${def.variant}`}>
            {decision === 'hand-over' ? '二次元コードの提示なしで受け取りを記録する' : def.button(app)}
          </button>
        </div>
      </form>
    </section>
  );
}
