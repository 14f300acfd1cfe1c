import { afterEach, describe, expect, it, vi } from 'vitest';
import { readinessOf, redisReadinessCheck } from '../../../src/store/redis-readiness.js';
import { RECONNECT_DELAY_MS, reconnectDelay } from '../../../src/store/redis-reconnect.js';

afterEach(() => vi.useRealTimers());

/** A connection in a given ioredis state, whose PING answers as told (counted). */
function connection(status: string, ping: () => Promise<string>) {
  const conn = { status, pings: 0, ping: () => (conn.pings++, ping()) };
  return conn;
}

describe('the readiness of Redis', () => {
  it('is ready only in the state "ready": every other one would make a command wait in the offline queue', () => {
    expect(readinessOf('ready')).toEqual({ ok: true });
    for (const status of ['wait', 'connecting', 'connect', 'reconnecting', 'close', 'end']) {
      expect(readinessOf(status)).toEqual({ ok: false, reason: `the Redis connection is ${status}` });
    }
  });

  it('fails at once, sending no PING, while the connection is down', async () => {
    const conn = connection('reconnecting', () => Promise.resolve('PONG'));
    await expect(redisReadinessCheck(conn)()).rejects.toThrow('the Redis connection is reconnecting');
    expect(conn.pings).toBe(0);
  });

  it('passes on a PONG, and fails when the PONG does not come within the timeout (a frozen server)', async () => {
    await expect(redisReadinessCheck(connection('ready', () => Promise.resolve('PONG')))()).resolves.toBeUndefined();
    vi.useFakeTimers();
    const frozen = redisReadinessCheck(
      connection('ready', () => new Promise(() => undefined)),
      500,
    )();
    const outcome = frozen.then(
      () => 'passed',
      (error: Error) => error.message,
    );
    await vi.advanceTimersByTimeAsync(499);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe('Redis did not answer PING within 500 ms');
  });

  it('fails with the PING error when the server answers with one', async () => {
    const check = redisReadinessCheck(connection('ready', () => Promise.reject(new Error('LOADING'))));
    await expect(check()).rejects.toThrow('LOADING');
  });
});

describe('the reconnect delay', () => {
  it('tries again soon and then every RECONNECT_DELAY_MS, forever (never null: never giving up)', () => {
    expect(reconnectDelay(1)).toBeLessThan(RECONNECT_DELAY_MS);
    for (const times of [2, 10, 100, 10_000]) expect(reconnectDelay(times)).toBe(RECONNECT_DELAY_MS);
    expect(RECONNECT_DELAY_MS).toBeLessThanOrEqual(250);
  });
});
