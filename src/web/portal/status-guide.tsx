import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Layout } from '../components/Layout.js';
import { MultilineText } from '../components/forms.js';
import { procedures } from '../../domain/procedures.js';
import { manualStatusTable, statusCodes, statuses, type StatusCode, type StatusDefinition } from '../../domain/statuses.js';
import { pageContext, type PageContext } from '../page-context.js';
import { renderDocument, sendHtml } from '../render.js';

function procedureNames(def: StatusDefinition): string {
  return def.procedures.map((p) => procedures[p].label).join('・');
}

/** 6 申請状況の詳細: the manual's table of statuses with what to do next, then the states between them. */
export function StatusGuidePage({ ctx }: { ctx: PageContext }) {
  const manual = manualStatusTable();
  const others = statusCodes.filter((c) => statuses[c].manualItem === null);
  const row = (code: StatusCode, item: number | string) => {
    const def: StatusDefinition = statuses[code];
    return (
      <tr id={`status-${code}`}>
        <td class="numeric">{item}</td>
        <th scope="row">{def.label}</th>
        <td>
          <MultilineText text={def.description} />
        </td>
        <td>{procedureNames(def)}</td>
        <td>{def.guide ?? '―'}</td>
      </tr>
    );
  };
  return (
    <Layout ctx={ctx} title="申請状況の詳細" mainClass="main--wide">
      <h1>申請状況の詳細</h1>
      <p>以下の「申請状況」が表示されている場合、「参照先の手順書」に従って、操作を行ってください。</p>
      <div class="table-scroll" role="region" aria-labelledby="manual-statuses" tabIndex={0}>
        <table class="data-table">
          <caption id="manual-statuses">お客様の操作が必要な申請状況</caption>
          <thead>
            <tr>
              <th scope="col">項番</th>
              <th scope="col">申請状況</th>
              <th scope="col">説明</th>
              <th scope="col">手続</th>
              <th scope="col">参照先の手順書</th>
            </tr>
          </thead>
          <tbody>{manual.map((m) => row(m.code, m.item))}</tbody>
        </table>
      </div>
      <h2>このほかに表示される申請状況</h2>
      <p>次の申請状況では、お客様の操作は必要ありません。軽自動車検査協会の事務所等や都道府県税事務所での処理が終わるまでお待ちください。</p>
      <div class="table-scroll" role="region" aria-labelledby="other-statuses" tabIndex={0}>
        <table class="data-table">
          <caption id="other-statuses">処理中・完了の申請状況</caption>
          <thead>
            <tr>
              <th scope="col">項番</th>
              <th scope="col">申請状況</th>
              <th scope="col">説明</th>
              <th scope="col">手続</th>
              <th scope="col">参照先の手順書</th>
            </tr>
          </thead>
          <tbody>{others.map((code) => row(code, '―'))}</tbody>
        </table>
      </div>
      <p>
        <a href="/inquiry/status">申請状況確認の画面へ戻る</a>
      </p>
    </Layout>
  );
}

export const statusGuideRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/inquiry/status-guide', async (req, reply) => sendHtml(reply, 200, renderDocument(<StatusGuidePage ctx={pageContext(req, reply)} />)));
};
