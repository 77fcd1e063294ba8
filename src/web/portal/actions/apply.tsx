import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { weightTaxBands, type ValidFiling } from '../../../domain/filing.js';
import { formatYen } from '../../../domain/format.js';
import { inspectionOffices } from '../../../domain/offices.js';
import { procedures, type ProcedureCode } from '../../../domain/procedures.js';
import { formatReceiptNumber, parseReceiptNumber } from '../../../domain/receipt-number.js';
import type { Application } from '../../../domain/application.js';
import type { Result } from '../../../domain/result.js';
import { formatVehicleNumber } from '../../../domain/vehicle.js';
import { IDEMPOTENCY_RETRY_AFTER_SECONDS, type Answer } from '../../../services/idempotency.js';
import type { Services } from '../../../services/index.js';
import { FORM_TOKEN_FIELD, FormTokenField, newFormToken, runFormOnce } from '../../form-once.js';
import type { OpenApplicationsForVehicle } from '../../../services/duplicates.js';
import { Layout } from '../../components/Layout.js';
import { Banner, CsrfField, ErrorSummary, TextField, errorItems } from '../../components/forms.js';
import { cookieOptions } from '../../cookies.js';
import { pageContext, type PageContext } from '../../page-context.js';
import { renderDocument, sendHtml } from '../../render.js';
import {
  answerKeys,
  applySteps,
  chosenProcedure,
  firstIncompleteStep,
  nextStep,
  passwordErrors,
  previousStep,
  stepErrors,
  stepFields,
  stepTitle,
  validFiling,
  type Answers,
  type ApplyStep,
  type StepErrors,
} from './apply-form.js';
import type { PasswordSealer } from '../../../services/password-seal.js';
import { AnswerTable, HiddenFields, RadioGroup, SelectField } from './fields.js';
import { CSRF_FIELD } from './form.js';

export const APPLY_DONE_COOKIE = 'kei_apply_done';
/** The final submit (申請する) per client address: enough for a busy dealer, not for a script. */
export const APPLY_SUBMIT_LIMIT = { max: 30, timeWindow: 10 * 60 * 1000 } as const;
export const SEAL_EXPIRED_MESSAGE = '申請用パスワードの入力から時間が経過したため、もう一度入力してください。';

const SIGNATURE_NOTE =
  '実際の軽自動車OSSでは、申請データに署名用電子証明書（マイナンバーカード等）による電子署名を付して送信します。このシステムでは電子署名は対象外のため、署名は行いません。';

function SignatureNote() {
  return (
    <Banner kind="info" title="電子署名（署名用電子証明書）について">
      <p>{SIGNATURE_NOTE}</p>
    </Banner>
  );
}

function StepIndicator({ step, procedure }: { step: ApplyStep; procedure: ProcedureCode | null }) {
  const index = applySteps.indexOf(step);
  return (
    <nav class="apply-steps" aria-label="初回申請の手順">
      <p class="visually-hidden">
        全{applySteps.length}ステップ中、{index + 1}ステップ目「{stepTitle(step, procedure)}」
      </p>
      <ol class="apply-steps__list" aria-hidden="true">
        {applySteps.map((s, i) => (
          <li class="apply-steps__item" data-state={i < index ? 'done' : i === index ? 'current' : 'pending'}>
            {i + 1}. {stepTitle(s, procedure)}
          </li>
        ))}
      </ol>
    </nav>
  );
}

const yesNo = (yes: string, no: string) => [
  { value: 'yes', label: yes },
  { value: 'no', label: no },
];

