import { randomBytes } from 'node:crypto';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { inspectionOffices } from '../../domain/offices.js';
import type { Services } from '../../services/index.js';
import { staffAuditActor, staffRoleLabels } from '../../services/staff-auth.js';
import { staffRoles, type StaffRole, type StaffUser } from '../../domain/agency.js';
import { Banner, CsrfField, ErrorSummary, type ErrorItem } from '../components/forms.js';
import type { PageContext } from '../page-context.js';
import { renderDocument } from '../render.js';
import { StaffField, StaffLayout } from './components.js';
import { requireSupervisor, sendHtml, staffContext, staffUserOf } from './guard.js';

type Field = 'loginId' | 'displayName' | 'role';

const roleHints: Record<StaffRole, string> = {
  clerk: '作業一覧、申請の処理、窓口での受け取り確認',
  viewer: '作業一覧と申請の詳細の閲覧のみ（処理はできません）',
  supervisor: '職員の操作に加えて、監査ログの閲覧と職員の作成',
};

/** 職員の作成: a supervisor (監督者) creates a staff user of the own office; the password is shown once. */
export function NewStaffUserPage({ ctx, officeName, values, errors, created }: { ctx: PageContext; officeName: string; values?: { loginId?: string; displayName?: string; role?: string }; errors?: Partial<Record<Field, string>>; created?: { user: StaffUser; password: string } }) {
  const items: ErrorItem[] = Object.entries(errors ?? {}).map(([field, message]) => ({ field: field === 'role' ? 'role-clerk' : field, message: message as string }));
  const role = values?.role ?? 'clerk';
  return (
    <StaffLayout ctx={ctx} title="職員の作成" hasErrors={items.length > 0} current="users">
      <h1 class="page-title">職員の作成</h1>
      <ErrorSummary items={items} />
      {created ? (
        <Banner kind="success" title={`職員「${created.user.displayName}（${created.user.loginId}）」を作成しました。`}>
          <p>
            権限：{staffRoleLabels[created.user.role]}。初期パスワードは次のとおりです。この画面を閉じると二度と表示できません。安全な方法で本人に伝えてください。
          </p>
          <p>
            初期パスワード：<code class="one-time-secret">{created.password}</code>
          </p>
        </Banner>
      ) : null}
      <p>{officeName}の職員を作成します。パスワードは自動で作成され、作成後に一度だけ表示されます。</p>
      <form method="post" action="/staff/users/new" class="form" novalidate>
        <CsrfField token={ctx.csrfToken} />
        <StaffField id="loginId" name="loginId" label="ログインID" value={created ? '' : values?.loginId} error={errors?.loginId} hint="半角英小文字・数字・記号（. _ -）の3〜64文字" maxLength={64} required />
        <StaffField id="displayName" name="displayName" label="表示名" value={created ? '' : values?.displayName} error={errors?.displayName} hint="作業一覧や申請状況の履歴に表示される名前（例：検査 一郎）" maxLength={60} required />
        <fieldset class={`form-field${errors?.role ? ' form-field--error' : ''}`} aria-describedby={errors?.role ? 'role-error' : undefined}>
          <legend class="form-field__label">権限</legend>
          {errors?.role ? (
            <p id="role-error" class="form-field__error">
              <span class="visually-hidden">エラー：</span>
              {errors.role}
            </p>
          ) : null}
          <div class="radios">
            {staffRoles.map((r) => (
              <div class="radio">
                <input type="radio" id={`role-${r}`} name="role" value={r} checked={(created ? 'clerk' : role) === r} />
                <label for={`role-${r}`}>
                  {staffRoleLabels[r]}（{roleHints[r]}）
                </label>
              </div>
            ))}
          </div>
        </fieldset>
        <div class="button-row">
          <button type="submit" class="button button--primary">
            作成する
          </button>
        </div>
      </form>
    </StaffLayout>
  );
}

const NewUserForm = Type.Object({
  loginId: Type.String({ maxLength: 200 }),
  displayName: Type.String({ maxLength: 200 }),
  role: Type.Optional(Type.String({ maxLength: 20 })),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});

export function staffUserRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireSupervisor);

    app.get('/staff/users/new', async (req, reply) => sendHtml(reply, 200, renderDocument(<NewStaffUserPage ctx={staffContext(req, reply)} officeName={inspectionOffices[staffUserOf(req).officeCode].name} />)));

    app.post('/staff/users/new', { schema: { body: NewUserForm }, attachValidation: true, preHandler: app.csrfProtection }, async (req, reply) => {
      const ctx = staffContext(req, reply);
      const supervisor = staffUserOf(req);
      const body: Partial<Static<typeof NewUserForm>> = req.validationError ? {} : req.body;
      const values = { loginId: (body.loginId ?? '').normalize('NFKC').trim().toLowerCase(), displayName: (body.displayName ?? '').trim(), role: body.role ?? '' };
      const errors: Partial<Record<Field, string>> = {};
      if (values.loginId === '') errors.loginId = 'ログインIDを入力してください。';
      if (values.displayName === '') errors.displayName = '表示名を入力してください。';
      if (!(staffRoles as readonly string[]).includes(values.role)) errors.role = '権限を選択してください。';
      if (Object.keys(errors).length > 0) return sendHtml(reply, 400, renderDocument(<NewStaffUserPage ctx={ctx} officeName={inspectionOffices[supervisor.officeCode].name} values={values} errors={errors} />));
      // The same strength as the command line's generated password: 120 bits.
      const password = randomBytes(15).toString('base64url');
      const result = await services.staffAuth.createUser(
        { loginId: values.loginId, displayName: values.displayName, officeCode: supervisor.officeCode, role: values.role, password },
        { by: { actor: staffAuditActor(supervisor), clientAddress: req.ip } },
      );
      if (!result.ok) {
        const field: Field = /表示名/.test(result.refusal.message) ? 'displayName' : 'loginId';
        return sendHtml(reply, result.refusal.code === 'alreadyDone' ? 409 : 400, renderDocument(<NewStaffUserPage ctx={ctx} officeName={inspectionOffices[supervisor.officeCode].name} values={values} errors={{ [field]: result.refusal.message }} />));
      }
      req.log.info({ event: 'staff-user-created', staffUserId: result.value.id, by: supervisor.id }, 'staff user created');
      // Shown once, on this response only (never stored, never redirected with it).
      return sendHtml(reply, 201, renderDocument(<NewStaffUserPage ctx={ctx} officeName={inspectionOffices[supervisor.officeCode].name} created={{ user: result.value, password }} />));
    });
  };
}
