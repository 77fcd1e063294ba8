import type { Session } from '../services/sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The applicant's session (one application), when the cookie names a live one. */
    applicantSession: Session | null;
    /** The office clerk's session, on /staff. */
    staffSession: Session | null;
  }
}