function StepFields({ step, a, e }: { step: Exclude<ApplyStep, 'check'>; a: Answers; e: StepErrors }) {
  const procedure = chosenProcedure(a);
  const nv = procedure === 'newVehicle';
  const text = (name: keyof Answers, label: string, o: { required?: boolean; hint?: string; max: number; width?: 'short' | 'medium' | 'long'; inputMode?: 'numeric' }) => (
    <TextField name={name} label={label} value={a[name]} error={e[name]} hint={o.hint} required={o.required ?? true} maxLength={o.max} width={o.width ?? 'medium'} inputMode={o.inputMode} autocomplete="off" spellcheck={false} />
  );
  switch (step) {
    case 'procedure':
      return (
        <RadioGroup
          name="procedure"
          legend="申請する手続"
          required
          value={a.procedure}
          error={e.procedure}
          options={[
            { value: 'continuousInspection', label: `${procedures.continuousInspection.fullLabel}（車検）` },
            { value: 'newVehicle', label: procedures.newVehicle.fullLabel },
          ]}
        />
      );
    case 'parties':
      return (
        <>
          <fieldset class="fieldset">
            <legend>申請者</legend>
            {text('applicantName', '申請者名', { max: 60 })}
            {text('applicantAddress', '申請者住所', { max: 120, width: 'long' })}
          </fieldset>
          <fieldset class="fieldset">
            <legend>使用者</legend>
            {text('userName', '使用者名', { max: 60 })}
            {nv ? text('userNameHigh', '使用者名（高水準）', { max: 60, required: false, hint: '標準の文字で表せない文字を含む氏名・名称の場合に入力してください（任意）。' }) : null}
            {text('userAddress', '使用者住所', { max: 120, width: 'long' })}
          </fieldset>
          {nv ? (
            <fieldset class="fieldset">
              <legend>所有者</legend>
              <RadioGroup name="ownerSameAsUser" legend="所有者は使用者と同じですか" required value={a.ownerSameAsUser ?? 'yes'} error={e.ownerSameAsUser} options={yesNo('同じ（同上）', '異なる')} />
              <p class="form-field__hint">「異なる」を選んだ場合は、所有者の氏名・名称と住所を入力してください。</p>
              {text('ownerName', '所有者名', { max: 60, required: false })}
              {text('ownerNameHigh', '所有者名（高水準）', { max: 60, required: false })}
              {text('ownerAddress', '所有者住所', { max: 120, width: 'long', required: false })}
            </fieldset>
          ) : null}
        </>
      );
    case 'vehicle':
      return (
        <>
          {nv ? null : text('vehicleNumber', '車両番号', { max: 40, hint: '「品川 580 さ 1234」のように、地名・分類番号・ひらがな・一連指定番号の順に入力してください（区切りの空白は省略できます）。' })}
          {text('chassisNumber', '車台番号', { max: 30, hint: '半角英数字とハイフンで入力してください（例：AX01-0000001）。' })}
          {text('vehicleModel', '型式', { max: 30, width: 'short', hint: '例：5BA-JF3' })}
          <RadioGroup
            name="weightTaxBand"
            legend="自動車重量税の区分"
            required
            value={a.weightTaxBand}
            error={e.weightTaxBand}
            options={Object.entries(weightTaxBands).map(([value, label]) => ({ value, label }))}
          />
          {nv ? (
            <>
              {text('acquisitionPrice', '取得価額（円）', { max: 20, width: 'short', inputMode: 'numeric', hint: '円単位の数字で入力してください（例：1650000）。50万円以下の場合、軽自動車税環境性能割はかかりません。' })}
              <RadioGroup
                name="environmentalTaxRate"
                legend="軽自動車税環境性能割の税率"
                required
                value={a.environmentalTaxRate}
                error={e.environmentalTaxRate}
                options={[
                  { value: '0', label: '0%（非課税）' },
                  { value: '1', label: '1%' },
                  { value: '2', label: '2%' },
                ]}
              />
              <RadioGroup name="preferredNumber" legend="希望番号の予約" required value={a.preferredNumber ?? 'no'} error={e.preferredNumber} options={yesNo('予約あり（希望番号予約済証を添付）', '予約なし')} />
            </>
          ) : null}
        </>
      );
    case 'office':
      return (
        <>
          <SelectField
            name="officeCode"
            label="申請先軽自動車検査協会事務所等"
            required
            value={a.officeCode}
            error={e.officeCode}
            hint="自動車検査証等を受け取る事務所等を選択してください。"
            options={Object.values(inspectionOffices).map((o) => ({ value: o.code, label: `${o.name}（${o.address}）` }))}
          />
          {procedure === 'continuousInspection' ? (
            <fieldset class="fieldset">
              <legend>記録等事務代行者</legend>
              <RadioGroup name="agentUse" legend="記録等事務代行者への委託" required value={a.agentUse ?? 'no'} error={e.agentUse} options={yesNo('委託する', '委託しない')} />
              <p class="form-field__hint">「委託する」を選んだ場合は、次の項目を入力してください。</p>
              {text('agentCommissionNumber', '記録等事務代行者委託番号', { max: 20, width: 'short', required: false, hint: '半角英数字（例：KIROKU0001）' })}
              {text('agentName', '記録等事務代行者氏名又は名称', { max: 60, required: false })}
              <RadioGroup
                name="agentUsable"
                legend="記録等事務代行利用可否"
                value={a.agentUsable}
                error={e.agentUsable}
                hint="「利用可」の場合は記録等事務代行者が交付物を受け取るため、二次元コードの発行は不要です。"
                options={yesNo('利用可', '利用不可')}
              />
            </fieldset>
          ) : null}
        </>
      );
    case 'password':
      return (
        <>
          <TextField
            name="password"
            label="申請用パスワード"
            type="password"
            error={e.password}
            hint="8文字以上64文字以内の半角英数字・記号で、英字と数字をそれぞれ1文字以上含めてください。状況の照会のときに必要です。"
            required
            maxLength={64}
            autocomplete="new-password"
            spellcheck={false}
          />
          <TextField name="passwordConfirm" label="申請用パスワード（確認）" type="password" error={e.passwordConfirm} hint="確認のため、もう一度入力してください。" required maxLength={64} autocomplete="new-password" spellcheck={false} />
        </>
      );
  }
}

