import { formatJapanDateTime } from '../domain/format.js';
import type { Services } from '../services/index.js';
import { consoleOutput, withServices, type Output } from './agency-commands.js';
import { ENVIRONMENT_HELP, UsageError, type Command } from './command.js';

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export async function runMailStatus(services: Services, values: Values, io: Output): Promise<number> {
  const s = await services.mailOperations.status();
  if (values.json === true) io.out(JSON.stringify({ ...s, oldestWaitingSince: s.oldestWaitingSince?.toISOString() ?? null }));
  else {
    io.out(`mail outbox: ${s.queued} queued (${s.retrying} retrying), ${s.sent} sent, ${s.failed} failed`);
    io.out(s.oldestWaitingSince ? `oldest waiting since ${formatJapanDateTime(s.oldestWaitingSince)} (Japan time)` : 'nothing waiting');
  }
  // Exit code 1 when a message failed for good: a cron job or a check can alert on it.
  return s.failed > 0 ? 1 : 0;
}

export async function runMailRetry(services: Services, values: Values, io: Output): Promise<number> {
  const application = typeof values.application === 'string' ? values.application.trim() : undefined;
  if (application === '') throw new UsageError('--application には申請の id を指定してください。');
  const n = await services.mailOperations.retryFailed(application);
  io.out(`queued again: ${n} failed message${n === 1 ? '' : 's'} (the servers' delivery workers send them within MAIL_POLL_SECONDS)`);
  return 0;
}

export const mailStatusCommand: Command = {
  name: 'mail-status',
  summary: 'Show the mail outbox: queued, retrying, sent, failed / メール送信状況を表示する',
  help: `Usage: kei-oss mail-status [--json]

Counts the messages of the mail outbox: queued (waiting to be sent; of them, retrying: after a
failed attempt), sent, failed (refused by the SMTP server with a 5xx reply, or still failing after
the last retry), and since when the oldest waiting message waits. Exit code 1 when any message has
failed (kei-oss mail-retry sends them again), 0 otherwise.
メールの送信待ち・再送待ち・送信済・送信失敗の件数と、最も古い送信待ちの時刻を表示します。

Options:
  --json              print {queued, retrying, sent, failed, oldestWaitingSince} as JSON

${ENVIRONMENT_HELP}`,
  options: { json: { type: 'boolean' } },
  run: (values) => withServices((services) => runMailStatus(services, values, consoleOutput)),
};

export const mailRetryCommand: Command = {
  name: 'mail-retry',
  summary: 'Queue the failed mails again / 送信に失敗したメールを再送する',
  help: `Usage: kei-oss mail-retry [--application <id>]

Puts every failed message (or only those of one application) back in the queue with a fresh
count of attempts; the delivery worker of a running server sends them, with their original
Message-ID. Fix the cause first (the address, the SMTP server): see kei-oss mail-status and the
staff UI's page of the application.
送信に失敗したメールを送信待ちに戻します（サーバーの送信処理が再送します）。

Options:
  --application <id>  only the failed messages of this application (its id, as in the staff UI's URL)

${ENVIRONMENT_HELP}`,
  options: { application: { type: 'string' } },
  run: (values) => withServices((services) => runMailRetry(services, values, consoleOutput)),
};

export const mailCommands: readonly Command[] = [mailStatusCommand, mailRetryCommand];
