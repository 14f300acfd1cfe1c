import { spawn } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';
import { freePort, REDIS_SETTINGS } from '../../src/store/local-redis.js';
import { type Cleanup, stopChild } from './cleanup.js';

export interface BenchRedis {
  readonly url: string;
  /** A connection of the harness's own (INFO, key clean-up); the bot and writers open theirs. */
  readonly client: Redis;
  /** INFO memory's used_memory, in bytes. */
  usedMemory(): Promise<number>;
}

const START_TIMEOUT_MS = 10_000;

/**
 * The bench's own redis-server on a free loopback port, as the test run starts one (no
 * persistence: what is measured is Jumpgate's work, not the disk), stopped by `cleanup`.
 */
export async function startBenchRedis(dir: string, cleanup: Cleanup): Promise<BenchRedis> {
  const port = await freePort();
  // Jumpgate's own settings (REDIS_SETTINGS), as the bot's own redis-server runs and the README recommends.
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    ...REDIS_SETTINGS,
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  cleanup.child(child);
  cleanup.add('redis-server', () => stopChild(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`redis-server could not start (apt-get install redis-server): ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${String(code)}: ${stderr.trim()}`)));
  });
  failed.catch(() => undefined);

  const url = `redis://127.0.0.1:${port}`;
  await Promise.race([listening(port), failed]);
  const client = new Redis(url, { maxRetriesPerRequest: null });
  cleanup.add('redis connection', () => client.quit());
  await client.ping();
  return {
    url,
    client,
    async usedMemory() {
      const info = await client.info('memory');
      const match = /^used_memory:(\d+)/m.exec(info);
      if (!match) throw new Error('INFO memory has no used_memory');
      return Number(match[1]);
    },
  };
}

/** Resolves once something accepts connections on the port (polling: redis-server takes a moment). */
async function listening(port: number): Promise<void> {
  for (const deadline = Date.now() + START_TIMEOUT_MS; Date.now() < deadline; ) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server did not listen on port ${port} within ${START_TIMEOUT_MS} ms`);
}
