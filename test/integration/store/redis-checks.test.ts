import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isJumpgateError } from '../../../src/domain/errors.js';
import { type LocalRedis, startLocalRedis } from '../../../src/store/local-redis.js';
import { checkRedisSettings, NO_PERSISTENCE_WARNING } from '../../../src/store/redis-checks.js';

/**
 * The start-up checks against real servers: one configured as the test run's (no AOF, no RDB),
 * changed with CONFIG SET between cases, and servers that refuse CONFIG (renamed away, as managed
 * Redis services do) or INFO too.
 */
let dir: string;
const servers: LocalRedis[] = [];
const clients: Redis[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-redis-checks-'));
});

afterAll(async () => {
  for (const client of clients) await client.quit().catch(() => client.disconnect());
  for (const server of servers) await server.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function server(name: string, extraArgs: string[] = []): Promise<Redis> {
  const started = await startLocalRedis({ dir: path.join(dir, name), persist: false, extraArgs });
  servers.push(started);
  // ioredis's ready check is an INFO: a server that refuses INFO would never be "ready" to it.
  const client = new Redis(started.url, { enableReadyCheck: !extraArgs.includes('INFO') });
  clients.push(client);
  return client;
}

/** A logger that keeps the messages of its lines. */
function recording() {
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push((JSON.parse(line) as { msg: string }).msg) },
  );
  return { logger, lines };
}

async function refusal(redis: Redis): Promise<unknown> {
  return checkRedisSettings(redis, 'redis://cache.internal:6379', recording().logger).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('the start-up checks of the Redis server', () => {
  it('warns once when nothing is kept on disk, and not once an AOF or RDB save points are on', async () => {
    const redis = await server('plain');
    const none = recording();
    await checkRedisSettings(redis, 'redis://a', none.logger);
    expect(none.lines.filter((line) => line === NO_PERSISTENCE_WARNING)).toHaveLength(1);

    await redis.config('SET', 'save', '3600 1');
    const rdb = recording();
    await checkRedisSettings(redis, 'redis://a', rdb.logger);
    expect(rdb.lines).toEqual([]);

    await redis.config('SET', 'save', '');
    await redis.config('SET', 'appendonly', 'yes');
    const aof = recording();
    await checkRedisSettings(redis, 'redis://a', aof.logger);
    expect(aof.lines).toEqual([]);
  });

  it('refuses every policy but noeviction with redis_evicts and the one line that says how to fix it', async () => {
    const redis = await server('evicting');
    for (const policy of ['allkeys-lru', 'volatile-ttl', 'allkeys-random']) {
      await redis.config('SET', 'maxmemory-policy', policy);
      const error = await refusal(redis);
      expect(isJumpgateError(error, 'redis_evicts')).toBe(true);
      expect((error as Error).message).toBe(
        `Redis at redis://cache.internal:6379 evicts keys (maxmemory-policy ${policy}): set maxmemory-policy noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, and in redis.conf)`,
      );
    }
  });

  it('reads the policy from INFO memory when CONFIG is refused, and then does not guess about RDB', async () => {
    const evicting = await server('managed-lru', [
      '--rename-command',
      'CONFIG',
      '',
      '--maxmemory-policy',
      'allkeys-lru',
    ]);
    expect(isJumpgateError(await refusal(evicting), 'redis_evicts')).toBe(true);

    const managed = await server('managed', ['--rename-command', 'CONFIG', '']);
    const { logger, lines } = recording();
    await checkRedisSettings(managed, 'redis://b', logger);
    // No AOF, and whether it snapshots cannot be read: a managed service often does on its own.
    expect(lines).toEqual([]);
  });

  it('warns and goes on when neither CONFIG nor INFO answers', async () => {
    const redis = await server('locked', ['--rename-command', 'CONFIG', '', '--rename-command', 'INFO', '']);
    const { logger, lines } = recording();
    await checkRedisSettings(redis, 'redis://c', logger);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('could not read the Redis maxmemory-policy');
  });
});
