import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** A connection to the run's redis-server and a key prefix no other test file uses. */
export function testRedis(label: string): { redis: Redis; prefix: string; url: string; close(): Promise<void> } {
  const url = inject('redisUrl');
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  const prefix = `t-${label}-${randomBytes(4).toString('hex')}`;
  return {
    redis,
    prefix,
    url,
    async close() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}
