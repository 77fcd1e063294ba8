import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { formatJapanDate, formatJapanDateTime, formatJapanDateWithWeekday } from '../../src/domain/format.js';
import {
  addBusinessDays,
  addDays,
  asJapanDate,
  daysBetween,
  deadlinePassesAt,
  fixedClock,
  isBusinessDay,
  isDeadlinePassed,
  isJapanDate,
  japanDateOf,
  japanParts,
  nextBusinessDayFrom,
  startOfJapanDay,
} from '../../src/domain/time.js';
import { d } from './support.js';

describe('状況更新日時 in Japan time: formatJapanDateTime', () => {
  it('2022-05-30T06:35:15Z is 2022年 05月 30日 15時 35分 15秒 (the manual\'s example)', () => {
    expect(formatJapanDateTime(new Date('2022-05-30T06:35:15Z'))).toBe('2022年 05月 30日 15時 35分 15秒');
  });
  it('2021-12-23T07:09:36Z is 2021年 12月 23日 16時 09分 36秒 (the 新車 example)', () => {
    expect(formatJapanDateTime(new Date('2021-12-23T07:09:36Z'))).toBe('2021年 12月 23日 16時 09分 36秒');
  });
  it('the last second before midnight JST (14:59:59Z) stays on the same Japan day', () => {
    expect(formatJapanDateTime(new Date('2022-05-30T14:59:59Z'))).toBe('2022年 05月 30日 23時 59分 59秒');
  });
  it('15:00:00Z is 00時 00分 00秒 of the next Japan day', () => {
    expect(formatJapanDateTime(new Date('2022-05-30T15:00:00Z'))).toBe('2022年 05月 31日 00時 00分 00秒');
  });
  it('midnight UTC is already 09時 in Japan', () => {
    expect(formatJapanDateTime(new Date('2022-05-31T00:00:00Z'))).toBe('2022年 05月 31日 09時 00分 00秒');
  });
  it('crosses the month and year in Japan before UTC does', () => {
    expect(formatJapanDateTime(new Date('2022-12-31T15:00:00Z'))).toBe('2023年 01月 01日 00時 00分 00秒');
    expect(formatJapanDateTime(new Date('2024-02-28T15:00:01Z'))).toBe('2024年 02月 29日 00時 00分 01秒');
  });
  it('drops milliseconds (truncates, never rounds up)', () => {
    expect(formatJapanDateTime(new Date('2022-05-30T06:35:15.999Z'))).toBe('2022年 05月 30日 15時 35分 15秒');
  });

  describe('whatever the process time zone', () => {
    const original = process.env.TZ;
    afterEach(() => {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    });
    it.each([
      ['America/New_York', 2],
      ['Pacific/Kiritimati', 20],
      ['UTC', 6],
      ['Asia/Tokyo', 15],
    ])('TZ=%s (local hour %i) gives the same Japan time', (tz, localHour) => {
      process.env.TZ = tz;
      // the zone really changed for this process (Node resets its zone cache when TZ is assigned)
      expect(new Date('2022-05-30T06:35:15Z').getHours()).toBe(localHour);
      expect(formatJapanDateTime(new Date('2022-05-30T06:35:15Z'))).toBe('2022年 05月 30日 15時 35分 15秒');
      expect(formatJapanDateTime(new Date('2022-05-30T15:00:00Z'))).toBe('2022年 05月 31日 00時 00分 00秒');
      expect(japanDateOf(new Date('2022-05-30T14:59:59Z'))).toBe('2022-05-30');
    });
  });
});

describe('japanParts', () => {
  it('gives the wall clock in Japan with the weekday', () => {
    expect(japanParts(new Date('2022-05-30T06:35:15Z'))).toEqual({ year: 2022, month: 5, day: 30, hour: 15, minute: 35, second: 15, weekday: 1 });
    expect(japanParts(new Date('2022-05-28T15:00:00Z'))).toEqual({ year: 2022, month: 5, day: 29, hour: 0, minute: 0, second: 0, weekday: 0 });
  });
});

