import type { Logger } from 'pino';
import type { Services } from '../services/index.js';

/**
 * Runs the deadline sweep on a schedule inside the server. One run at a time per process; several
 * processes (or a cron `kei-oss sweep-deadlines`) may run at once: each application moves once.
 */
export function startDeadlineSweeper(services: Services, logger: Logger, intervalMs: number) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = (async () => {
      try {
        const result = await services.sweepDeadlines();
        // Mail reminders before the deadlines still running (issue 15); once each, whoever runs it.
        const reminders = await services.sendReminders();
        if (reminders > 0) logger.info({ reminders }, 'deadline reminders queued');
        const sessions = await services.sessions.purgeExpired();
        // Login throttle counters that can no longer matter (issue 5).
        await services.loginThrottle.purge();
        // Idempotency-Key results of the agency API are kept for a day (issue 3, src/services/idempotency.ts).
        await services.idempotency.purgeExpired();
        if (result.expiredCorrections + result.expiredPayments > 0 || sessions > 0) logger.info({ ...result, sessionsPurged: sessions }, 'deadline sweep');
      } catch (err) {
        logger.error({ err }, 'deadline sweep failed');
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  // A first sweep soon after start, so a server that was down over a deadline catches up.
  const first = setTimeout(tick, Math.min(intervalMs, 2000));
  first.unref();
  return {
    stop() {
      clearInterval(timer);
      clearTimeout(first);
    },
    async idle() {
      await running;
    },
  };
}