/** Every answer except those the step shows as inputs. */
function carried(a: Answers, except: readonly string[]): Answers {
  return Object.fromEntries(answerKeys.filter((k) => !except.includes(k) && a[k] !== undefined && a[k] !== '').map((k) => [k, a[k]]));
}

function ApplyHeading({ step, procedure }: { step: ApplyStep; procedure: ProcedureCode | null }) {
  return (
    <>
      <h1 class="page-title">
        <span class="page-title__crumb">申請を行う（初回申請）</span> {stepTitle(step, procedure)}
        {procedure ? <span class="procedure-tag">{procedures[procedure].label}</span> : null}
      </h1>
      <StepIndicator step={step} procedure={procedure} />
    </>
  );
}

const fieldOrder = [...answerKeys, 'password', 'passwordConfirm'];

/** One step of 初回申請 (1–5). */
export function ApplyStepPage({ ctx, step, answers, errors, returnTo }: { ctx: PageContext; step: Exclude<ApplyStep, 'check'>; answers: Answers; errors?: StepErrors; returnTo?: 'check' | undefined }) {
  const procedure = chosenProcedure(answers);
  const items = errorItems(errors ?? {}, fieldOrder);
  return (
    <Layout ctx={ctx} title={`初回申請 ${stepTitle(step, procedure)}`} hasErrors={items.length > 0}>
      <ApplyHeading step={step} procedure={procedure} />
      <ErrorSummary items={items} />
      {step === 'procedure' ? (
        <>
          <p>軽自動車の継続検査、または新車〔新規検査・地方税申告〕の申請を行います。画面の案内に従って入力し、最後に申請内容を確認してから申請してください。</p>
          <SignatureNote />
        </>
      ) : null}
      {step === 'password' ? <p>申請用パスワードは、申請後に申請状況を照会するときに、到達番号（受付番号）と一緒に入力します。忘れないように控えてください。</p> : null}
      <form method="post" action="/apply" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <input type="hidden" name="step" value={step} />
        {returnTo ? <input type="hidden" name="returnTo" value={returnTo} /> : null}
        <HiddenFields values={carried(answers, stepFields[step])} />
        <StepFields step={step} a={answers} e={errors ?? {}} />
        <div class="button-row">
          <button type="submit" class="button button--primary">
            次へ
          </button>
          {step === 'procedure' ? null : (
            <button type="submit" name="goto" value={previousStep(step)} class="button button--secondary">
              戻る
            </button>
          )}
        </div>
      </form>
      <p>
        <a href="/online">申請を中止して画面申請のメニューへ戻る</a>
      </p>
    </Layout>
  );
}

