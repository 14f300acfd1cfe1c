import { existsSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ping, startLocalRedis } from './local-redis.js';

export interface RedisConnection {
  /** For the store and anything else that issues commands. */
  readonly redis: Redis;
  /** Options BullMQ uses to open its own connections to the same server. */
  readonly connectionOptions: { host?: string; port?: number; path?: string; username?: string; password?: string; db?: number; tls?: object };
  /** How it was found, for the start-up log. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * REDIS_URL when set; otherwise 127.0.0.1:6379 when something answers there; otherwise the
 * local redis-server of an earlier start (its socket under dataDir), or a new one started now
 * with its data (AOF) under dataDir, stopped again by close().
 */
export async function connectRedis(options: { url?: string; dataDir: string; logger: Logger; defaultPort?: number }): Promise<RedisConnection> {
  if (options.url) return open(fromUrl(options.url), 'REDIS_URL');
  const port = options.defaultPort ?? 6379;
  if (await ping(port)) return open({ host: '127.0.0.1', port }, `redis://127.0.0.1:${port} (REDIS_URL unset; found running)`);

  const dir = path.join(options.dataDir, 'redis');
  const socket = path.join(dir, 'redis.sock');
  if (existsSync(socket) && (await pingSocket(socket))) return open({ path: socket }, `the local redis-server at ${socket}`);

  options.logger.info({ dir }, 'REDIS_URL is unset and nothing answers on 127.0.0.1:6379: starting a local redis-server with its data under DATA_DIR');
  const local = await startLocalRedis({ dir, persist: true, unixSocket: socket });
  const connection = await open({ path: socket }, `a local redis-server (data in ${dir})`);
  return {
    ...connection,
    async close() {
      await connection.close();
      await local.stop();
    },
  };
}

function fromUrl(url: string): RedisConnection['connectionOptions'] {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

async function open(connectionOptions: RedisConnection['connectionOptions'], description: string): Promise<RedisConnection> {
  // maxRetriesPerRequest null: commands wait for a reconnect instead of failing (BullMQ needs it too).
  const redis = new Redis({ ...connectionOptions, maxRetriesPerRequest: null, lazyConnect: true });
  await redis.connect();
  return {
    redis,
    connectionOptions,
    description,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function pingSocket(socket: string): Promise<boolean> {
  const probe = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
