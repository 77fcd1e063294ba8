import type { ComponentChildren } from 'preact';
import { FieldError, FieldHint, FieldLabel, RequiredMark, fieldDescribedBy } from '../../components/forms.js';

/** Form controls the applicant's actions need beyond components/forms.tsx: radio groups and selects. */

export interface Option {
  readonly value: string;
  readonly label: string;
}

/** A radio group in a fieldset whose legend is the question; the first radio carries the name as id (the error summary links to it). */
export function RadioGroup(p: { name: string; legend: string; options: readonly Option[]; value?: string | undefined; error?: string | undefined; hint?: string | undefined; required?: boolean }) {
  return (
    <div class={`form-field${p.error ? ' form-field--error' : ''}`}>
      <fieldset class="fieldset" aria-describedby={fieldDescribedBy(p.name, p.hint, p.error)}>
        <legend>
          {p.legend}
          <RequiredMark required={p.required} />
        </legend>
        <FieldHint name={p.name} hint={p.hint} />
        <FieldError name={p.name} error={p.error} />
        <div class="radios">
          {p.options.map((o, i) => {
            const id = i === 0 ? p.name : `${p.name}-${o.value}`;
            return (
              <div class="radio">
                <input type="radio" id={id} name={p.name} value={o.value} checked={p.value === o.value} />
                <label for={id}>{o.label}</label>
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

export function SelectField(p: { name: string; label: string; options: readonly Option[]; value?: string | undefined; error?: string | undefined; hint?: string | undefined; required?: boolean }) {
  return (
    <div class={`form-field${p.error ? ' form-field--error' : ''}`}>
      <FieldLabel name={p.name} label={p.label} required={p.required} />
      <FieldHint name={p.name} hint={p.hint} />
      <FieldError name={p.name} error={p.error} />
      <select id={p.name} name={p.name} class="select input--long" aria-describedby={fieldDescribedBy(p.name, p.hint, p.error)} aria-invalid={p.error ? 'true' : undefined}>
        <option value="">選択してください</option>
        {p.options.map((o) => (
          <option value={o.value} selected={p.value === o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Answers carried from step to step without JavaScript. */
export function HiddenFields({ values }: { values: Readonly<Record<string, string | undefined>> }) {
  return (
    <>
      {Object.entries(values).map(([name, value]) => (value === undefined ? null : <input type="hidden" name={name} value={value} />))}
    </>
  );
}

/** A check-your-answers table: one row per answer. */
export function AnswerTable({ caption, rows, action }: { caption: string; rows: readonly [string, ComponentChildren][]; action?: ComponentChildren }) {
  return (
    <section class="answers" aria-label={caption}>
      <div class="answers__header">
        <h2 class="answers__title">{caption}</h2>
        {action}
      </div>
      <table class="summary-table">
        <caption class="visually-hidden">{caption}</caption>
        <tbody>
          {rows.map(([label, value]) => (
            <tr>
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
