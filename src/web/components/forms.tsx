import type { ComponentChildren } from 'preact';

/** Field errors keyed by the input's name; the summary links to each input by its id. */
export type FieldErrors = Readonly<Record<string, string | undefined>>;

export interface ErrorItem {
  readonly field?: string | undefined;
  readonly message: string;
}

export function errorItems(errors: FieldErrors, order: readonly string[] = Object.keys(errors)): ErrorItem[] {
  return order.filter((f) => errors[f]).map((f) => ({ field: f, message: errors[f] as string }));
}

/** エラーサマリー: at the top of the form, focused by the script, each message a link to its field. */
export function ErrorSummary({ items, title = '入力内容にエラーがあります' }: { items: readonly ErrorItem[]; title?: string }) {
  if (items.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} data-error-summary>
      <h2 id="error-summary-title" class="error-summary__title">
        {title}
      </h2>
      <ul class="error-summary__list">
        {items.map((item) => (
          <li>{item.field ? <a href={`#${item.field}`}>{item.message}</a> : item.message}</li>
        ))}
      </ul>
    </div>
  );
}

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export interface TextFieldProps {
  readonly name: string;
  readonly label: string;
  readonly value?: string | null | undefined;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  readonly type?: 'text' | 'password' | 'date' | 'number' | 'tel' | 'search';
  readonly autocomplete?: string | undefined;
  readonly inputMode?: 'numeric' | 'text' | 'tel' | undefined;
  readonly required?: boolean | undefined;
  readonly maxLength?: number | undefined;
  readonly width?: 'short' | 'medium' | 'long' | undefined;
  /** Rendered after the label (the manual's ? help). */
  readonly help?: ComponentChildren;
  readonly spellcheck?: boolean | undefined;
}

/** The ids a control is described by: its hint and its error, when shown. */
export function fieldDescribedBy(name: string, hint?: string, error?: string): string | undefined {
  return [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(' ') || undefined;
}

/** The 必須 mark after a label or legend. */
export function RequiredMark({ required }: { required?: boolean | undefined }) {
  return required ? <span class="form-field__required">必須</span> : null;
}

/** A control's label row: the label with its 必須 mark, then the optional help. */
export function FieldLabel({ name, label, required, help }: { name: string; label: string; required?: boolean | undefined; help?: ComponentChildren }) {
  return (
    <div class="form-field__label-row">
      <label for={name} class="form-field__label">
        {label}
        <RequiredMark required={required} />
      </label>
      {help}
    </div>
  );
}

export function FieldHint({ name, hint }: { name: string; hint?: string | undefined }) {
  if (!hint) return null;
  return (
    <p id={`${name}-hint`} class="form-field__hint">
      {hint}
    </p>
  );
}

export function FieldError({ name, error }: { name: string; error?: string | undefined }) {
  if (!error) return null;
  return (
    <p id={`${name}-error`} class="form-field__error">
      <span class="visually-hidden">エラー：</span>
      {error}
    </p>
  );
}

/** A labelled input with its hint and error, wired for assistive technology. */
export function TextField(p: TextFieldProps) {
  return (
    <div class={`form-field${p.error ? ' form-field--error' : ''}`}>
      <FieldLabel name={p.name} label={p.label} required={p.required} help={p.help} />
      <FieldHint name={p.name} hint={p.hint} />
      <FieldError name={p.name} error={p.error} />
      <input
        id={p.name}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value ?? ''}
        class={`input input--${p.width ?? 'medium'}`}
        autoComplete={p.autocomplete}
        inputMode={p.inputMode}
        maxLength={p.maxLength}
        aria-describedby={fieldDescribedBy(p.name, p.hint, p.error)}
        aria-invalid={p.error ? 'true' : undefined}
        required={p.required}
        spellcheck={p.spellcheck}
      />
    </div>
  );
}

/** The manual's「?」: a disclosure that works without JavaScript. */
export function HelpToggle({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <details class="help">
      <summary class="help__toggle">
        <span aria-hidden="true">?</span>
        <span class="visually-hidden">{label}の説明</span>
      </summary>
      <div class="help__body">{children}</div>
    </details>
  );
}

/** A button that navigates (GET) like the manual's buttons do, and works without JavaScript. */
export function ButtonLink({ action, label, variant = 'secondary', disabled, hidden }: { action: string; label: string; variant?: 'primary' | 'secondary' | 'danger'; disabled?: boolean; hidden?: Record<string, string> }) {
  if (disabled) {
    return (
      <button type="button" class={`button button--${variant}`} disabled>
        {label}
      </button>
    );
  }
  return (
    <form method="get" action={action} class="inline-form">
      {hidden ? Object.entries(hidden).map(([k, v]) => <input type="hidden" name={k} value={v} />) : null}
      <button type="submit" class={`button button--${variant}`}>
        {label}
      </button>
    </form>
  );
}

/** お知らせバナー (notification banner): success, info, warning or error. */
export function Banner({ kind, title, children, id }: { kind: 'success' | 'info' | 'warning' | 'error'; title: string; children?: ComponentChildren; id?: string }) {
  return (
    <div class={`banner banner--${kind}`} role={kind === 'error' || kind === 'warning' ? 'alert' : 'status'} id={id}>
      <p class="banner__title">
        <span class="banner__icon" aria-hidden="true">
          {kind === 'success' ? '✓' : kind === 'info' ? 'i' : '!'}
        </span>
        {title}
      </p>
      {children ? <div class="banner__body">{children}</div> : null}
    </div>
  );
}

/** Text with line breaks from data (descriptions, notice reasons), escaped by preact. */
export function MultilineText({ text }: { text: string }) {
  const lines = text.split('\n');
  return (
    <>
      {lines.map((line, i) => (
        <>
          {i > 0 ? <br /> : null}
          {line}
        </>
      ))}
    </>
  );
}
