import type { Logger } from '../ports/logger.js';

/**
 * Runs a notification and reports whether it was delivered. A message that cannot be sent is
 * logged and never undoes or blocks the state change it reports (docs/architecture.md, invariants).
 */
export async function notifySafely(logger: Logger, what: string, send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    logger.warn({ err: error, notification: what }, `could not send ${what}`);
    return false;
  }
}
