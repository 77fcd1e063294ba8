import type { WithdrawalView } from '../../../domain/status-view.js';
import { ButtonLink } from '../../components/forms.js';

/** 7 申請の取り下げが可能です（まとめ納付の場合）: where the status view shows it. */
export function WithdrawalBox({ withdrawal }: { withdrawal: WithdrawalView | null }) {
  if (!withdrawal) return null;
  return (
    <section class="panel panel--warning" aria-labelledby="withdrawal-heading">
      <h2 id="withdrawal-heading" class="panel__title">
        <span class="panel__icon" aria-hidden="true">
          ⚠
        </span>
        申請の取り下げが可能です
      </h2>
      <p>納付を実施しない場合は、「申請を取り下げる」ボタンにて申請を取り下げることができます。申請を取り下げると、当該受付番号の申請は継続することができなくなります。</p>
      <div class="button-row">
        <ButtonLink action="/inquiry/withdraw" label="申請を取り下げる" variant="danger" disabled={!withdrawal.withdraw.ok} />
      </div>
    </section>
  );
}
