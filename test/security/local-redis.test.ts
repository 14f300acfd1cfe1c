import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { freePort, ping } from '../../src/store/local-redis.js';
import { connectRedis } from '../../src/store/redis-connection.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jg-sec-'));
  dirs.push(dir);
  return dir;
}

/** Every TCP connection this process opens while `work` runs (unix sockets are not TCP). */
async function tcpConnectionsDuring<T>(work: () => Promise<T>): Promise<{ result: T; tcp: string[] }> {
  const tcp: string[] = [];
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    const options = Array.isArray(first) ? (first[0] as unknown) : first;
    if (typeof options === 'number') tcp.push(`port ${options}`);
    else if (typeof options === 'object' && options !== null && 'port' in options)
      tcp.push(`port ${String(options.port)}`);
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  try {
    return { result: await work(), tcp };
  } finally {
    net.Socket.prototype.connect = original;
  }
}

describe('the Redis the bot uses when REDIS_URL is unset', () => {
  it('with REDIS_URL unset the bot never adopts a Redis answering on 127.0.0.1', async () => {
    // The attacker's server: the run's redis-server on loopback, holding a forged record.
    const decoy = new Redis(inject('redisUrl'));
    stops.push(() => decoy.quit());
    const marker = `jumpgate:forged:${process.pid}`;
    await decoy.set(marker, 'HSET from a local user');

    const dir = await dataDir();
    const { result: connection, tcp } = await tcpConnectionsDuring(() => connectRedis({ dataDir: dir, logger }));
    stops.push(() => connection.close());
    expect(tcp).toEqual([]); // no probe of 6379 or of any other TCP port
    expect(connection.connectionOptions).toEqual({ path: path.join(dir, 'redis', 'redis.sock') });
    expect(await connection.redis.get(marker)).toBeNull();
    expect(await connection.redis.config('GET', 'port')).toEqual(['port', '0']);
    await decoy.del(marker);
  });

  it("the bot's own redis-server listens on no TCP port and its socket folder is 0700", async () => {
    const dir = await dataDir();
    const connection = await connectRedis({ dataDir: dir, logger });
    stops.push(() => connection.close());
    expect(await connection.redis.config('GET', 'port')).toEqual(['port', '0']);
    const folder = await stat(path.join(dir, 'redis'));
    expect(folder.mode & 0o777).toBe(0o700);
    const socket = await stat(path.join(dir, 'redis', 'redis.sock'));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o077).toBe(0);
  });

  it('a folder left readable by others is made 0700 before the server starts', async () => {
    const dir = await dataDir();
    await mkdir(path.join(dir, 'redis'), { mode: 0o755 });
    const connection = await connectRedis({ dataDir: dir, logger });
    stops.push(() => connection.close());
    expect((await stat(path.join(dir, 'redis'))).mode & 0o777).toBe(0o700);
  });
});

describe('REDIS_URL with a password', () => {
  it('the store and BullMQ both connect with the password from the URL', async () => {
    const dir = await dataDir();
    const port = await freePort();
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--requirepass',
        's3cr:t@pw',
      ],
      {
        stdio: 'ignore',
      },
    );
    stops.push(
      () =>
        new Promise((resolve) =>
          server.exitCode === null ? (server.once('exit', resolve), server.kill('SIGTERM')) : resolve(undefined),
        ),
    );
    for (let i = 0; i < 200; i++) {
      const probe = net.connect({ port, host: '127.0.0.1' });
      const up = await new Promise<boolean>((resolve) => {
        probe.once('connect', () => resolve(true));
        probe.once('error', () => resolve(false));
      });
      probe.destroy();
      if (up) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }

    const url = `redis://:${encodeURIComponent('s3cr:t@pw')}@127.0.0.1:${port}/2`;
    const connection = await connectRedis({ url, dataDir: dir, logger });
    stops.push(() => connection.close());
    expect(connection.description).not.toContain('s3cr');
    await connection.redis.set('jg:probe', 'db2');
    expect(await connection.redis.ping()).toBe('PONG');

    const queue = new Queue('jg-password-probe', { connection: connection.connectionOptions });
    stops.push(() => queue.close());
    await queue.add('probe', { ok: true });
    expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });

    // Without the password the server answers -NOAUTH: the test proves the password was used.
    expect(await ping({ port, host: '127.0.0.1' })).toBe(false);
  });
});
