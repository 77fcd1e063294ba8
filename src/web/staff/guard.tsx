import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseReceiptNumber } from '../../domain/receipt-number.js';
import type { Services } from '../../services/index.js';
import type { StatusSnapshot } from '../../services/status-inquiry.js';
import type { StaffUser } from '../../store/staff-users.repository.js';
import { Layout } from '../components/Layout.js';
import { Banner } from '../components/forms.js';
import { pageContext, type PageContext } from '../page-context.js';
import { renderDocument } from '../render.js';
import { staffLabel } from './components.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The clerk of the staff session (set by the staff guard). */
    staffUser: StaffUser | null;
  }
}

function NotLoggedInPage({ ctx }: { ctx: PageContext }) {
  return (
    <Layout ctx={ctx} title="ログインが必要です">
      <h1>ログインが必要です</h1>
      <Banner kind="warning" title="ログインしていないか、一定時間操作がなかったため、ログアウトしました。">
        <p>もう一度ログインしてから操作してください。操作は記録されていません。</p>
      </Banner>
      <p>
        <a class="button button--primary" href="/staff/login">
          事務所等用画面 ログインへ
        </a>
      </p>
    </Layout>
  );
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
    return reply
      .code(401)
      .type('text/html; charset=utf-8')
      .send(renderDocument(<NotLoggedInPage ctx={pageContext(req, reply, 'staff')} />));
  };
}

export function staffUserOf(req: FastifyRequest): StaffUser {
  if (!req.staffUser) throw new Error('staff route without the staff guard');
  return req.staffUser;
}

/** The application a number names, only if it is the clerk's office's: another office's is "not found". */
export async function officeApplication(services: Services, user: StaffUser, number: string): Promise<StatusSnapshot | null> {
  const parsed = parseReceiptNumber(number);
  if (!parsed.ok) return null;
  const id = await services.findApplicationId(parsed.value);
  const snapshot = id ? await services.statusInquiry.read(id) : null;
  return snapshot && snapshot.application.officeCode === user.officeCode ? snapshot : null;
}

/** An HTML page, never stored by a browser or a proxy. */
export function sendHtml(reply: FastifyReply, status: number, body: string) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

export function staffContext(req: FastifyRequest, reply: FastifyReply): PageContext {
  return pageContext(req, reply, 'staff', staffLabel(staffUserOf(req)));
}
