import type { Actor } from './actors.js';
import { displayNumber, type Application } from './application.js';
import type { Expiry } from './expiry.js';
import type { EventType } from './events.js';
import { formatJapanDateWithWeekday, formatYen } from './format.js';
import { officeOf } from './offices.js';
import { procedures } from './procedures.js';
import { formatReceiptNumber } from './receipt-number.js';
import { currentDeadline } from './rules.js';
import { noticeViewOf, openCorrectionNotice, statusView, type NoticeView, type StatusView } from './status-view.js';
import { statuses, type StatusCode, type StatusDefinition } from './statuses.js';
import { addBusinessDays, isBusinessDay, isDeadlinePassed, japanDateOf, type JapanDate } from './time.js';

/**
 * What is mailed to an applicant, and when (issue 15, docs/notifications.md). Decided here from
 * the status view, so a mail says what the status page says; rendered as plain text and as
 * accessible HTML. Never a password, a person's name or address, or a 納付番号.
 */

/** Why a mail is sent: a status that asks something of the applicant, an outcome, a receipt of the applicant's own act, a reminder. */
export type ApplicationMailKind = 'actionRequired' | 'outcome' | 'receipt' | 'reminder';
export const applicationMailKindLabels: Record<ApplicationMailKind | 'confirmAddress', string> = {
  actionRequired: 'お客様の操作が必要な状況',
  outcome: '申請の結果',
  receipt: '受付のお知らせ',
  reminder: '期限のお知らせ',
  confirmAddress: 'メールアドレスの確認',
};

/** The applicant's own acts that get a receipt; any other act of theirs gets no mail. */
const receiptEvents: Partial<Record<EventType | 'arrive', string>> = { withdraw: '申請の取り下げ', submitCorrection: '補正申請' };

export interface MailDecision {
  readonly kind: ApplicationMailKind;
  /** For a receipt: what was received. */
  readonly what?: string | undefined;
}

/** Whether the status view asks the applicant to act (a step marked 「!」): 補正, 納付, まとめ払い, 二次元コード. */
function asksApplicant(view: StatusView): boolean {
  return view.steps.some((s) => s.mark === 'action');
}

/**
 * Whether a change (before → after, by actor, through event) is mailed, and as what. Nothing for
 * a change the applicant made, except a receipt of a 取り下げ or 補正申請; nothing when the status
 * did not change.
 */
export function mailForTransition(before: Application | null, after: Application, actor: Actor, event: EventType | 'arrive', now: Date): MailDecision | null {
  if (actor.kind === 'applicant') {
    const what = receiptEvents[event];
    return what ? { kind: 'receipt', what } : null;
  }
  if (before !== null && before.status === after.status) return null;
  if ((statuses[after.status] as StatusDefinition).terminal) return { kind: 'outcome' };
  return asksApplicant(statusView(after, now)) ? { kind: 'actionRequired' } : null;
}

/**
 * The reminder due today for the application's running deadline, if any: `days` lists the business
 * days before the deadline on which one is sent (3 and 1 by default). On a business day when the
 * deadline is within k business days, the reminder "k" is due (the smallest such k, so a server
 * that was down on the day of "3" sends "1" only, when its day comes). None on a day off.
 */
export function reminderDue(app: Application, now: Date, days: readonly number[]): { date: JapanDate; kind: 'correction' | 'payment'; daysBefore: number } | null {
  const deadline = currentDeadline(app);
  if (!deadline || isDeadlinePassed(deadline.date, now)) return null;
  const today = japanDateOf(now);
  if (!isBusinessDay(today)) return null;
  const due = [...days].sort((a, b) => a - b).find((k) => addBusinessDays(today, k) >= deadline.date);
  return due === undefined ? null : { ...deadline, daysBefore: due };
}