function ChangeButton({ step, label }: { step: ApplyStep; label: string }) {
  return (
    <button type="submit" formAction="/apply" name="goto" value={step} class="link-button">
      変更<span class="visually-hidden">（{label}）</span>
    </button>
  );
}

const or = (v: string | null | undefined) => (v && v !== '' ? v : '');

function checkSections(f: ValidFiling): { step: ApplyStep; caption: string; rows: [string, ComponentChildren][] }[] {
  const nv = f.procedure === 'newVehicle';
  const office = inspectionOffices[f.officeCode];
  const parties: [string, ComponentChildren][] = [
    ['申請者名', f.applicant.name],
    ['申請者住所', f.applicant.address],
    ['使用者名', f.user.name],
    ...(nv ? ([['使用者名（高水準）', or(f.user.nameHigh)]] as [string, string][]) : []),
    ['使用者住所', f.user.address],
    ...(nv
      ? ((f.owner
          ? [
              ['所有者名', f.owner.name],
              ['所有者名（高水準）', or(f.owner.nameHigh)],
              ['所有者住所', f.owner.address],
            ]
          : [['所有者名', '同上']]) as [string, string][])
      : []),
  ];
  const vehicle: [string, ComponentChildren][] = [
    ...(nv ? [] : ([['車両番号', f.vehicle.vehicleNumber ? formatVehicleNumber(f.vehicle.vehicleNumber) : '']] as [string, string][])),
    ['車台番号', f.vehicle.chassisNumber],
    ['型式', f.vehicle.model],
    ['自動車重量税の区分', weightTaxBands[f.vehicle.weightTaxBand]],
    ...(nv
      ? ([
          ['取得価額', formatYen(f.vehicle.acquisitionPrice ?? 0)],
          ['軽自動車税環境性能割の税率', `${f.vehicle.environmentalTaxRate ?? 0}%`],
          ['希望番号の予約', f.preferredNumber ? '予約あり' : '予約なし'],
        ] as [string, string][])
      : []),
  ];
  const where: [string, ComponentChildren][] = [
    ['申請先軽自動車検査協会事務所等', `${office.name}（${office.address}）`],
    ...(nv
      ? []
      : f.recordingAgent
        ? ([
            ['記録等事務代行者委託番号', f.recordingAgent.commissionNumber],
            ['記録等事務代行者氏名又は名称', f.recordingAgent.name],
            ['記録等事務代行利用可否', f.recordingAgent.usable ? '利用可' : '利用不可'],
          ] as [string, string][])
        : ([['記録等事務代行者', '委託しない']] as [string, string][])),
  ];
  return [
    { step: 'procedure', caption: '手続', rows: [['手続', procedures[f.procedure].fullLabel]] },
    { step: 'parties', caption: stepTitle('parties', f.procedure), rows: parties },
    { step: 'vehicle', caption: '車両', rows: vehicle },
    { step: 'office', caption: stepTitle('office', f.procedure), rows: where },
    { step: 'password', caption: '申請用パスワード', rows: [['申請用パスワード', '入力済み（表示しません）']] },
  ];
}

export const DUPLICATE_TITLE = 'この車両には、処理中の申請が既にあります。';

/**
 * Issue 14: the same 車台番号 already has an open application. Said before 申請する; the number is
 * shown only when it is the viewer's own (see OpenApplicationsForVehicle).
 */
