import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { connectRedis } from '../../../src/store/redis-connection.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('connectRedis', () => {
  it('with REDIS_URL set, uses that server and says which without its password', async () => {
    const connection = await connectRedis({ url: inject('redisUrl'), dataDir: '/nonexistent', logger });
    expect(await connection.redis.ping()).toBe('PONG');
    expect(connection.description).toBe(`${inject('redisUrl')} (REDIS_URL)`);
    await connection.close();
  });

  it('with REDIS_URL unset, starts a local redis-server under DATA_DIR whose data survives a restart (AOF)', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'jg-lr-'));
    dirs.push(dataDir);

    const first = await connectRedis({ dataDir, logger });
    expect(first.description).toBe(`a local redis-server (data in ${path.join(dataDir, 'redis')})`);
    await first.redis.set('jumpgate:probe', 'kept');

    // While it runs, another local tool (npm run audit) finds it through its socket.
    const second = await connectRedis({ dataDir, logger });
    expect(second.description).toBe(`the local redis-server at ${path.join(dataDir, 'redis', 'redis.sock')}`);
    await second.close();
    await first.close();

    const restarted = await connectRedis({ dataDir, logger });
    expect(await restarted.redis.get('jumpgate:probe')).toBe('kept');
    await restarted.close();
  });
});
