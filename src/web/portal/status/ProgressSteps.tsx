import type { Application } from '../../../domain/application.js';
import { procedures } from '../../../domain/procedures.js';
import { progressSummary, stepMarks } from '../../../domain/rules.js';
import { stepMarkLabels, stepMarkSpoken } from '../../../domain/statuses.js';

/** 1 手続進捗状況: 済 / ! / 未 for each step; a sentence for screen readers says where the application is. */
export function ProgressSteps({ application }: { application: Application }) {
  const marks = stepMarks(application);
  const steps = procedures[application.procedure].steps;
  return (
    <nav class="progress" aria-label="手続進捗状況" data-count={steps.length}>
      <p class="visually-hidden">{progressSummary(application)}</p>
      <ol class="progress__list" aria-hidden="true">
        {steps.map((label, i) => {
          const mark = marks[i] ?? 'pending';
          return (
            <li class="progress__step" data-mark={mark}>
              <span class="progress__mark">{stepMarkLabels[mark]}</span>
              <span class="progress__label">
                {i + 1}. {label}
              </span>
              <span class="visually-hidden">（{stepMarkSpoken[mark]}）</span>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
