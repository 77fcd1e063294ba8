import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { displayNumber, type Application } from '../../../domain/application.js';
import { procedures } from '../../../domain/procedures.js';
import { formatReceiptNumber } from '../../../domain/receipt-number.js';
import { REMINDER_DAYS } from '../../../domain/rules.js';
import { addDays, type JapanDate } from '../../../domain/time.js';
import { runningDeadlines } from '../../../domain/status-view.js';
import type { Services } from '../../../services/index.js';
import { ownApplication, sendRefused } from './shared.js';

export { runningDeadlines, type RunningDeadline } from '../../../domain/status-view.js';

// ---- iCalendar (RFC 5545), written by hand: a few lines do not need a package ---------------------

/** TEXT values: backslash, semicolon, comma and line breaks are escaped. */
export function icsEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

const MAX_OCTETS = 75;

/**
 * Folds a content line so that no physical line is longer than 75 octets (the leading space of a
 * continuation line included), never splitting a UTF-8 character. Lines end with CRLF.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > MAX_OCTETS) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n');
}

export interface IcsEvent {
  readonly uid: string;
  /** An all-day event on this Japan date (a DATE value: no time zone needed). */
  readonly date: JapanDate;
  readonly summary: string;
  readonly description: string;
}

const compactDate = (d: JapanDate) => d.replace(/-/g, '');
const utcStamp = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');

/** A calendar of all-day events, each with a reminder at 9:00 on the day 期限等に関するお知らせ starts. */
export function buildCalendar(events: readonly IcsEvent[], stamp: Date): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//kei-oss//申請状況照会//JA', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${icsEscape('軽自動車OSS 期限')}`];
  for (const e of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${icsEscape(e.uid)}`,
      `DTSTAMP:${utcStamp(stamp)}`,
      `DTSTART;VALUE=DATE:${compactDate(e.date)}`,
      `DTEND;VALUE=DATE:${compactDate(addDays(e.date, 1))}`,
      `SUMMARY:${icsEscape(e.summary)}`,
      `DESCRIPTION:${icsEscape(e.description)}`,
      'TRANSP:TRANSPARENT',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      // Midnight of the deadline day minus (N-1) days and 15 hours: 9:00, N days before.
      `TRIGGER:-P${REMINDER_DAYS - 1}DT15H`,
      `DESCRIPTION:${icsEscape(e.summary)}`,
      'END:VALARM',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

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
  return async (app) => {
    app.get(CALENDAR_PATH, async (req, reply) => {
      const own = await ownApplication(services, req, reply);
      if (!own) return reply;
      const events = deadlineEvents(own.application, own.now);
      if (events.length === 0) return sendRefused(req, reply, 'カレンダーに登録する期限はありません', { code: 'notFound', message: '現在、補正期限や納付期限はありません。' });
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="kei-oss-deadlines-${displayNumber(own.application)}.ics"`)
        .type('text/calendar; charset=utf-8')
        .send(buildCalendar(events, own.now));
    });
  };
}
