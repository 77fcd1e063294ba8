import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../services/index.js';
import { applicantActionRoutes } from './actions/index.js';
import { accountRoutes } from './account/index.js';
import { twoFactorGate } from './account/shared.js';
import { contentRoutes } from './content.js';
import { siteFrameRoutes } from './site-frame.js';
import { fontSizeRoutes } from './font-size.js';
import { homeRoutes } from './home.js';
import { loginRoutes } from './login.js';
import { mailRoutes } from './mail.js';
import { statusGuideRoutes } from './status-guide.js';
import { statusRoutes, type StatusRouteOptions } from './status.js';

/** The applicants' portal: top page, 画面申請, 状況照会 and the content pages. */
export const portalRoutes: FastifyPluginAsyncTypebox<{ services: Services } & StatusRouteOptions> = async (app, { services, statusPageCacheBytes }) => {
  await app.register(homeRoutes(services));
  await app.register(contentRoutes);
  await app.register(siteFrameRoutes);
  await app.register(fontSizeRoutes);
  await app.register(loginRoutes(services));
  await app.register(mailRoutes(services));
  await app.register(statusGuideRoutes);
  // An application opened from a 利用者ID's list, and 申請を行う while logged in with one, are the
  // account's pages too: closed while the operator's two-factor rule says it is missing (decision 0013).
  // Without an account session the gate does nothing (and costs nothing).
  await app.register(async (scope) => {
    scope.addHook('preHandler', twoFactorGate(services));
    await scope.register(statusRoutes(services, { statusPageCacheBytes }));
    await scope.register(applicantActionRoutes(services));
  });
  await app.register(accountRoutes(services));
};
