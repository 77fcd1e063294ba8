import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { applicationRoutes } from './application.js';
import { refuseReadOnlyPosts, requireStaff } from './guard.js';
import { auditRoutes } from './audit.js';
import { staffUserRoutes } from './users.js';
import { counterRoutes } from './counter.js';
import { staffLoginRoutes } from './login.js';
import { workListRoutes } from './work-list.js';

/**
 * The staff UI (/staff) for the clerks of the inspection offices: log in, the office's work list,
 * an application with its history and the clerk's decisions, and the counter check of the 2D code.
 * Tax offices act through the agency API, not here.
 */
export const staffRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.decorateRequest('staffUser', null);
  await app.register(staffLoginRoutes(services));
  // Everything below needs a clerk: the guard runs before the CSRF check of each form.
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireStaff(services));
    // 閲覧のみ (issue 19): every form post of a read-only user is refused (403) before its CSRF check.
    scoped.addHook('preHandler', refuseReadOnlyPosts);
    await scoped.register(workListRoutes(services));
    await scoped.register(applicationRoutes(services));
    await scoped.register(counterRoutes(services));
    // 監督者 only (issue 19): the audit trail and creating staff users.
    await scoped.register(auditRoutes(services));
    await scoped.register(staffUserRoutes(services));
  });
};
