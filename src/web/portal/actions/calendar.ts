import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { displayNumber, type Application } from '../../../domain/application.js';
import { procedures } from '../../../domain/procedures.js';
import { formatReceiptNumber } from '../../../domain/receipt-number.js';
import { REMINDER_DAYS } from '../../../domain/rules.js';
import type { JapanDate } from '../../../domain/time.js';
import { runningDeadlines } from '../../../domain/status-view.js';
import type { Services } from '../../../services/index.js';
import { buildCalendar, type IcsEvent } from '../../formats/ics.js';
import { sendRefused } from './refused.js';
import { loadOwnApplication, ownApplicationOf } from '../own-application.js';


const compactDate = (d: JapanDate) => d.replace(/-/g, '');

const LOOK_UP = '申請状況は、軽自動車OSSポータルサイトの「画面申請」→「状況の照会」で確認できます。';

export function deadlineEvents(app: Application, now: Date): IcsEvent[] {
  const number = displayNumber(app);
  const procedure = procedures[app.procedure].fullLabel;
  return runningDeadlines(app, now).map((d) => ({
    uid: `${number}-${d.kind}-${compactDate(d.date)}@kei-oss`,
    date: d.date,
    summary: `${d.label}：軽自動車OSS 受付番号 ${formatReceiptNumber(number)}`,
    description:
      d.kind === 'correction'
        ? `軽自動車OSS（${procedure}）の補正期限です。期限日までに補正申請を行ってください。補正期限を過ぎると期限切れ却下となり、申請は無効になります。\n${LOOK_UP}`
        : `軽自動車OSS（${procedure}）の納付期限です（${d.what}）。納付期限日までに納付してください。納付期限を過ぎると申請は無効になります。\n${LOOK_UP}`,
  }));
}

export const CALENDAR_PATH = '/inquiry/deadlines.ics';

/** 期限のカレンダー登録: the running deadlines as an .ics file. */
export function calendarRoutes(services: Services): FastifyPluginAsyncTypebox {
  const withOwn = loadOwnApplication(services);
  return async (app) => {
    app.get(CALENDAR_PATH, { preHandler: withOwn }, async (req, reply) => {
      const own = ownApplicationOf(req);
      const events = deadlineEvents(own.application, own.now);
      if (events.length === 0) return sendRefused(req, reply, 'カレンダーに登録する期限はありません', { code: 'notFound', message: '現在、補正期限や納付期限はありません。' });
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="kei-oss-deadlines-${displayNumber(own.application)}.ics"`)
        .type('text/calendar; charset=utf-8')
        .send(buildCalendar(events, own.now, REMINDER_DAYS));
    });
  };
}