export interface MailLinks {
  /** The portal's login page (状況の照会). */
  readonly login: string;
  /** Stops mail for this application (RFC 8058 one-click target too). */
  readonly unsubscribe: string;
}

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** One block of a mail: a heading and its lines, or a list of 項目: 値. */
interface Section {
  readonly heading?: string;
  readonly lines?: readonly string[];
  readonly facts?: readonly (readonly [string, string])[];
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const FOOTER = [
  'このメールは軽自動車OSSの送信専用アドレスから送信しています。返信はできません。',
  '申請用パスワードをメールや電話でお尋ねすることはありません。',
  'お心当たりのない場合は、このメールを破棄してください。',
];

/** Renders sections as plain text and as HTML (lang="ja", headings, definition lists, real links). */
function render(subject: string, sections: readonly Section[], links: MailLinks | null): RenderedMail {
  const text: string[] = [];
  const html: string[] = [`<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`];
  for (const s of sections) {
    if (s.heading) {
      text.push(`■ ${s.heading}`);
      html.push(`<h2>${escapeHtml(s.heading)}</h2>`);
    }
    for (const line of s.lines ?? []) {
      text.push(line);
      html.push(`<p>${escapeHtml(line)}</p>`);
    }
    if (s.facts?.length) {
      for (const [k, v] of s.facts) text.push(`${k}：${v}`);
      html.push(`<dl>${s.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`);
    }
    text.push('');
  }
  if (links) {
    text.push('■ 申請状況の確認', '次のページから、受付番号（到達番号）と申請用パスワードでログインして確認してください。', links.login, '');
    html.push('<h2>申請状況の確認</h2>', `<p>次のページから、受付番号（到達番号）と申請用パスワードでログインして確認してください。</p>`, `<p><a href="${escapeHtml(links.login)}">申請状況の照会（ログイン）</a></p>`);
  }
  text.push('――', ...FOOTER);
  html.push('<hr>', ...FOOTER.map((l) => `<p><small>${escapeHtml(l)}</small></p>`));
  if (links) {
    text.push(`この申請についてのメールの配信を停止する：${links.unsubscribe}`);
    html.push(`<p><small><a href="${escapeHtml(links.unsubscribe)}">この申請についてのメールの配信を停止する</a></small></p>`);
  }
  html.push('</body></html>');
  return { subject, text: `${text.join('\n')}\n`, html: html.join('\n') };
}

/** What a mail needs of an application to name it: its number and its procedure. */
export type MailNaming = Pick<Application, 'receiptNumber' | 'arrivalNumber' | 'procedure'>;

function numberLabel(app: MailNaming): string {
  return app.receiptNumber ? '受付番号' : '到達番号';
}

/** The facts every mail about an application carries: number, procedure, status as the manual names it. */
function basics(app: MailNaming, statusLabel: string): [string, string][] {
  return basicsOf(numberLabel(app), formatReceiptNumber(displayNumber(app)), app.procedure, statusLabel);
}

function basicsOf(label: string, number: string, procedure: MailNaming['procedure'], statusLabel: string): [string, string][] {
  return [
    [label, number],
    ['手続', procedures[procedure].label],
    ['申請状況', statusLabel],
  ];
}

/** What the status asks, from the status view: the correction's reason and deadline, what is due and by when, where to collect. */
function whatToDo(app: Application, view: StatusView): Section[] {
  const out: Section[] = [];
  const def: StatusDefinition = statuses[app.status];
  out.push({ heading: '申請状況の説明', lines: def.description.split('\n') });
  const correction = openCorrectionNotice(app);
  if (view.correction && correction) {
    out.push({
      heading: '補正指示の内容',
      facts: [['行政機関等名', correction.agencyName], ['理由', correction.reasonTitle], ...(correction.reasonDetail ? [['詳細', correction.reasonDetail] as [string, string]] : []), ...(correction.deadline ? [['補正期限', formatJapanDateWithWeekday(correction.deadline)] as [string, string]] : [])],
      lines: ['補正期限を過ぎると期限切れ却下となり、申請は無効になります。'],
    });
  }
  const due = view.payments.filter((g) => g.stage === view.paymentStage && g.state === 'unpaid');
  if (due.length > 0) {
    const total = due.reduce((sum, g) => sum + g.total, 0);
    const dueOn = due.map((g) => g.dueOn).filter((d): d is JapanDate => d !== null).sort()[0];
    out.push({
      heading: '納付のお願い',
      facts: [['納付するもの', [...new Set(due.flatMap((g) => g.lines.map((l) => l.feeKind)))].join('、')], ['金額', formatYen(total)], ...(dueOn ? [['納付期限', formatJapanDateWithWeekday(dueOn)] as [string, string]] : [])],
      lines: ['納付番号・確認番号は、ログインして納付情報でご確認ください。納付期限を過ぎると申請は無効になります。'],
    });
  }
  if (view.collection && !view.collection.collected && def.applicantMay.includes('issueCollectionCode')) {
    const office = officeOf(app.officeCode);
    out.push({
      heading: '交付物の受け取り',
      lines: view.collection.byAgent
        ? ['記録等事務代行者が交付物を受け取るため、二次元コードの発行は不要です。']
        : ['ログインして「受取者認証兼受取車両個別申告用二次元コードの発行」ボタンから二次元コードを発行・印刷し、交付物の受け取り時に窓口へ提出してください。'],
      facts: [['受け取り窓口', office.name], ['所在地', office.address], ['電話番号', office.phone]],
    });
  }
  return out;
}

/** The reason of the notice that stopped the application (却下, 無効, 未受付), as 通知等情報 shows it: its latest notice. */
function outcomeReason(latest: NoticeView | undefined): Section[] {
  if (!latest || latest.outcome !== 'final' || latest.notice.kind === 'withdrawal') return [];
  return [{ heading: '通知等情報', facts: [['種別', latest.label], ['行政機関等名', latest.notice.agencyName], ['理由', latest.notice.reasonTitle], ...(latest.notice.reasonDetail ? [['詳細', latest.notice.reasonDetail] as [string, string]] : [])] }];
}

/** The mail of a decision (or a reminder) about an application, at `now`. */
export function renderApplicationMail(app: Application, decision: MailDecision, now: Date, links: MailLinks, reminder?: { date: JapanDate; kind: 'correction' | 'payment'; daysBefore: number }): RenderedMail {
  const view = statusView(app, now);
  const number = formatReceiptNumber(displayNumber(app));
  const sections: Section[] = [];
  let subject: string;
  switch (decision.kind) {
    case 'receipt':
      subject = `【軽自動車OSS】${decision.what ?? ''}を受け付けました（${numberLabel(app)} ${number}）`;
      sections.push({ lines: [`${decision.what ?? ''}を受け付けました。`], facts: basics(app, view.statusLabel) }, { heading: '申請状況の説明', lines: (statuses[app.status] as StatusDefinition).description.split('\n') });
      break;
    case 'outcome':
      return outcomeMail(numberLabel(app), number, app.procedure, app.status, view.notices[0], links);
    case 'actionRequired':
      subject = `【軽自動車OSS】申請状況が「${view.statusLabel}」になりました：お客様の操作が必要です（${numberLabel(app)} ${number}）`;
      sections.push({ lines: [`申請状況が「${view.statusLabel}」になりました。お客様の操作が必要です。`], facts: basics(app, view.statusLabel) }, ...whatToDo(app, view));
      break;
    case 'reminder': {
      const label = reminder?.kind === 'correction' ? '補正期限' : '納付期限';
      const date = reminder ? formatJapanDateWithWeekday(reminder.date) : '';
      subject = `【軽自動車OSS】${label}（${date}）が近づいています（${numberLabel(app)} ${number}）`;
      const message = view.reminders[0]?.message ?? (reminder?.kind === 'correction' ? '補正期限が間近です。補正してください。' : '納付期限が間近です。納付期限日までに納付してください。');
      sections.push({ lines: [message], facts: [...basics(app, view.statusLabel), [label, date]] }, ...whatToDo(app, view).slice(1));
      break;
    }
  }
  return render(subject, sections, links);
}

/** The 'outcome' mail: the status reached (terminal), its description, and the reason of the latest notice (`outcomeReason`). */
function outcomeMail(label: string, number: string, procedure: MailNaming['procedure'], status: StatusCode, latest: NoticeView | undefined, links: MailLinks): RenderedMail {
  const statusLabel = (statuses[status] as StatusDefinition).label;
  const subject = `【軽自動車OSS】申請状況が「${statusLabel}」になりました（${label} ${number}）`;
  const sections: Section[] = [{ lines: [`申請状況が「${statusLabel}」になりました。`], facts: basicsOf(label, number, procedure, statusLabel) }, { heading: '申請状況の説明', lines: (statuses[status] as StatusDefinition).description.split('\n') }, ...outcomeReason(latest)];
  return render(subject, sections, links);
}

/** Whether the mail of this expiry needs the whole application (`expiryMails` cannot render it from the naming alone). */
export function expiryMailNeedsApplication(expiry: Expiry): boolean {
  return !(statuses[expiry.plan.to] as StatusDefinition).terminal;
}

/** Stand-ins for what differs between the mails of one template (`expiryMails`): no text of a mail has these control characters, and `escapeHtml` leaves them as they are. */
const NUMBER_SLOT = '\u0001number\u0001';
const UNSUBSCRIBE_SLOT = '\u0001unsubscribe\u0001';
const SLOTS = /(\u0001number\u0001|\u0001unsubscribe\u0001)/;

/** A rendered text cut at its slots: the odd parts are the slots. */
const cut = (text: string): readonly string[] => text.split(SLOTS);
const fill = (parts: readonly string[], number: string, unsubscribe: string): string => parts.map((p) => (p === NUMBER_SLOT ? number : p === UNSUBSCRIBE_SLOT ? unsubscribe : p)).join('');

/**
 * The mails of expiries (decision 0018), each from the application's number and procedure alone:
 * the mail `mailForTransition` and `renderApplicationMail` give for the application after its
 * expiry (`applyExpiry`). The clock moved it to another status; when that status is terminal the
 * mail is the 'outcome' one, which states the status, its description and the latest notice, the
 * one the expiry adds. Null for an expiry whose status reached is not terminal
 * (`expiryMailNeedsApplication`): its mail depends on the status view of the whole application.
 *
 * The mails of a batch differ mostly by their number and unsubscribe link: each distinct mail is
 * rendered once with stand-ins for those two, which are then put in each copy (escaped in the
 * HTML, as `render` escapes them; the escape works character by character, so the result is the
 * same text as rendered whole).
 */
export function expiryMails(items: readonly { readonly naming: MailNaming; readonly expiry: Expiry; readonly links: MailLinks }[]): (RenderedMail | null)[] {
  const templates = new Map<string, { subject: readonly string[]; text: readonly string[]; html: readonly string[] }>();
  return items.map(({ naming, expiry, links }) => {
    if (expiryMailNeedsApplication(expiry)) return null;
    const n = expiry.notice;
    const label = numberLabel(naming);
    const key = [label, naming.procedure, expiry.plan.to, n.kind, n.agencyName, n.reasonTitle, n.reasonDetail ?? '', links.login].join('\u0000');
    let t = templates.get(key);
    if (!t) {
      const m = outcomeMail(label, NUMBER_SLOT, naming.procedure, expiry.plan.to, noticeViewOf(n, [n]), { login: links.login, unsubscribe: UNSUBSCRIBE_SLOT });
      t = { subject: cut(m.subject), text: cut(m.text), html: cut(m.html) };
      templates.set(key, t);
    }
    const number = formatReceiptNumber(displayNumber(naming));
    return { subject: fill(t.subject, number, links.unsubscribe), text: fill(t.text, number, links.unsubscribe), html: fill(t.html, escapeHtml(number), escapeHtml(links.unsubscribe)) };
  });
}

/** The mail with the link that confirms a 連絡先メールアドレス. */
export function renderConfirmationMail(app: Application, confirmLink: string, expiresAt: Date): RenderedMail {
  const number = formatReceiptNumber(displayNumber(app));
  return render(
    `【軽自動車OSS】連絡先メールアドレスの確認（${numberLabel(app)} ${number}）`,
    [
      {
        lines: [
          `${numberLabel(app)} ${number} の申請の連絡先として、このメールアドレスが登録されました。`,
          '次のリンクを開いて、メールアドレスを確認してください。確認が済むと、補正指示・納付・受け取りの案内、申請の結果、期限が近づいたときのお知らせをこのアドレスにお送りします。',
          confirmLink,
          `このリンクの有効期限：${formatJapanDateWithWeekday(japanDateOf(expiresAt))}まで`,
          'お心当たりのない場合は、リンクを開かずにこのメールを破棄してください（メールはお送りしません）。',
        ],
      },
    ],
    null,
  );
}
