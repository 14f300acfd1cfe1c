import pLimit from 'p-limit';
import type { MessageLane } from '../deps.js';
import type { Logger } from '../ports/logger.js';

/**
 * A MessageLane that sends `concurrency` messages at a time. A burst of expiries then spends the
 * process on revocations first (each revocation job is done once the grant is revoked and
 * recorded) and sends the "ended" messages as it can. `drain` waits, bounded, for what is queued:
 * at shutdown, so a clean stop loses no message.
 */
export function createMessageLane(deps: { readonly concurrency: number; readonly logger: Logger }): {
  lane: MessageLane;
  drain(timeoutMs: number): Promise<void>;
} {
  const limit = pLimit(deps.concurrency);
  return {
    lane: (send) => {
      limit(send).catch((error: unknown) => deps.logger.warn({ err: error }, 'a queued message failed'));
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (limit.activeCount + limit.pendingCount > 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const left = limit.activeCount + limit.pendingCount;
      if (left > 0) deps.logger.warn({ left }, 'stopped with messages still queued');
    },
  };
}
