import type { Logger } from 'pino';
import type { MailDelivery } from '../services/mail-delivery.js';

/** Batches of mail a server process has in flight at once (see startMailWorker). */
export const MAIL_LANES = 2;

/**
 * The delivery worker inside a server process: every `intervalMs` it sends the due mail of the
 * outbox, and goes on at once while there is more. Several processes may run it (the claim keeps
 * them off each other's messages). A failing database or SMTP server is logged, never fatal.
 * `lanes` steps run side by side (each claims its own batch), so that the SMTP connections are
 * kept busy while the last mails of one batch are still on their way.
 */
export function startMailWorker(delivery: MailDelivery, logger: Logger, intervalMs: number, lanes = 1) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const lane = async () => {
    try {
      for (;;) {
        const run = await delivery.deliverDue();
        if (run.claimed > 0) logger.debug(run, 'mail delivery');
        // A run that sent everything it claimed may have left more due: go on; otherwise wait for the timer.
        if (stopped || run.claimed === 0 || run.sent + run.failed === 0) break;
      }
    } catch (err) {
      logger.error({ err }, 'mail delivery failed');
    }
  };
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        await Promise.all(Array.from({ length: lanes }, lane));
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  const first = setTimeout(tick, Math.min(intervalMs, 1000));
  first.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(first);
    },
    async idle() {
      await running;
    },
  };
}
