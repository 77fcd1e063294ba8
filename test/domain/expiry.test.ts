import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideExpiry, expiryPlan } from '../../src/domain/expiry.js';
import { eventContract } from '../../src/domain/events.js';
import { statuses, type StatusCode } from '../../src/domain/statuses.js';
import { asJapanDate, deadlineDateOf, deadlinePassesAt, type JapanDate } from '../../src/domain/time.js';

const all = Object.keys(statuses) as StatusCode[];

describe('期限切れ as data (decision 0018)', () => {
  it('has a plan for exactly the statuses with a running deadline, each from a status its event allows', () => {
    for (const status of all) {
      const plan = expiryPlan(status);
      if (statuses[status].deadline === null) {
        expect(plan).toBeNull();
        continue;
      }
      expect(plan).not.toBeNull();
      expect(plan!.event).toBe(statuses[status].deadline === 'correction' ? 'expireCorrection' : 'expirePayment');
      expect(eventContract(plan!.event).from).toContain(status);
      expect(plan!.to).toBe(statuses[status].deadline === 'correction' ? 'rejected' : 'invalidated');
      expect(statuses[plan!.to].terminal).toBe(true);
    }
  });

  it('reads the deadline date back from the stored deadline_at instant, for any date', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const date = asJapanDate(d.toISOString().slice(0, 10));
        expect(deadlineDateOf(deadlinePassesAt(date))).toBe(date);
      }),
    );
  });

  it('expires only once the deadline day has ended, with the notice text naming the day', () => {
    const deadline = '2027-01-15' as JapanDate;
    const due = { id: 'a', status: 'inspectionFeesDue' as const, version: 4, deadline };
    const passes = deadlinePassesAt(deadline);
    expect(decideExpiry(due, new Date(passes.getTime() - 1), () => 'n')).toEqual({ ok: false, refusal: { code: 'deadlineNotPassed', message: '納付期限はまだ過ぎていません。' } });
    const x = decideExpiry(due, passes, () => 'n');
    expect(x.ok && x.value.version).toBe(5);
    expect(x.ok && x.value.notice.reasonDetail).toBe('納付期限（2027年 01月 15日）までに税・手数料が納付されなかったため、申請は無効になりました。');
    expect(decideExpiry({ ...due, status: 'returned' }, passes, () => 'n').ok).toBe(false);
  });
});
