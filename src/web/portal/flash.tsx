import type { FastifyReply, FastifyRequest } from 'fastify';
import { Banner } from '../components/forms.js';
import { cookieOptions, clearCookie } from '../cookies.js';

// The banner the page after a redirect shows once (post → redirect → get).

const FLASH_COOKIE = 'kei_flash';

const flashMessages = {
  withdrawalDone: { title: '申請を取り下げました。', body: '通知等情報に取り下げの結果が表示されています。当該受付番号の申請は継続することができません。必要に応じ、再度申請を行ってください。' },
  corrected: { title: '補正申請を行いました。', body: '申請は審査に戻りました。補正した内容と補正前の内容は、申請状況の履歴で確認できます。' },
  bulkChosen: { title: 'まとめ納付を選択しました。', body: '「納付対象を選択して納付番号を取得」を行ってから、納付してください。' },
  bulkNumberTaken: { title: '納付番号を取得しました。', body: '下の収納機関番号・納付番号・確認番号で納付してください。' },
  codeIssued: { title: '二次元コードを発行しました。', body: '印刷して、交付物の受け取り時に窓口へ提出してください。' },
  codeReissued: { title: '二次元コードを再発行しました。', body: '以前に発行した二次元コードは使用できません。この二次元コードを印刷して提出してください。' },
} as const;

export type FlashKind = keyof typeof flashMessages;

/** A short-lived signed cookie naming one of the fixed messages: a link cannot make the page claim an action happened. */
export function setFlash(req: FastifyRequest, reply: FastifyReply, kind: FlashKind): void {
  reply.setCookie(FLASH_COOKIE, kind, { ...cookieOptions(req, 120), signed: true });
}

/** Reads the flash once and clears it. */
export function takeFlash(req: FastifyRequest, reply: FastifyReply): FlashKind | null {
  const raw = req.cookies[FLASH_COOKIE];
  if (raw === undefined) return null;
  clearCookie(req, reply, FLASH_COOKIE);
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || unsigned.value === null || !Object.hasOwn(flashMessages, unsigned.value)) return null;
  return unsigned.value as FlashKind;
}

export function FlashBanner({ kind }: { kind: FlashKind | null }) {
  if (!kind) return null;
  const m = flashMessages[kind];
  return (
    <Banner kind="success" title={m.title} id="flash">
      <p>{m.body}</p>
    </Banner>
  );
}
