/** What the checks read of an ioredis connection (its `status` and `ping`). */
export interface PingableConnection {
  readonly status: string;
  ping(): Promise<unknown>;
}

/**
 * How long /readyz waits for Redis's PONG. Loopback or LAN answers in a millisecond; a server
 * that takes longer is as good as gone for Slack's 3 s window, and /readyz must flip within 1 s.
 */
export const READY_PING_TIMEOUT_MS = 500;

/** What the readiness check decides from the connection's state, before any command is sent. */
export type RedisReadiness = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * ioredis's status is `ready` only while a connection is up and has answered: any other state
 * (`connecting`, `reconnecting`, `close`, `end`…) means a command would wait in the offline queue
 * (maxRetriesPerRequest: null) until Redis is back, so the check answers at once instead.
 */
export function readinessOf(status: string): RedisReadiness {
  return status === 'ready' ? { ok: true } : { ok: false, reason: `the Redis connection is ${status}` };
}

/** True while commands go straight to Redis (for the Slack replies: is a slow answer Redis's outage?). */
export function redisAvailable(redis: Pick<PingableConnection, 'status'>): boolean {
  return readinessOf(redis.status).ok;
}

/**
 * The /readyz check of Redis: the connection's state, then a PING answered within
 * READY_PING_TIMEOUT_MS (a server that accepts connections but hangs, such as one stopped with
 * SIGSTOP, keeps the state `ready` until the TCP connection breaks).
 */
export function redisReadinessCheck(redis: PingableConnection, timeoutMs = READY_PING_TIMEOUT_MS): () => Promise<void> {
  return async () => {
    const state = readinessOf(redis.status);
    if (!state.ok) throw new Error(state.reason);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer PING within ${timeoutMs} ms`)), timeoutMs);
    });
    // A PING that loses the race still gets its answer (or its error) later: swallow it then.
    const ping = redis.ping();
    ping.catch(() => undefined);
    try {
      await Promise.race([ping, late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
