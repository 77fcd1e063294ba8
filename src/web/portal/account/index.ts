import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../../services/index.js';
import { accountListRoutes } from './list.js';
import { accountLoginRoutes } from './login.js';
import { accountPaymentRoutes } from './payments.js';
import { accountRegisterRoutes } from './register.js';
import { accountSettingsRoutes } from './settings.js';
import { accountApiTokenRoutes } from './api-tokens.js';
import { twoFactorGate } from './shared.js';

/** 利用者ID (issue 16): 発行, ログイン, 申請一覧, 納付を行う (まとめ納付), 利用者情報. */
export function accountRoutes(services: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(accountRegisterRoutes(services));
    await app.register(accountLoginRoutes(services));
    await app.register(accountSettingsRoutes(services));
    // The pages closed while the operator's two-factor rule says two-factor is missing (decision 0013);
    // 利用者情報 and 二要素認証の設定 (above) stay open, so the account can set it.
    await app.register(async (gated) => {
      gated.addHook('preHandler', twoFactorGate(services));
      await gated.register(accountListRoutes(services));
      await gated.register(accountPaymentRoutes(services));
      // The 一括申請 API's tokens (issue 17).
      await gated.register(accountApiTokenRoutes(services));
    });
  };
}
