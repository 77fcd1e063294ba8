import holidayJp from '@holiday-jp/holiday_jp';

/**
 * Japan time, whatever the server's zone. Japan has kept UTC+9 without daylight saving since 1951,
 * so a fixed offset is exact and needs neither ICU nor the process's TZ.
 */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar date in Japan, `YYYY-MM-DD`. 期限日 and 申請年月日 are such dates. */
export type JapanDate = string & { readonly __brand: 'JapanDate' };

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current),
    set: (next) => {
      current = new Date(next);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

export function isJapanDate(value: string): value is JapanDate {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function asJapanDate(value: string): JapanDate {
  if (!isJapanDate(value)) throw new Error(`not a date: ${value}`);
  return value;
}

/** The parts of an instant as a clock on a wall in Japan shows them. */
export function japanParts(at: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  const shifted = new Date(at.getTime() + JST_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    weekday: shifted.getUTCDay(),
  };
}

// The last day asked for and its date: a server asks for the same day at every request (the status page's key).
let lastDay = Number.NaN;
let lastDate = '';

export function japanDateOf(at: Date): JapanDate {
  const day = Math.floor((at.getTime() + JST_OFFSET_MS) / DAY_MS);
  if (day !== lastDay) {
    // An invalid date (NaN) is never remembered: toISOString throws for it, as before.
    lastDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
    lastDay = day;
  }
  return lastDate as JapanDate;
}

/** 00:00:00 in Japan on that date, as an instant. */
export function startOfJapanDay(date: JapanDate): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - JST_OFFSET_MS);
}

/** A deadline date passes at the end of that day in Japan: this is the first instant after it. */
export function deadlinePassesAt(date: JapanDate): Date {
  return new Date(startOfJapanDay(date).getTime() + DAY_MS);
}

/**
 * The deadline date whose passing is `instant` (the inverse of `deadlinePassesAt`): what the stored
 * `deadline_at` of an application says its running deadline is, without reading what it came from.
 */
export function deadlineDateOf(instant: Date): JapanDate {
  return japanDateOf(new Date(instant.getTime() - DAY_MS));
}

export function isDeadlinePassed(date: JapanDate, now: Date): boolean {
  return now.getTime() >= deadlinePassesAt(date).getTime();
}

export function addDays(date: JapanDate, days: number): JapanDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10) as JapanDate;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: JapanDate, to: JapanDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

const holidays: Readonly<Record<string, unknown>> = holidayJp.holidays;

/** 年末年始: the offices are closed from 12月29日 to 1月3日. */
function isYearEndClosure(date: JapanDate): boolean {
  const md = date.slice(5);
  return md >= '12-29' || md <= '01-03';
}

/**
 * 開庁日: Monday to Friday, except national holidays (the maintained @holiday-jp calendar)
 * and the year-end closure.
 */
export function isBusinessDay(date: JapanDate): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  if (date in holidays) return false;
  return !isYearEndClosure(date);
}

/** The date N business days after `date` (N ≥ 1), skipping weekends, holidays and the year end. */
export function addBusinessDays(date: JapanDate, n: number): JapanDate {
  let current = date;
  let left = n;
  while (left > 0) {
    current = addDays(current, 1);
    if (isBusinessDay(current)) left -= 1;
  }
  return current;
}

/** The first business day on or after `date`. */
export function nextBusinessDayFrom(date: JapanDate): JapanDate {
  let current = date;
  while (!isBusinessDay(current)) current = addDays(current, 1);
  return current;
}
