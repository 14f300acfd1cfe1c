import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqScheduler } from '../../../src/jobs/bullmq-scheduler.js';
import { type LocalRedis, startLocalRedis } from '../../../src/store/local-redis.js';
import { connectRedis, type RedisConnection } from '../../../src/store/redis-connection.js';
import { redisReadinessCheck } from '../../../src/store/redis-readiness.js';
import { RECONNECT } from '../../../src/store/redis-reconnect.js';

/**
 * The connections as the bot opens them (the store's through connectRedis, BullMQ's with the same
 * options and RECONNECT) through a real outage: the server stopped and started again on its port,
 * with its AOF. Commands issued during the outage wait and go through; none fails.
 */
const OUTAGE_MS = 6_000;
const logFigure = (line: string) => void process.stdout.write(`${line}\n`);
const logger = pino({ level: 'silent' });
let dir: string;
let server: LocalRedis;
let connection: RedisConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-reconnect-'));
  server = await startLocalRedis({ dir, persist: true });
  connection = await connectRedis({ url: server.url, dataDir: dir, logger });
  connection.redis.on('error', () => undefined);
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const settledAt = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ ok: true, at: Date.now() }),
    (error: unknown) => ({ ok: false, at: Date.now(), error: String(error) }),
  );

describe('reconnecting after an outage', () => {
  it(`keeps the store's and BullMQ's commands of a ${OUTAGE_MS} ms outage waiting, and runs them within 1 s of the return`, async () => {
    const prefix = 'reconnect';
    const bullConnection = { ...connection.connectionOptions, ...RECONNECT };
    const scheduler = createBullmqScheduler({
      connection: bullConnection,
      prefix,
      now: Date.now,
      onRedisError: () => undefined,
    });
    const ready = redisReadinessCheck(connection.redis);
    try {
      // Every queue's connection is up before the outage, as in a running bot.
      await scheduler.expireAt('req_before', Date.now() + 60_000);
      await ready();

      const downAt = Date.now();
      await server.stop();
      await expect
        .poll(
          () =>
            ready().then(
              () => 'ready',
              () => 'down',
            ),
          { timeout: 2_000, interval: 20 },
        )
        .toBe('down');
      const unreadyMs = Date.now() - downAt;
      // Issued during the outage: they wait in the offline queues.
      const write = settledAt(connection.redis.set(`${prefix}:probe`, 'kept'));
      const job = settledAt(scheduler.expireAt('req_during', Date.now() + 60_000));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, downAt + OUTAGE_MS - Date.now())));

      server = await startLocalRedis({ dir, persist: true, port: server.port });
      const upAt = Date.now();
      await expect
        .poll(
          () =>
            ready().then(
              () => 'ready',
              () => 'down',
            ),
          { timeout: 3_000, interval: 20 },
        )
        .toBe('ready');
      const readyMs = Date.now() - upAt;
      const [written, added] = await Promise.all([write, job]);
      logFigure(
        `outage ${OUTAGE_MS} ms: readiness down after ${unreadyMs} ms, up ${readyMs} ms after the return; store write ${written.at - upAt} ms, BullMQ add ${added.at - upAt} ms after the return`,
      );
      expect(written).toMatchObject({ ok: true });
      expect(added).toMatchObject({ ok: true });
      expect(written.at - upAt).toBeLessThan(1_500);
      expect(added.at - upAt).toBeLessThan(1_500);
      expect(await connection.redis.get(`${prefix}:probe`)).toBe('kept');
      const queue = new Queue('expire', { connection: bullConnection, prefix });
      const delayed = (await queue.getDelayed()).map((j) => (j.data as { requestId: string }).requestId).sort();
      await queue.close();
      expect(delayed).toEqual(['req_before', 'req_during']);
    } finally {
      await scheduler.close();
    }
  }, 30_000);
});
