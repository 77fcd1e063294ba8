import type { Application } from '../../../domain/application.js';
import { formatJapanDate } from '../../../domain/format.js';
import { formatVehicleNumber } from '../../../domain/vehicle.js';

/** 5 軽自動車検査協会事務所等審査状況: 審査完了年月日 (and for 新車 一部書類審査 and the 車両番号 assigned). */
export function Examination({ application }: { application: Application }) {
  const completed = application.examinationCompletedOn ? formatJapanDate(application.examinationCompletedOn) : '';
  const isNew = application.procedure === 'newVehicle';
  return (
    <section class="panel" aria-labelledby="examination-heading">
      <h2 id="examination-heading" class="panel__title">
        軽自動車検査協会事務所等審査状況
      </h2>
      <p>
        {isNew
          ? '審査完了年月日、車両番号は、軽自動車検査協会事務所等審査が完了したのち設定されます。'
          : '審査完了年月日は、軽自動車検査協会事務所等審査が完了したのち設定されます。'}
      </p>
      <table class="summary-table">
        <caption class="visually-hidden">審査状況</caption>
        <tbody>
          {isNew ? (
            <tr>
              <th scope="row">一部書類審査</th>
              <td>{application.partialDocumentExamination ?? ''}</td>
            </tr>
          ) : null}
          <tr>
            <th scope="row">審査完了年月日</th>
            <td>{completed}</td>
          </tr>
          {isNew ? (
            <tr>
              <th scope="row">車両番号</th>
              <td>{application.examinationCompletedOn && application.vehicle.vehicleNumber ? formatVehicleNumber(application.vehicle.vehicleNumber) : ''}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
