import { Type } from '@fastify/type-provider-typebox';
import type { ComponentChildren } from 'preact';
import type { Application } from '../../../domain/application.js';
import type { Refusal } from '../../../domain/result.js';
import { applicantActionRefusal, type ApplicantFacts } from '../../../domain/status-view.js';
import type { ApplicantAction } from '../../../domain/statuses.js';
import { CONFLICT_MESSAGE } from '../../../services/application-events.js';
import { CsrfField } from '../../components/forms.js';

/** The form fields every action posts besides its own: the CSRF token and the version the page was rendered from. */
export const CSRF_FIELD = Type.Optional(Type.String({ maxLength: 200 }));
export const VERSION_FIELD = Type.String({ pattern: '^[0-9]{1,9}$' });

export const ActionForm = Type.Object({ _csrf: CSRF_FIELD, version: VERSION_FIELD });

/**
 * Why the applicant cannot do `action` now, as the domain refuses the same event; null when the
 * action is allowed. Checked before the page is shown and before the service is called (which
 * checks again inside its transaction).
 */
export function actionRefusal(app: Application, action: Exclude<ApplicantAction, 'pay' | 'applyAgain'>, now: Date, facts: ApplicantFacts = {}): Refusal | null {
  return applicantActionRefusal(app, action, now, facts);
}

/** A stale form: the page was rendered from another version of the application. */
export function versionRefusal(app: Application, version: string): Refusal | null {
  return Number(version) === app.version ? null : { code: 'versionConflict', message: CONFLICT_MESSAGE };
}

/**
 * The form of an applicant's action: posted with the CSRF token and, in a hidden field, the version
 * of the application the page was rendered from (a stale form is refused by versionRefusal).
 */
export function ActionPostForm({ action, class: className, novalidate, csrfToken, application, children }: { action: string; class: string; novalidate?: boolean; csrfToken: string; application: Application; children: ComponentChildren }) {
  return (
    <form method="post" action={action} class={className} novalidate={novalidate}>
      <CsrfField token={csrfToken} />
      <input type="hidden" name="version" value={String(application.version)} />
      {children}
    </form>
  );
}
