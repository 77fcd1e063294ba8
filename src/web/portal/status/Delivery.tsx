import type { Application } from '../../../domain/application.js';
import { COUNTER_HOURS, inspectionOffices } from '../../../domain/offices.js';
import type { ApplicantAction } from '../../../domain/statuses.js';
import { ButtonLink } from '../../components/forms.js';

const BUTTON = '受取者認証兼受取車両個別申告用二次元コードの発行';

/** 8 交付物の受け取りに関する情報: 受取方法 and the 2D-code button, clickable only when the documents are ready. */
export function Delivery({ application, actions }: { application: Application; actions: readonly ApplicantAction[] }) {
  const readyLabel = application.procedure === 'continuousInspection' ? '返付準備完了' : '交付準備完了';
  const byAgent = application.recordingAgent?.usable ?? false;
  const office = inspectionOffices[application.officeCode];
  const finished = application.status === 'returned' || application.status === 'delivered';
  return (
    <section class="panel" aria-labelledby="delivery-heading">
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
            <td>{byAgent ? '記録等事務代行者による受け取り（二次元コードは不要です）' : '受取者認証兼受取車両個別申告用二次元コード'}</td>
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
      {finished ? (
        <p>交付物は受け取り済みです。</p>
      ) : byAgent ? (
        <p>記録等事務代行者が交付物を受け取るため、二次元コードの発行は不要です。</p>
      ) : (
        <p>
          「{BUTTON}」ボタンを押すと、受取者認証兼受取車両個別申告用二次元コードの発行ができます。ただし、現在の申請状況が「{readyLabel}」であるときに限ります。
        </p>
      )}
      {byAgent || finished ? null : (
        <div class="button-row">
          <ButtonLink action="/inquiry/collection-code" label={BUTTON} variant="primary" disabled={!actions.includes('issueCollectionCode')} />
        </div>
      )}
    </section>
  );
}
