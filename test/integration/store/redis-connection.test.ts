import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../src/store/local-redis.js';
import { connectRedis } from '../../../src/store/redis-connection.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('connectRedis with REDIS_URL unset', () => {
  it('uses the server on the default port when one answers', async () => {
    const url = new URL(inject('redisUrl'));
    const connection = await connectRedis({ dataDir: '/nonexistent', logger, defaultPort: Number(url.port) });
    expect(connection.description).toBe(`redis://127.0.0.1:${url.port} (REDIS_URL unset; found running)`);
    expect(await connection.redis.ping()).toBe('PONG');
    await connection.close();
  });

  it('otherwise starts a local redis-server under DATA_DIR whose data survives a restart (AOF)', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'jumpgate-local-redis-'));
    dirs.push(dataDir);
    const nobody = await freePort(); // nothing listens there

    const first = await connectRedis({ dataDir, logger, defaultPort: nobody });
    expect(first.description).toBe(`a local redis-server (data in ${path.join(dataDir, 'redis')})`);
    await first.redis.set('jumpgate:probe', 'kept');

    // While it runs, another local tool (npm run audit) finds it through its socket.
    const second = await connectRedis({ dataDir, logger, defaultPort: nobody });
    expect(second.description).toBe(`the local redis-server at ${path.join(dataDir, 'redis', 'redis.sock')}`);
    await second.close();
    await first.close();

    const restarted = await connectRedis({ dataDir, logger, defaultPort: nobody });
    expect(await restarted.redis.get('jumpgate:probe')).toBe('kept');
    await restarted.close();
  });
});