function DuplicateWarning({ duplicate, chassisNumber }: { duplicate: OpenApplicationsForVehicle; chassisNumber: string }) {
  return (
    <Banner kind="warning" title={DUPLICATE_TITLE}>
      <p>
        車台番号「{chassisNumber}」の処理中の申請が{duplicate.count}件あります。
        {duplicate.ownNumber ? (
          <>
            状況の照会でログインしている申請（受付番号（到達番号）<span class="nowrap">{formatReceiptNumber(duplicate.ownNumber)}</span>）もその一つです。
          </>
        ) : null}
        同じ申請を二重に行っていないか確認してください。既に行った申請の状況は、その受付番号（到達番号）と申請用パスワードで「状況の照会」から確認できます。
      </p>
      <p>二重に申請すると、申請ごとに審査と納付が必要になります。別の手続として申請する場合は、このまま「この内容で申請する」を押してください。</p>
    </Banner>
  );
}

/** 確認: check your answers, with 変更 back to each step, then 申請する. */
export function ApplyCheckPage({ ctx, answers, filing, duplicate }: { ctx: PageContext; answers: Answers; filing: ValidFiling; duplicate?: OpenApplicationsForVehicle | null | undefined }) {
  return (
    <Layout ctx={ctx} title="初回申請 申請内容の確認">
      <ApplyHeading step="check" procedure={filing.procedure} />
      {duplicate ? <DuplicateWarning duplicate={duplicate} chassisNumber={filing.vehicle.chassisNumber} /> : null}
      <p>申請内容を確認してください。変更する場合は、各項目の「変更」を押してください。よろしければ「この内容で申請する」ボタンを押してください。</p>
      <form method="post" action="/apply/submit" class="form">
        <CsrfField token={ctx.csrfToken} />
        <input type="hidden" name={FORM_TOKEN_FIELD} value={newFormToken()} />
        <input type="hidden" name="returnTo" value="check" />
        <HiddenFields values={carried(answers, [])} />
        {checkSections(filing).map((s) => (
          <AnswerTable caption={s.caption} rows={s.rows} action={<ChangeButton step={s.step} label={s.caption} />} />
        ))}
        <SignatureNote />
        <div class="button-row">
          <button type="submit" class="button button--primary">
            この内容で申請する
          </button>
        </div>
      </form>
    </Layout>
  );
}

/** 完了: the 到達番号, what happens next, and how to look the application up. */
export function ApplyCompletePage({ ctx, arrivalNumber }: { ctx: PageContext; arrivalNumber: string }) {
  return (
    <Layout ctx={ctx} title="初回申請 完了">
      <h1 class="page-title">
        <span class="page-title__crumb">申請を行う（初回申請）</span> 完了
      </h1>
      <Banner kind="success" title="申請が到達しました。">
        <p>到達番号を控えてください。到達番号と申請用パスワードは、申請状況の照会に必要です。</p>
      </Banner>
      <table class="summary-table">
        <caption class="visually-hidden">到達番号</caption>
        <tbody>
          <tr>
            <th scope="row">到達番号</th>
            <td class="arrival-number">{formatReceiptNumber(arrivalNumber)}</td>
          </tr>
        </tbody>
      </table>
      <h2>この後の流れ</h2>
      <ol class="next-steps">
        <li>
          <strong>受付チェック</strong>：軽自動車検査協会の事務所等が申請データを確認します（申請状況「受付審査中」）。確認は開庁日（平日。祝日と12月29日〜1月3日を除く）の窓口受付時間内に行われ、時間外に届いた申請は翌開庁日以降に確認されます。
        </li>
        <li>
          <strong>受付番号</strong>：受け付けられると受付番号が払い出されます。受け付けられなかった場合（未受付）は、その理由が通知等情報に表示されます。
        </li>
        <li>
          <strong>納付</strong>：検査手数料等の納付情報が発行されたら、納付期限までに Pay-easy（ペイジー）で納付してください。
        </li>
        <li>
          <strong>審査</strong>：添付書類がそろい、納付が確認されると審査が行われます。審査が完了すると、自動車検査証等の返付（新車は交付）の準備が始まります。
        </li>
      </ol>
      <h2>申請状況の確認方法</h2>
      <p>
        「画面申請」→「状況の照会」で、到達番号（受け付けられた後は受付番号）と申請用パスワードを入力すると、申請状況を確認できます。
      </p>
      <div class="button-row">
        <a class="button button--primary" href="/inquiry/login">
          状況の照会へ
        </a>
        <button type="button" class="button button--secondary" data-print="" hidden>
          この画面を印刷する
        </button>
      </div>
      <p class="form-field__hint">{SIGNATURE_NOTE}</p>
    </Layout>
  );
}

