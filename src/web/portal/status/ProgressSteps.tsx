import type { StepView } from '../../../domain/status-view.js';
import { stepMarkLabels, stepMarkSpoken } from '../../../domain/statuses.js';

/** 1 手続進捗状況: 済 / ! / 未 for each step; a sentence for screen readers says where the application is. */
export function ProgressSteps({ steps, summary }: { steps: readonly StepView[]; summary: string }) {
  return (
    <nav class="progress" aria-label="手続進捗状況" data-count={steps.length}>
      <p class="visually-hidden">{summary}</p>
      <ol class="progress__list" aria-hidden="true">
        {steps.map((step, i) => (
          <li class="progress__step" data-mark={step.mark}>
            <span class="progress__mark">{stepMarkLabels[step.mark]}</span>
            <span class="progress__label">
              {i + 1}. {step.label}
            </span>
            <span class="visually-hidden">（{stepMarkSpoken[step.mark]}）</span>
          </li>
        ))}
      </ol>
    </nav>
  );
}
