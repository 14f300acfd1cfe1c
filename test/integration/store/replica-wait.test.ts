import { afterAll, describe, expect, it } from 'vitest';
import { createReplicaWait } from '../../../src/store/replica-wait.js';
import { testRedis } from '../../support/redis.js';

/**
 * REDIS_WAIT_REPLICAS against the run's real redis-server, which has no replica: WAIT gives up
 * after its timeout, so the degraded path (warn once, stop waiting for a while) is what runs.
 * The Sentinel test (test/integration/ha) covers a replica that does acknowledge.
 */
const { redis, close } = testRedis('replica-wait');
afterAll(close);

async function waitCalls(): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

describe('createReplicaWait', () => {
  it('sends one WAIT for the writes of one tick, warns once when no replica answers, then stops waiting for 5 s', async () => {
    let now = 1_000_000;
    const short: number[] = [];
    const replicated = createReplicaWait({
      redis,
      replicas: 1,
      timeoutMs: 150,
      now: () => now,
      onShort: (acknowledged) => short.push(acknowledged),
    });
    const before = await waitCalls();
    const started = performance.now();
    await Promise.all(Array.from({ length: 20 }, () => replicated()));
    const waited = performance.now() - started;
    expect(await waitCalls()).toBe(before + 1);
    expect(waited).toBeGreaterThanOrEqual(140); // WAIT's own timeout: nobody acknowledged
    expect(short).toEqual([0]);

    // Degraded: writes are not held up while there is no replica.
    now += 4_000;
    await replicated();
    expect(await waitCalls()).toBe(before + 1);
    expect(short).toEqual([0]);

    // After 5 s it asks again (a replica may be back), and warns again when there is none.
    now += 1_500;
    await replicated();
    expect(await waitCalls()).toBe(before + 2);
    expect(short).toEqual([0, 0]);
  });

  it('with 0 replicas wanted resolves at once: WAIT 0 is always met', async () => {
    const short: number[] = [];
    const replicated = createReplicaWait({
      redis,
      replicas: 0,
      timeoutMs: 5_000,
      now: Date.now,
      onShort: (n) => short.push(n),
    });
    const started = performance.now();
    await replicated();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(short).toEqual([]);
  });
});