const answer = Type.Optional(Type.String({ maxLength: 500 }));
const stepLiteral = Type.Union(applySteps.map((s) => Type.Literal(s)));
/** The same 申請する form is being processed by another request (a double click): the first one's answer follows. */
const SUBMIT_IN_PROGRESS_MESSAGE = 'この申請は送信中です。しばらく待ってから、画面を更新してください。';

const ApplyForm = Type.Object({
  _csrf: CSRF_FIELD,
  step: Type.Optional(stepLiteral),
  goto: Type.Optional(stepLiteral),
  returnTo: Type.Optional(Type.Literal('check')),
  formToken: FormTokenField,
  password: Type.Optional(Type.String({ maxLength: 1000 })),
  passwordConfirm: Type.Optional(Type.String({ maxLength: 1000 })),
  ...Object.fromEntries(answerKeys.map((k) => [k, answer])),
});

type ApplyBody = { step?: ApplyStep; goto?: ApplyStep; returnTo?: 'check'; password?: string; passwordConfirm?: string } & Answers;

function answersOf(body: ApplyBody): Answers {
  return Object.fromEntries(answerKeys.filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
}

/** The password sealer, and the look-up of other open applications for the vehicle (issue 14). */
type ApplySupport = PasswordSealer & { readonly openApplicationsForVehicle: Services['openApplicationsForVehicle'] };

async function renderStep(req: FastifyRequest, reply: FastifyReply, status: number, step: ApplyStep, answers: Answers, sealer: ApplySupport, errors?: StepErrors, returnTo?: 'check') {
  const ctx = pageContext(req, reply);
  if (step === 'check') {
    const missing = firstIncompleteStep(answers, sealer);
    const filing = missing === null ? validFiling(answers) : null;
    if (filing) {
      const duplicate = await sealer.openApplicationsForVehicle(filing.vehicle.chassisNumber, req.applicantSession?.applicationId ?? null);
      return sendHtml(reply, status, renderDocument(<ApplyCheckPage ctx={ctx} answers={answers} filing={filing} duplicate={duplicate} />));
    }
    return sendHtml(reply, status, renderDocument(<ApplyStepPage ctx={ctx} step={missing ?? 'procedure'} answers={answers} returnTo="check" />));
  }
  const shown = step !== 'procedure' && !chosenProcedure(answers) ? 'procedure' : step;
  return sendHtml(reply, status, renderDocument(<ApplyStepPage ctx={ctx} step={shown} answers={answers} errors={errors} returnTo={returnTo} />));
}

/** 【画面申請】初回申請の操作手順: 申請を行う from the 画面申請 menu. */
export function applyRoutes(services: Services): FastifyPluginAsyncTypebox {
  const sealer: ApplySupport = { ...services.passwordSeal, openApplicationsForVehicle: services.openApplicationsForVehicle };
  return async (app) => {
    app.get('/apply', async (req, reply) => sendHtml(reply, 200, renderDocument(<ApplyStepPage ctx={pageContext(req, reply)} step="procedure" answers={{}} />)));

    app.post('/apply', { schema: { body: ApplyForm }, preHandler: app.csrfProtection }, async (req, reply) => {
      const body = req.body as ApplyBody;
      const answers = answersOf(body);
      const returnTo = body.returnTo;
      if (body.goto) return renderStep(req, reply, 200, body.goto, answers, sealer, undefined, returnTo);
      const step = body.step ?? 'procedure';
      if (step === 'check') return renderStep(req, reply, 200, 'check', answers, sealer);
      if (step === 'password') {
        const errors = passwordErrors(body.password ?? '', body.passwordConfirm ?? '');
        if (Object.keys(errors).length > 0) return renderStep(req, reply, 400, 'password', answers, sealer, errors, returnTo);
        answers.passwordSealed = sealer.seal(body.password ?? '');
      } else {
        const errors = stepErrors(answers, step);
        if (Object.keys(errors).length > 0) return renderStep(req, reply, 400, step, answers, sealer, errors, returnTo);
      }
      const next = returnTo === 'check' ? (firstIncompleteStep(answers, sealer) ?? 'check') : nextStep(step);
      return renderStep(req, reply, 200, next, answers, sealer, undefined, returnTo);
    });

    app.post(
      '/apply/submit',
      { schema: { body: ApplyForm }, preHandler: app.csrfProtection, config: { rateLimit: { max: APPLY_SUBMIT_LIMIT.max, timeWindow: APPLY_SUBMIT_LIMIT.timeWindow } } },
      async (req, reply) => {
        const answers = answersOf(req.body);
        // Everything again, whatever the earlier steps said: the hidden fields came back from the browser.
        if (!chosenProcedure(answers)) return renderStep(req, reply, 400, 'procedure', answers, sealer, stepErrors(answers, 'procedure'), 'check');
        for (const step of ['parties', 'vehicle', 'office'] as const) {
          const errors = stepErrors(answers, step);
          if (Object.keys(errors).length > 0) return renderStep(req, reply, 400, step, answers, sealer, errors, 'check');
        }
        const password = sealer.open(answers.passwordSealed);
        if (password === null) return renderStep(req, reply, 400, 'password', answers, sealer, { password: SEAL_EXPIRED_MESSAGE }, 'check');
        const filing = validFiling(answers);
        if (!filing) return renderStep(req, reply, 400, 'procedure', answers, sealer, undefined, 'check');
        // Once per form: a replayed or retried 申請する answers with the first 到達番号 (the answer is stored with the registration).
        const render = (result: Result<Application>): Answer =>
          result.ok ? { status: 303, body: { arrivalNumber: result.value.arrivalNumber, applicationId: result.value.id } } : { status: 409, body: { message: result.refusal.message } };
        const outcome = await runFormOnce(services, req, async (once) => render(await services.registerApplication(filing, password, { kind: 'applicant' }, { once: once.within(render) })));
        if (outcome.kind === 'noToken' || outcome.kind === 'mismatch') return renderStep(req, reply, 400, 'check', answers, sealer);
        if (outcome.kind === 'inProgress') {
          reply.header('retry-after', String(IDEMPOTENCY_RETRY_AFTER_SECONDS));
          return sendHtml(reply, 409, renderDocument(<ApplyStepPage ctx={pageContext(req, reply)} step="procedure" answers={answers} errors={{ procedure: SUBMIT_IN_PROGRESS_MESSAGE }} />));
        }
        const answer = outcome.body as { arrivalNumber?: string; applicationId?: string; message?: string };
        if (outcome.status !== 303 || !answer.arrivalNumber) {
          return sendHtml(reply, 409, renderDocument(<ApplyStepPage ctx={pageContext(req, reply)} step="procedure" answers={answers} errors={{ procedure: answer.message ?? SUBMIT_IN_PROGRESS_MESSAGE }} />));
        }
        if (!outcome.replayed) req.log.info({ event: 'applicant-filed', applicationId: answer.applicationId, procedure: filing.procedure }, 'application filed');
        reply.setCookie(APPLY_DONE_COOKIE, answer.arrivalNumber, { ...cookieOptions(req, 30 * 60), signed: true });
        return reply.redirect('/apply/complete', 303);
      },
    );

    app.get('/apply/complete', async (req, reply) => {
      const raw = req.cookies[APPLY_DONE_COOKIE];
      const unsigned = raw ? req.unsignCookie(raw) : null;
      const parsed = unsigned?.valid && unsigned.value ? parseReceiptNumber(unsigned.value) : null;
      if (!parsed?.ok) return reply.redirect('/apply', 303);
      return sendHtml(reply, 200, renderDocument(<ApplyCompletePage ctx={pageContext(req, reply)} arrivalNumber={parsed.value} />));
    });
  };
}
