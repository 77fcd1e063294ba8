import type { Application } from '../../../domain/application.js';
import { formatJapanDate, formatJapanDateTime } from '../../../domain/format.js';
import { inspectionOffices } from '../../../domain/offices.js';
import { procedures, summaryFieldLabels, type SummaryField } from '../../../domain/procedures.js';
import { formatReceiptNumber } from '../../../domain/receipt-number.js';
import { statuses } from '../../../domain/statuses.js';
import { japanDateOf } from '../../../domain/time.js';
import { formatVehicleNumber } from '../../../domain/vehicle.js';

function fieldValue(app: Application, field: SummaryField): string {
  switch (field) {
    case 'filedOn':
      return formatJapanDate(japanDateOf(app.filedAt));
    case 'receiptNumber':
      return app.receiptNumber ? formatReceiptNumber(app.receiptNumber) : `未払出（到達番号：${formatReceiptNumber(app.arrivalNumber)}）`;
    case 'vehicleNumber':
      return app.vehicle.vehicleNumber ? formatVehicleNumber(app.vehicle.vehicleNumber) : '';
    case 'chassisNumber':
      return app.vehicle.chassisNumber;
    case 'applicantName':
      return app.applicant.name;
    case 'userName':
      return app.user.name;
    case 'userNameHigh':
      return app.user.nameHigh ?? '';
    case 'ownerName':
      return app.owner ? app.owner.name : '同上';
    case 'ownerNameHigh':
      return app.owner?.nameHigh ?? '';
    case 'office':
      return inspectionOffices[app.officeCode].name;
    case 'agentCommissionNumber':
      return app.recordingAgent?.commissionNumber ?? '';
    case 'agentName':
      return app.recordingAgent?.name ?? '';
    case 'agentUsable':
      return app.recordingAgent ? (app.recordingAgent.usable ? '利用可' : '利用不可') : '';
  }
}

/** 3 現在の申請状況: the status, 状況更新日時, and the summary table of the procedure. */
export function CurrentStatus({ application }: { application: Application }) {
  const def = statuses[application.status];
  return (
    <section class="panel" aria-labelledby="current-status-heading">
      <h2 id="current-status-heading" class="panel__title">
        現在の申請状況
      </h2>
      <div class="current-status">
        <p class="current-status__label" data-status={application.status}>
          {def.label}
        </p>
        <p class="current-status__updated">状況更新日時：{formatJapanDateTime(application.statusChangedAt)}</p>
        <p class="current-status__guide">
          <a href={`/inquiry/status-guide#status-${application.status}`}>この申請状況の説明と、次に行うこと（申請状況の詳細）</a>
        </p>
      </div>
      <table class="summary-table">
        <caption class="visually-hidden">申請の概要</caption>
        <tbody>
          {procedures[application.procedure].summaryFields.map((field) => (
            <tr>
              <th scope="row">{summaryFieldLabels[field]}</th>
              <td>{fieldValue(application, field)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