describe('申請年月日 / 期限日 are Japan dates: japanDateOf', () => {
  it('gives the Japan date of any instant, asked in any order (it remembers the last day asked)', () => {
    fc.assert(
      fc.property(fc.array(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true }), { minLength: 1, maxLength: 20 }), (instants) => {
        for (const at of [...instants, ...instants.reverse()]) expect(japanDateOf(at)).toBe(new Date(at.getTime() + 9 * 3600_000).toISOString().slice(0, 10));
      }),
    );
    expect(japanDateOf(new Date('2026-12-06T14:59:59.999Z'))).toBe('2026-12-06');
    expect(japanDateOf(new Date('2026-12-06T15:00:00.000Z'))).toBe('2026-12-07');
    expect(() => japanDateOf(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('14:59:59.999Z is still the same Japan date', () => {
    expect(japanDateOf(new Date('2026-06-01T14:59:59.999Z'))).toBe('2026-06-01');
  });
  it('15:00:00.000Z is the next Japan date', () => {
    expect(japanDateOf(new Date('2026-06-01T15:00:00.000Z'))).toBe('2026-06-02');
  });
  it('the manual\'s 2021-12-23 16:09:36 JST filing is dated 2021-12-23', () => {
    expect(japanDateOf(new Date('2021-12-23T07:09:36Z'))).toBe('2021-12-23');
  });
  it('New Year in Japan starts at 15:00Z on 31 December', () => {
    expect(japanDateOf(new Date('2026-12-31T14:59:59Z'))).toBe('2026-12-31');
    expect(japanDateOf(new Date('2026-12-31T15:00:00Z'))).toBe('2027-01-01');
  });
  it('startOfJapanDay is 15:00Z of the previous UTC day', () => {
    expect(startOfJapanDay(d('2026-06-01')).toISOString()).toBe('2026-05-31T15:00:00.000Z');
  });
  it('property: japanDateOf(startOfJapanDay(x)) = x and the instant one ms earlier is the day before', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), (n) => {
        const date = addDays(d('2000-01-01'), n);
        const start = startOfJapanDay(date);
        expect(japanDateOf(start)).toBe(date);
        expect(japanDateOf(new Date(start.getTime() - 1))).toBe(addDays(date, -1));
      }),
    );
  });
});

describe('期限日: a deadline passes at the end of that day in Japan', () => {
  const deadline = d('2022-06-05');
  it('deadlinePassesAt is 00:00:00 JST of the next day (15:00Z of the deadline day)', () => {
    expect(deadlinePassesAt(deadline).toISOString()).toBe('2022-06-05T15:00:00.000Z');
  });
  it('23:59:59 JST on the deadline day: not passed', () => {
    expect(isDeadlinePassed(deadline, new Date('2022-06-05T14:59:59Z'))).toBe(false);
    expect(isDeadlinePassed(deadline, new Date('2022-06-05T14:59:59.999Z'))).toBe(false);
  });
  it('00:00:00 JST the next day: passed', () => {
    expect(isDeadlinePassed(deadline, new Date('2022-06-05T15:00:00Z'))).toBe(true);
  });
  it('00:00 JST of the deadline day (the day has only begun): not passed', () => {
    expect(isDeadlinePassed(deadline, new Date('2022-06-04T15:00:00Z'))).toBe(false);
  });
  it('midnight UTC after the deadline day in Japan (09:00 JST on 6/6): passed', () => {
    expect(isDeadlinePassed(deadline, new Date('2022-06-06T00:00:00Z'))).toBe(true);
  });
});

describe('dates', () => {
  it('isJapanDate accepts real YYYY-MM-DD dates only', () => {
    expect(isJapanDate('2024-02-29')).toBe(true);
    expect(isJapanDate('2023-02-29')).toBe(false);
    expect(isJapanDate('2026-13-01')).toBe(false);
    expect(isJapanDate('2026-6-1')).toBe(false);
    expect(isJapanDate('2026/06/01')).toBe(false);
    expect(isJapanDate('')).toBe(false);
  });
  it('asJapanDate throws on a non-date', () => {
    expect(asJapanDate('2026-06-01')).toBe('2026-06-01');
    expect(() => asJapanDate('2026-02-30')).toThrow('not a date: 2026-02-30');
  });
  it('addDays and daysBetween across month and year ends', () => {
    expect(addDays(d('2026-12-30'), 3)).toBe('2027-01-02');
    expect(addDays(d('2024-03-01'), -1)).toBe('2024-02-29');
    expect(daysBetween(d('2026-12-30'), d('2027-01-02'))).toBe(3);
    expect(daysBetween(d('2027-01-02'), d('2026-12-30'))).toBe(-3);
    expect(daysBetween(d('2026-06-01'), d('2026-06-01'))).toBe(0);
  });
  it('formatJapanDate: spaced 2022年 05月 25日 and compact 2022年06月25日', () => {
    expect(formatJapanDate(d('2022-05-25'))).toBe('2022年 05月 25日');
    expect(formatJapanDate(d('2022-06-25'), 'compact')).toBe('2022年06月25日');
  });
  it('formatJapanDateWithWeekday: 2022年06月05日（日）', () => {
    expect(formatJapanDateWithWeekday(d('2022-06-05'))).toBe('2022年06月05日（日）');
    expect(formatJapanDateWithWeekday(d('2026-11-23'))).toBe('2026年11月23日（月）');
  });
});

