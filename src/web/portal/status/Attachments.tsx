import type { Application } from '../../../domain/application.js';
import { attachmentKinds, attachmentStates } from '../../../domain/procedures.js';

/** 4 添付書類取得状況: 未取得 / 取得済 / 不要 for each attachment of the procedure. */
export function Attachments({ application }: { application: Application }) {
  return (
    <section class="panel" aria-labelledby="attachments-heading">
      <h2 id="attachments-heading" class="panel__title">
        添付書類取得状況
      </h2>
      <table class="summary-table">
        <caption class="visually-hidden">添付書類と取得状況</caption>
        <tbody>
          {application.attachments.map((a) => (
            <tr>
              <th scope="row">{attachmentKinds[a.kind]}</th>
              <td data-attachment-state={a.state}>{attachmentStates[a.state]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
