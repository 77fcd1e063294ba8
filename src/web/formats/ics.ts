import ical, { ICalCalendarMethod, ICalEventTransparency, ICalAlarmType } from 'ical-generator';
import type { JapanDate } from '../../domain/time.js';

/**
 * The .ics file (RFC 5545) of the deadlines, written with ical-generator: it escapes text values
 * and folds lines at 75 octets without splitting a UTF-8 character (Japanese text is 3 octets a
 * character; the `ics` package folds at 75 characters instead, so it was not used).
 */

export interface IcsEvent {
  readonly uid: string;
  /** An all-day event on this Japan date (a DATE value: no time zone needed). */
  readonly date: JapanDate;
  readonly summary: string;
  readonly description: string;
}

/** UTC midnight of the date: ical-generator writes an all-day date from the UTC calendar date. */
const dayOf = (d: JapanDate) => new Date(`${d}T00:00:00Z`);

/** A calendar of all-day events, each with a reminder at 9:00 Japan time `reminderDays` days before (期限等に関するお知らせ). */
export function buildCalendar(events: readonly IcsEvent[], stamp: Date, reminderDays: number): string {
  const calendar = ical({ name: '軽自動車OSS 期限', prodId: { company: 'kei-oss', product: '申請状況照会', language: 'JA' }, method: ICalCalendarMethod.PUBLISH });
  for (const e of events) {
    const start = dayOf(e.date);
    const event = calendar.createEvent({
      id: e.uid,
      start,
      end: new Date(start.getTime() + 86_400_000),
      allDay: true,
      summary: e.summary,
      description: e.description,
      transparency: ICalEventTransparency.TRANSPARENT,
      stamp,
    });
    // Midnight of the deadline day minus (N-1) days and 15 hours: 9:00, N days before.
    event.createAlarm({ type: ICalAlarmType.display, triggerBefore: (reminderDays - 1) * 86_400 + 15 * 3_600, description: e.summary });
  }
  // Every content line ends with CRLF, the last one too.
  return `${calendar.toString()}\r\n`;
}
