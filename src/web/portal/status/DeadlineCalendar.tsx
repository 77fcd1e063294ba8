import { formatJapanDate } from '../../../domain/format.js';
import type { RunningDeadline } from '../../../domain/status-view.js';
import { CALENDAR_PATH } from '../actions/calendar.js';

/** The running 補正期限 / 納付期限, with the .ics download to put them in a calendar (beyond the manual). */
export function DeadlineCalendar({ deadlines }: { deadlines: readonly RunningDeadline[] }) {
  if (deadlines.length === 0) return null;
  return (
    <section class="panel" id="deadlines" aria-labelledby="deadlines-heading">
      <h2 id="deadlines-heading" class="panel__title">
        期限の予定
      </h2>
      <ul class="deadline-list">
        {deadlines.map((d) => (
          <li data-deadline-kind={d.kind}>
            {d.label}：{formatJapanDate(d.date)}（{d.what}）
          </li>
        ))}
      </ul>
      <p>
        <a href={CALENDAR_PATH} download>
          期限をカレンダーに登録する（iCalendar形式 .ics ファイルをダウンロード）
        </a>
      </p>
      <p class="form-field__hint">期限日の3日前からは、この画面にもお知らせが表示されます。カレンダーには、期限日の3日前の9時に通知が設定されます。</p>
    </section>
  );
}
