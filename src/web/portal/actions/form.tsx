import { Type } from '@fastify/type-provider-typebox';
import type { Application } from '../../../domain/application.js';
import type { Refusal } from '../../../domain/result.js';
import { applicantActionRefusal } from '../../../domain/status-view.js';
import type { ApplicantAction } from '../../../domain/statuses.js';
import { CONFLICT_MESSAGE } from '../../../services/application-events.js';

/** The form fields every action posts besides its own: the CSRF token and the version the page was rendered from. */
export const CSRF_FIELD = Type.Optional(Type.String({ maxLength: 200 }));
export const VERSION_FIELD = Type.String({ pattern: '^[0-9]{1,9}$' });

export const ActionForm = Type.Object({ _csrf: CSRF_FIELD, version: VERSION_FIELD });

/**
 * Why the applicant cannot do `action` now, as the domain refuses the same event; null when the
 * action is allowed. Checked before the page is shown and before the service is called (which
 * checks again inside its transaction).
 */
export function actionRefusal(app: Application, action: Exclude<ApplicantAction, 'pay' | 'applyAgain'>, now: Date): Refusal | null {
  return applicantActionRefusal(app, action, now);
}

/** A stale form: the page was rendered from another version of the application. */
export function versionRefusal(app: Application, version: string): Refusal | null {
  return Number(version) === app.version ? null : { code: 'versionConflict', message: CONFLICT_MESSAGE };
}

/** The hidden field that carries the version a page was rendered from. */
export function VersionField({ application }: { application: Application }) {
  return <input type="hidden" name="version" value={String(application.version)} />;
}
