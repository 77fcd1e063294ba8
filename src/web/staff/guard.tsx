import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import type { AgencyView } from '../../services/agency.js';
import { staffActor } from '../../services/staff-auth.js';
import type { StaffUser } from '../../domain/agency.js';
import { Layout } from '../components/Layout.js';
import { sendNotLoggedIn } from '../components/NotLoggedIn.js';
import { Banner } from '../components/forms.js';
import { renderDocument, sendHtml } from '../render.js';
import { pageContext, pageContextWith, type PageContext } from '../page-context.js';
import { staffLabel } from './components.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The clerk of the staff session (set by the staff guard). */
    staffUser: StaffUser | null;
  }
}

/** A page needs a live staff session: GET goes to the login (and back), a form post gets 401. */
export function requireStaff(services: Services) {
  return async function staffGuard(req: FastifyRequest, reply: FastifyReply) {
    const user = await services.staffAuth.userOf(req.staffSession);
    if (user) {
      req.staffUser = user;
      reply.header('cache-control', 'no-store');
      return;
    }
    if (req.method === 'GET') return reply.redirect(`/staff/login?return=${encodeURIComponent(req.url)}`, 303);
    return sendNotLoggedIn(req, reply, 'staff');
  };
}

export function staffUserOf(req: FastifyRequest): StaffUser {
  if (!req.staffUser) throw new Error('staff route without the staff guard');
  return req.staffUser;
}

/** The application a number names, with its history, only if it is the clerk's office's: another office's is "not found" here. */
export async function officeApplication(services: Services, user: StaffUser, number: string): Promise<AgencyView | null> {
  const read = await services.agency.read(staffActor(user), number);
  return read.ok ? read.value : null;
}

export { sendHtml };

export function staffContext(req: FastifyRequest, reply: FastifyReply): PageContext {
  const user = staffUserOf(req);
  return pageContextWith(pageContext(req, reply, 'staff', staffLabel(user)), { staffRole: user.role });
}

export const READ_ONLY_TITLE = '閲覧のみの権限では操作できません';
export const READ_ONLY_MESSAGE = 'このログインIDは閲覧のみの権限のため、申請の処理や窓口での受け取りの記録はできません。操作が必要な場合は、監督者に権限の変更を依頼してください。';
export const SUPERVISOR_ONLY_TITLE = '監督者の権限が必要です';
export const SUPERVISOR_ONLY_MESSAGE = 'この画面は監督者の権限を持つ職員だけが利用できます。';

function ForbiddenPage({ ctx, title, message }: { ctx: PageContext; title: string; message: string }) {
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <Banner kind="error" title={message}>
        <p>
          <a href="/staff/applications">作業一覧へ戻る</a>
        </p>
      </Banner>
    </Layout>
  );
}

/** 403 in Japanese for a staff user whose role does not allow this. */
export function sendForbidden(req: FastifyRequest, reply: FastifyReply, title: string, message: string) {
  return sendHtml(reply, 403, renderDocument(<ForbiddenPage ctx={staffContext(req, reply)} title={title} message={message} />));
}

/** A read-only user (閲覧のみ) may read every page but post no form: 403, before the form is looked at. */
export async function refuseReadOnlyPosts(req: FastifyRequest, reply: FastifyReply) {
  if (req.method !== 'GET' && req.method !== 'HEAD' && staffUserOf(req).role === 'viewer') return sendForbidden(req, reply, READ_ONLY_TITLE, READ_ONLY_MESSAGE);
}

/** Pages of the supervisor (監督者) only: the audit trail, creating staff users. */
export async function requireSupervisor(req: FastifyRequest, reply: FastifyReply) {
  if (staffUserOf(req).role !== 'supervisor') return sendForbidden(req, reply, SUPERVISOR_ONLY_TITLE, SUPERVISOR_ONLY_MESSAGE);
}
