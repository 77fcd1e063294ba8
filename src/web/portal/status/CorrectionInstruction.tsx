import type { CorrectionView } from '../../../domain/status-view.js';
import { ButtonLink } from '../../components/forms.js';

/** 11 補正指示が出ています: 申請を補正する, and (検査申請 only) 申請を取り下げる. */
export function CorrectionInstruction({ correction }: { correction: CorrectionView | null }) {
  if (!correction) return null;
  const canCorrect = correction.correct.ok;
  return (
    <section class="panel panel--warning" aria-labelledby="correction-heading">
      <h2 id="correction-heading" class="panel__title">
        <span class="panel__icon" aria-hidden="true">
          ⚠
        </span>
        補正指示が出ています
      </h2>
      {canCorrect ? <p>下の「申請を補正する」ボタンを押して、補正申請を行ってください。</p> : <p>補正期限を過ぎているため、補正申請を行うことはできません。</p>}
      <div class="button-row">
        <ButtonLink action="/inquiry/correction" label="申請を補正する" variant="primary" disabled={!canCorrect} />
      </div>
      {correction.withdraw ? (
        <>
          <p>補正申請を実施しない場合は「申請を取り下げる」ボタンにて申請を取り下げることができます。申請を取り下げると、当該受付番号の申請は継続することができなくなります。</p>
          <div class="button-row">
            <ButtonLink action="/inquiry/withdraw" label="申請を取り下げる" variant="danger" disabled={!correction.withdraw.ok} />
          </div>
        </>
      ) : null}
    </section>
  );
}
