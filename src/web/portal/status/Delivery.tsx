import type { Application } from '../../../domain/application.js';
import { COUNTER_HOURS, inspectionOffices } from '../../../domain/offices.js';
import type { CollectionView } from '../../../domain/status-view.js';
import { ButtonLink } from '../../components/forms.js';

const BUTTON = '受取者認証兼受取車両個別申告用二次元コードの発行';

/**
 * 8 交付物の受け取りに関する情報: 受取方法 and the 2D-code button, clickable only when the status
 * view allows it. Absent for an application that will never be collected. `readOnly` (the staff
 * UI's copy of the page) shows every button disabled.
 */
export function Delivery({ application, collection, readOnly = false }: { application: Application; collection: CollectionView | null; readOnly?: boolean }) {
  if (!collection) return null;
  const office = inspectionOffices[application.officeCode];
  return (
    <section class="panel" id="delivery" aria-labelledby="delivery-heading">
      <h2 id="delivery-heading" class="panel__title">
        <span class="panel__icon" aria-hidden="true">
          ☰
        </span>
        交付物の受け取りに関する情報
      </h2>
      <table class="summary-table">
        <caption class="visually-hidden">受け取りの方法</caption>
        <tbody>
          <tr>
            <th scope="row">受取方法</th>
            <td>{collection.byAgent ? '記録等事務代行者による受け取り（二次元コードは不要です）' : '受取者認証兼受取車両個別申告用二次元コード'}</td>
          </tr>
          <tr>
            <th scope="row">受取場所</th>
            <td>
              {office.name}（{office.address}）<br />
              {COUNTER_HOURS}
            </td>
          </tr>
        </tbody>
      </table>
      {collection.collected ? (
        <p>交付物は受け取り済みです。</p>
      ) : collection.byAgent ? (
        <p>記録等事務代行者が交付物を受け取るため、二次元コードの発行は不要です。</p>
      ) : (
        <p>
          「{BUTTON}」ボタンを押すと、受取者認証兼受取車両個別申告用二次元コードの発行ができます。ただし、現在の申請状況が「{collection.readyLabel}」であるときに限ります。
        </p>
      )}
      {collection.issueCode ? (
        <div class="button-row">
          <ButtonLink action="/inquiry/collection-code" label={BUTTON} variant="primary" disabled={readOnly || !collection.issueCode.ok} />
        </div>
      ) : null}
    </section>
  );
}
