import type { Logger } from './ports/logger.js';

/**
 * Runs a notification and reports whether it was delivered. A message that cannot be sent is
 * logged and never undoes or blocks the state change it reports (DESIGN.md, invariant 7).
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
