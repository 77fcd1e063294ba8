import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../../services/index.js';
import { applyRoutes } from './apply.js';
import { calendarRoutes } from './calendar.js';
import { collectionCodeRoutes } from './collection-code.js';
import { correctionRoutes } from './correction.js';
import { paymentRoutes } from './payment.js';
import { withdrawalRoutes } from './withdrawal.js';

/** The applicant's actions: 申請を行う, 申請の取り下げ, 補正申請, 納付, 二次元コードの発行, and the deadlines as a calendar. */
export const applicantActionRoutes = (services: Services): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(withdrawalRoutes(services));
    await app.register(correctionRoutes(services));
    await app.register(paymentRoutes(services));
    await app.register(collectionCodeRoutes(services));
    await app.register(applyRoutes(services));
    await app.register(calendarRoutes(services));
  };
