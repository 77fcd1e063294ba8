import type { Session } from '../services/sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The applicant's session (one application), when the cookie names a live one. */
    applicantSession: Session | null;
    /** The office clerk's session, on /staff. */
    staffSession: Session | null;
    /** A 利用者ID's session (issue 16), on the portal. */
    accountSession: Session | null;
  }
}
