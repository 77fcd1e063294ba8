import type { ComponentChildren } from 'preact';
import { inspectionOffices } from '../../domain/offices.js';
import type { StaffUser } from '../../domain/agency.js';
import { Layout } from '../components/Layout.js';
import { CsrfField } from '../components/forms.js';
import type { PageContext } from '../page-context.js';

/** The name shown in the staff header: the clerk and the office. */
export function staffLabel(user: StaffUser): string {
  return `${user.displayName}（${inspectionOffices[user.officeCode].name}）`;
}

/** Every page of the staff UI once logged in: the menu (作業一覧, 窓口での受け取り確認, ログアウト). */
export function StaffLayout({ ctx, title, hasErrors, current, children, wide }: { ctx: PageContext; title: string; hasErrors?: boolean; current: 'list' | 'counter' | 'application' | 'audit' | 'users'; children: ComponentChildren; wide?: boolean }) {
  return (
    <Layout ctx={ctx} title={title} hasErrors={hasErrors} mainClass={wide ? 'main--wide staff-page' : 'staff-page'}>
      <nav class="staff-nav" aria-label="事務所等用メニュー">
        <ul class="staff-nav__list">
          <li>
            <a href="/staff/applications" aria-current={current === 'list' ? 'page' : undefined}>
              作業一覧
            </a>
          </li>
          {ctx.staffRole !== 'viewer' ? (
            <li>
              <a href="/staff/counter" aria-current={current === 'counter' ? 'page' : undefined}>
                窓口での受け取り確認
              </a>
            </li>
          ) : null}
          {ctx.staffRole === 'supervisor' ? (
            <>
              <li>
                <a href="/staff/audit" aria-current={current === 'audit' ? 'page' : undefined}>
                  監査ログ
                </a>
              </li>
              <li>
                <a href="/staff/users/new" aria-current={current === 'users' ? 'page' : undefined}>
                  職員の作成
                </a>
              </li>
            </>
          ) : null}
        </ul>
        <form method="post" action="/staff/logout" class="staff-nav__logout">
          <CsrfField token={ctx.csrfToken} />
          <button type="submit" class="button button--secondary">
            ログアウト
          </button>
        </form>
      </nav>
      {children}
    </Layout>
  );
}

export interface StaffFieldProps {
  /** Unique on the page (several forms may have a 理由). */
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly value?: string | null | undefined;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  readonly type?: 'text' | 'date' | 'password' | 'textarea';
  readonly required?: boolean | undefined;
  readonly maxLength?: number | undefined;
  readonly autocomplete?: string | undefined;
  readonly autofocus?: boolean | undefined;
  readonly width?: 'short' | 'medium' | 'long';
  readonly list?: string | undefined;
}

/** A labelled input (or textarea) with its hint and error, wired for assistive technology. */
export function StaffField(p: StaffFieldProps) {
  const describedBy = [p.hint ? `${p.id}-hint` : null, p.error ? `${p.id}-error` : null].filter(Boolean).join(' ') || undefined;
  const common = {
    id: p.id,
    name: p.name,
    'aria-describedby': describedBy,
    'aria-invalid': p.error ? ('true' as const) : undefined,
    required: p.required,
    maxLength: p.maxLength,
    autoFocus: p.autofocus,
  };
  return (
    <div class={`form-field${p.error ? ' form-field--error' : ''}`}>
      <div class="form-field__label-row">
        <label for={p.id} class="form-field__label">
          {p.label}
          {p.required ? <span class="form-field__required">必須</span> : null}
        </label>
      </div>
      {p.hint ? (
        <p id={`${p.id}-hint`} class="form-field__hint">
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p id={`${p.id}-error`} class="form-field__error">
          <span class="visually-hidden">エラー：</span>
          {p.error}
        </p>
      ) : null}
      {p.type === 'textarea' ? (
        <textarea {...common} class="textarea" rows={4}>
          {p.value ?? ''}
        </textarea>
      ) : (
        <input {...common} type={p.type ?? 'text'} value={p.value ?? ''} class={`input input--${p.width ?? 'medium'}`} autoComplete={p.autocomplete ?? 'off'} spellcheck={false} list={p.list} />
      )}
    </div>
  );
}
