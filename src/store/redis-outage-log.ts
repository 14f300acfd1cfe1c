import type { Logger } from '../service/ports/logger.js';
import { RECONNECT_DELAY_MS } from './redis-reconnect.js';

/** Errors of a connection that is down (or going down): the reconnect deals with them. */
const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT',
]);

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' && CONNECTION_CODES.has(code)) || /Connection is closed/i.test(error.message);
}

export interface OutageLog {
  /** An error of any of the bot's Redis connections (the store's, BullMQ's queues and workers). */
  error(error: Error, source: string): void;
  /** The store's connection is ready again. */
  ready(): void;
}

/**
 * One line when Redis becomes unreachable and one when it is back, however many connections
 * fail and however often they retry (every 200 ms each, about fifteen connections): not a line
 * per failed try. Errors that are not about the connection are logged as they come.
 */
export function createOutageLog(logger: Logger, now: () => number = Date.now): OutageLog {
  let downSince: number | undefined;
  return {
    error(error, source) {
      if (!isConnectionError(error))
        return logger.error({ err: error, source }, 'error of a Redis connection or job queue');
      if (downSince !== undefined) return;
      downSince = now();
      logger.error(
        { err: error, source },
        `Redis is unreachable: commands and clicks are acknowledged and wait for it, jobs resume when it is back; retrying every ${RECONNECT_DELAY_MS} ms`,
      );
    },
    ready() {
      if (downSince === undefined) return;
      logger.warn({ downMs: now() - downSince }, 'Redis is reachable again');
      downSince = undefined;
    },
  };
}
