/** 2 通知メッセージ: a banner pointing down to 通知等情報 (or to お知らせ) when there is something to read or do. */
export function NotificationMessage({ kind }: { kind: 'notices' | 'announcements' | null }) {
  if (!kind) return null;
  const [text, target] =
    kind === 'notices'
      ? ['通知等があります。画面下部の通知等情報を確認してください。', '#notices']
      : ['お知らせがあります。画面下部のお知らせ情報を確認してください。', '#announcements'];
  return (
    <div class="notification-message" role="status">
      <span class="notification-message__icon" aria-hidden="true">
        ▲
      </span>
      <span class="notification-message__text">{text}</span>
      <a class="notification-message__link" href={target}>
        <span aria-hidden="true">↓ </span>詳細へ
      </a>
    </div>
  );
}
