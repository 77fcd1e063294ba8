import type { MailPanel } from '../../../services/mail-notify.js';
import { Banner, CsrfField, TextField } from '../../components/forms.js';

/** What is mailed, in the words the 申請を行う form and the status page both use. */
export const MAIL_NOTE =
  '登録すると、補正指示・納付・受け取りの案内、申請の結果（却下・無効・返付済・交付済など）、補正期限・納付期限が近づいたとき（期限の3開庁日前と1開庁日前）にメールでお知らせします。メールには受付番号と申請状況を記載し、パスワードや氏名・住所は記載しません。登録したアドレスには確認用のメールを送ります。';

/**
 * 連絡先メールアドレス (issue 15), below the manual's parts: where mail about this application
 * goes, whether the address is confirmed, whether the last mail failed; add, change, remove.
 * Rendered per request from its own data (the mail state changes without the application's version).
 */
export function MailContact({ panel, csrfToken, error, value }: { panel: MailPanel; csrfToken: string; error?: string | undefined; value?: string | undefined }) {
  return (
    <section class="panel" id="mail" aria-labelledby="mail-heading">
      <h2 id="mail-heading" class="panel__title">
        連絡先メールアドレス
      </h2>
      {panel.address === null ? (
        <p>連絡先メールアドレスは登録されていません。</p>
      ) : (
        <table class="summary-table">
          <caption class="visually-hidden">登録されている連絡先メールアドレス</caption>
          <tbody>
            <tr>
              <th scope="row">メールアドレス</th>
              <td>{panel.address}</td>
            </tr>
            <tr>
              <th scope="row">状態</th>
              <td>{panel.unsubscribed ? '配信停止中（メールは送信されません）' : panel.confirmed ? '確認済（メールをお送りします）' : '未確認（確認用メールのリンクを開くまで、メールは送信されません）'}</td>
            </tr>
          </tbody>
        </table>
      )}
      {panel.lastFailed ? (
        <Banner kind="warning" title="最後にお送りしたメールは、配信できませんでした。">
          <p>メールアドレスに誤りがないか確認し、必要に応じて変更してください。</p>
        </Banner>
      ) : null}
      <p>{MAIL_NOTE}</p>
      <form method="post" action="/inquiry/status/mail" class="form" noValidate>
        <CsrfField token={csrfToken} />
        <TextField
          name="contactAddress"
          label={panel.address === null ? '登録するメールアドレス' : '新しいメールアドレス'}
          value={value ?? ''}
          error={error}
          hint="半角英数字で入力してください（例：info@example.jp）。"
          autocomplete="email"
          inputMode="text"
          width="long"
          spellcheck={false}
        />
        <div class="button-row">
          <button type="submit" name="action" value="save" class="button button--primary">
            {panel.address === null ? 'メールアドレスを登録する' : 'メールアドレスを変更する'}
          </button>
          {panel.address !== null ? (
            <button type="submit" name="action" value="remove" class="button button--secondary">
              メールアドレスを削除する
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
