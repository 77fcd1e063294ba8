import { Type } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { cookieOptions } from '../cookies.js';
import { FONT_SIZE_COOKIE, safeReturnPath } from '../page-context.js';

/** 文字サイズ 小 中 大: remembered for a year in a cookie, then back to the page the applicant was on. */
export const fontSizeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/font-size',
    {
      schema: {
        querystring: Type.Object({
          size: Type.Union([Type.Literal('small'), Type.Literal('medium'), Type.Literal('large')]),
          return: Type.Optional(Type.String({ maxLength: 500 })),
        }),
      },
    },
    async (req, reply) => {
      reply.setCookie(FONT_SIZE_COOKIE, req.query.size, { ...cookieOptions(req, 365 * 24 * 60 * 60), httpOnly: true });
      return reply.redirect(safeReturnPath(req.query.return), 303);
    },
  );
};
