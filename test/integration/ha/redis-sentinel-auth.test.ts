import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { connectRedis } from '../../../src/store/redis-connection.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { type Cleanup, createCleanup } from '../../bench/cleanup.js';
import { accessRequest, auditEntry } from '../../support/builders.js';
import { type SentinelSet, startSentinelSet } from '../../support/redis-ha.js';

/**
 * Passwords on a real Sentinel set: the data nodes' (`requirepass`, `masterauth`) and the
 * sentinels' own, read from the environment both ways (the variables and the URL), reaching the
 * store's connection and BullMQ's.
 */
const DATA_PASSWORD = `data-${randomBytes(4).toString('hex')}`;
const SENTINEL_PASSWORD = `sentinel-${randomBytes(4).toString('hex')}`;
const prefix = `t-sentinel-auth-${randomBytes(4).toString('hex')}`;
const logger = pino({ level: 'silent' });

let dir: string;
let cleanup: Cleanup;
let set: SentinelSet;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-sentinel-auth-'));
  cleanup = createCleanup(() => undefined);
  set = await startSentinelSet(path.join(dir, 'redis'), cleanup, {
    password: DATA_PASSWORD,
    sentinelPassword: SENTINEL_PASSWORD,
  });
}, 60_000);

afterAll(async () => {
  await cleanup?.run();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sentinels = () => set.sentinels.map(({ port }) => `127.0.0.1:${port}`).join(',');

describe('Redis Sentinel with passwords', () => {
  it('REDIS_PASSWORD and REDIS_SENTINEL_PASSWORD reach the store and BullMQ', async () => {
    const config = loadConfig({
      REDIS_SENTINELS: sentinels(),
      REDIS_SENTINEL_NAME: set.name,
      REDIS_PASSWORD: DATA_PASSWORD,
      REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
      JUMPGATE_PREFIX: prefix,
    });
    const connection = await connectRedis({ topology: config.redisTopology, dataDir: dir, logger });
    const queue = new Queue('auth-check', { connection: connection.connectionOptions, prefix });
    const done = new Promise<string>((resolve) => {
      const worker = new Worker<{ hello: string }>('auth-check', async (job) => resolve(job.data.hello), {
        connection: connection.connectionOptions,
        prefix,
      });
      cleanup.add('the worker', () => worker.close());
    });
    try {
      const store = createRedisStore({ redis: connection.redis, prefix, now: Date.now });
      const request = accessRequest({ id: `req_${randomBytes(6).toString('hex')}` });
      await store.create(request, auditEntry({ requestId: request.id }));
      expect((await store.get(request.id))?.id).toBe(request.id);
      await store.close();
      await queue.add('check', { hello: 'through the sentinels' });
      expect(await done).toBe('through the sentinels');
    } finally {
      await queue.close();
      await connection.close();
    }
  });

  it('a redis+sentinel:// URL carries both passwords', async () => {
    const config = loadConfig({
      REDIS_URL: `redis+sentinel://:${DATA_PASSWORD}@${sentinels()}/${set.name}?sentinelPassword=${SENTINEL_PASSWORD}`,
      JUMPGATE_PREFIX: prefix,
    });
    const connection = await connectRedis({ topology: config.redisTopology, dataDir: dir, logger });
    try {
      expect(await connection.redis.ping()).toBe('PONG');
      expect(connection.description).toBe(`master "${set.name}" of the sentinels ${sentinels()}`);
    } finally {
      await connection.close();
    }
  });
});
