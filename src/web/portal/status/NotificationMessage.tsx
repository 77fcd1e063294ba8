import type { StatusMessage } from '../../../domain/status-view.js';

/** 2 通知メッセージ: a banner telling what to read or do now, pointing down to the part that says more. */
export function NotificationMessage({ message }: { message: StatusMessage | null }) {
  if (!message) return null;
  return (
    <div class="notification-message" role="status">
      <span class="notification-message__icon" aria-hidden="true">
        ▲
      </span>
      <span class="notification-message__text">{message.text}</span>
      <a class="notification-message__link" href={`#${message.target}`}>
        <span aria-hidden="true">↓ </span>詳細へ
      </a>
    </div>
  );
}
