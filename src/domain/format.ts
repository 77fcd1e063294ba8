import { japanParts, type JapanDate } from './time.js';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2022年 05月 30日 15時 35分 15秒`, in Japan time (状況更新日時). */
export function formatJapanDateTime(at: Date): string {
  const p = japanParts(at);
  return `${p.year}年 ${pad2(p.month)}月 ${pad2(p.day)}日 ${pad2(p.hour)}時 ${pad2(p.minute)}分 ${pad2(p.second)}秒`;
}

/** `2022年 05月 25日` (申請年月日, 期限日); compact `2022年06月25日` as in the manual's payment table. */
export function formatJapanDate(date: JapanDate, style: 'spaced' | 'compact' = 'spaced'): string {
  const [y, m, d] = date.split('-');
  return style === 'spaced' ? `${y}年 ${m}月 ${d}日` : `${y}年${m}月${d}日`;
}

const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'] as const;

/** `2022年06月05日（日）`, for sentences that name a deadline. */
export function formatJapanDateWithWeekday(date: JapanDate): string {
  const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()];
  return `${formatJapanDate(date, 'compact')}（${weekday}）`;
}

/** `¥ 1,100`. Money is integer yen. */
export function formatYen(amount: number): string {
  if (!Number.isSafeInteger(amount)) throw new Error(`yen must be an integer: ${amount}`);
  const sign = amount < 0 ? '-' : '';
  return `¥ ${sign}${String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

/** 納付番号 in groups of four: `3000 0000 0000 0000 0003`. */
export function formatPaymentNumber(number: string): string {
  return number.replace(/(.{4})(?=.)/g, '$1 ');
}