describe('開庁日: business days skip weekends, national holidays and 12月29日–1月3日', () => {
  it.each([
    ['2026-06-01', true, '月曜日'],
    ['2026-06-05', true, '金曜日'],
    ['2026-06-06', false, '土曜日'],
    ['2026-06-07', false, '日曜日'],
    ['2026-11-23', false, '勤労感謝の日 (月)'],
    ['2027-01-11', false, '成人の日 (月)'],
    ['2026-09-22', false, '国民の休日 (火)'],
    ['2026-05-06', false, '振替休日 (水)'],
    ['2026-12-28', true, '御用納め (月)'],
    ['2026-12-29', false, '年末 12/29 (火)'],
    ['2026-12-30', false, '年末 12/30 (水)'],
    ['2026-12-31', false, '年末 12/31 (木)'],
    ['2027-01-01', false, '元日'],
    ['2027-01-02', false, '1/2'],
    ['2027-01-03', false, '1/3'],
    ['2027-01-04', true, '御用始め (月)'],
    ['2027-12-28', true, '2027年の12/28 (火)'],
    ['2027-12-29', false, '2027年の12/29 (水)'],
  ] as const)('%s is a business day: %s (%s)', (date, expected, _what) => {
    expect(isBusinessDay(d(date))).toBe(expected);
  });

  it('addBusinessDays(金, 1) skips the weekend and 勤労感謝の日 (2026-11-20 → 2026-11-24)', () => {
    expect(addBusinessDays(d('2026-11-20'), 1)).toBe('2026-11-24');
  });
  it('addBusinessDays skips 成人の日 (2027-01-08 → 2027-01-12)', () => {
    expect(addBusinessDays(d('2027-01-08'), 1)).toBe('2027-01-12');
  });
  it('addBusinessDays across the year end: 2026-12-25 + 2 = 2027-01-04, + 3 = 2027-01-05', () => {
    expect(addBusinessDays(d('2026-12-25'), 1)).toBe('2026-12-28');
    expect(addBusinessDays(d('2026-12-25'), 2)).toBe('2027-01-04');
    expect(addBusinessDays(d('2026-12-25'), 3)).toBe('2027-01-05');
    expect(addBusinessDays(d('2026-12-28'), 1)).toBe('2027-01-04');
  });
  it('addBusinessDays counts from a closed day too (12/30 + 1 = 1/4)', () => {
    expect(addBusinessDays(d('2026-12-30'), 1)).toBe('2027-01-04');
  });
  it('10 business days from 2026-06-01 is 2026-06-15', () => {
    expect(addBusinessDays(d('2026-06-01'), 10)).toBe('2026-06-15');
  });
  it('addBusinessDays with n ≤ 0 returns the date itself', () => {
    expect(addBusinessDays(d('2026-06-06'), 0)).toBe('2026-06-06');
  });
  it('nextBusinessDayFrom: on or after', () => {
    expect(nextBusinessDayFrom(d('2026-06-01'))).toBe('2026-06-01');
    expect(nextBusinessDayFrom(d('2026-11-21'))).toBe('2026-11-24');
    expect(nextBusinessDayFrom(d('2026-12-29'))).toBe('2027-01-04');
  });
  it('property: addBusinessDays lands on a business day with exactly n business days in between', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_000 }), fc.integer({ min: 1, max: 30 }), (offset, n) => {
        const start = addDays(d('2020-01-01'), offset);
        const end = addBusinessDays(start, n);
        expect(isBusinessDay(end)).toBe(true);
        let count = 0;
        for (let day = addDays(start, 1); day <= end; day = addDays(day, 1)) if (isBusinessDay(day)) count += 1;
        expect(count).toBe(n);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fixedClock', () => {
  it('returns copies, and can be set and advanced', () => {
    const c = fixedClock('2026-06-01T01:00:00Z');
    const a = c.now();
    a.setTime(0);
    expect(c.now().toISOString()).toBe('2026-06-01T01:00:00.000Z');
    c.advance(90_000);
    expect(c.now().toISOString()).toBe('2026-06-01T01:01:30.000Z');
    c.set(new Date('2027-01-01T00:00:00Z'));
    expect(c.now().toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});
