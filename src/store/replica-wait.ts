import type { Redis } from 'ioredis';
import type { RedisClient } from './redis-topology.js';

/**
 * REDIS_WAIT_REPLICAS: a write is acknowledged (to the person, to the service) only once that many
 * replicas have it, so a failover right after it does not take it away. Redis replication is
 * asynchronous; `WAIT n ms` blocks this connection until n replicas acknowledged every write it
 * sent before, or the time is up.
 *
 * The writes of one tick share one WAIT (sent after all of them, so it covers them all): under a
 * burst that is one replica round trip per batch, not per write. WAIT blocks the connection, so
 * the store's other commands queue behind it: that round trip is the measured cost of each write.
 *
 * When the replicas do not answer in time (none left after a failover, a replica that lags),
 * availability wins: the write stands, a warning is logged, and the waits are skipped for
 * DEGRADED_MS before trying again, so the bot does not pay the timeout on every write while it
 * has no replica. Refusing writes instead is the master's `min-replicas-to-write` setting.
 */
export interface ReplicaWait {
  /** Resolves once the writes this process made so far are on enough replicas (or the wait gave up). */
  (): Promise<void>;
}

const DEGRADED_MS = 5_000;

export function createReplicaWait(deps: {
  readonly redis: RedisClient;
  readonly replicas: number;
  readonly timeoutMs: number;
  readonly now: () => number;
  /** The replicas did not all acknowledge in time (once per degraded period). */
  readonly onShort: (acknowledged: number) => void;
}): ReplicaWait {
  // Cluster is refused with REDIS_WAIT_REPLICAS (config-redis.ts): WAIT has no key to route by.
  const redis = deps.redis as Redis;
  let next: Promise<void> | undefined;
  let degradedUntil = 0;

  async function wait(): Promise<void> {
    if (deps.now() < degradedUntil) return;
    const acknowledged = await redis.wait(deps.replicas, deps.timeoutMs);
    if (acknowledged >= deps.replicas) return;
    degradedUntil = deps.now() + DEGRADED_MS;
    deps.onShort(acknowledged);
  }

  return () => {
    // Called after the write's reply: a WAIT sent from here on covers it.
    next ??= Promise.resolve().then(() => {
      next = undefined;
      return wait();
    });
    return next;
  };
}
