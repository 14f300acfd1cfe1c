import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { JumpgateError } from '../domain/errors.js';
import { ping, startLocalRedis } from './local-redis.js';
import { type RedisOptions, redisOptionsFromUrl } from './redis-options.js';
import { RECONNECT } from './redis-reconnect.js';
import { connectTopology, type QueueConnection, type RedisClient, type RedisTopology } from './redis-topology.js';

export interface RedisConnection {
  /** For the store and anything else that issues commands. */
  readonly redis: RedisClient;
  /**
   * What BullMQ opens its own connections from (password and TLS included): options, or for a
   * Redis Cluster a client of its own (redis-topology.ts).
   */
  readonly connectionOptions: RedisOptions | QueueConnection;
  /** How it was found, for the start-up log (never a password). */
  readonly description: string;
  close(): Promise<void>;
}

/** Where the bot's own redis-server keeps its data and its socket, under DATA_DIR. */
export function localRedisPaths(dataDir: string): { dir: string; socket: string } {
  const dir = path.join(dataDir, 'redis');
  return { dir, socket: path.join(dir, 'redis.sock') };
}

/** A unix socket path longer than this does not fit in sockaddr_un (108 bytes on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 100;

/**
 * REDIS_URL when set. Otherwise Jumpgate's own redis-server, on a unix socket only, in a 0700
 * folder under DATA_DIR: the one of an earlier start when it still answers there (that is how
 * `npm run audit` finds the bot's), else a new one with its data (AOF) in that folder, stopped
 * again by close(). Never whatever answers on 127.0.0.1:6379: any local user can start a server
 * there, and the bot would take its records (and the grants they ask for) as its own.
 */
export async function connectRedis(options: {
  url?: string;
  /** Sentinel or Cluster (config.ts): then `url` is unset. */
  topology?: RedisTopology;
  dataDir: string;
  logger: Logger;
}): Promise<RedisConnection> {
  if (options.topology)
    return connectTopology(options.topology, (fields, message) => options.logger.warn(fields, message));
  if (options.url) return open(redisOptionsFromUrl(options.url), `${redactedUrl(options.url)} (REDIS_URL)`);

  const { dir, socket } = localRedisPaths(options.dataDir);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new JumpgateError(
      'config_invalid',
      `DATA_DIR is too long for the local Redis socket ${socket} (use a shorter DATA_DIR, or set REDIS_URL)`,
    );
  }
  await privateFolder(dir);
  if (existsSync(socket) && (await ping({ path: socket })))
    return open({ path: socket }, `the local redis-server at ${socket}`);

  options.logger.info(
    { dir },
    'REDIS_URL is unset: starting a local redis-server on a unix socket, with its data under DATA_DIR',
  );
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

/**
 * The folder the socket and the data live in: created 0700, made 0700 when it exists, refused
 * when it is a link or someone else's (their server there would be adopted as ours).
 */
async function privateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const stat = await lstat(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    throw new JumpgateError(
      'config_invalid',
      `${dir} is not a folder of this user (the local Redis keeps its socket there: remove it, or set DATA_DIR elsewhere)`,
    );
  }
  if ((stat.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}

async function open(connectionOptions: RedisOptions, description: string): Promise<RedisConnection> {
  // maxRetriesPerRequest null: commands wait for a reconnect instead of failing (BullMQ needs it too).
  // Auto-pipelining: the commands of many concurrent handlers issued in one tick go out in one
  // write (one syscall), which is most of a command's CPU under a burst.
  const redis = new Redis({
    ...connectionOptions,
    ...RECONNECT,
    maxRetriesPerRequest: null,
    lazyConnect: true,
    enableAutoPipelining: true,
  });
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

function redactedUrl(value: string): string {
  const url = new URL(value);
  if (url.password) url.password = '***';
  return url.toString();
}
