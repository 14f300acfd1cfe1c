import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { JumpgateError } from '../domain/errors.js';

/**
 * A `redis-server` child process: what `npm start` uses when REDIS_URL is unset (on a unix
 * socket only), and what the test run uses (on a free loopback port) so it needs nothing running first.
 */
export interface LocalRedis {
  /** `redis://127.0.0.1:<port>`, or `unix://<socket>` when it listens on a socket only. */
  readonly url: string;
  /** 0 when it listens on no TCP port. */
  readonly port: number;
  stop(): Promise<void>;
}

export interface LocalRedisOptions {
  /** Working directory for the server's files (created if missing). */
  readonly dir: string;
  /** Keep data in an append-only file under `dir` (the bot does; tests do not). */
  readonly persist: boolean;
  /** 0 (default) picks a free port; ignored with `unixSocket`. */
  readonly port?: number;
  /**
   * Listen on this unix socket and on no TCP port: a TCP port on loopback is open to every local
   * user, a socket is open to those the permissions of its folder let in.
   */
  readonly unixSocket?: string;
  readonly binary?: string;
  readonly startTimeoutMs?: number;
  /** More settings, after Jumpgate's own (so they win): tests start servers configured otherwise. */
  readonly extraArgs?: readonly string[];
}

/**
 * Settings Jumpgate's own redis-server runs with, and the README recommends for a Redis of your
 * own: nothing evicted behind Jumpgate's back; a 20 ms server tick (BullMQ's delayed jobs, so
 * revocations, wake on it; the default 100 ms shows as revocation lag); and hashes of up to 2 KB
 * values kept compact (a request record and a waiting job each fit), which halves what an active
 * grant costs in memory.
 */
export const REDIS_SETTINGS = [
  '--maxmemory-policy',
  'noeviction',
  '--hz',
  '50',
  '--hash-max-listpack-value',
  '2048',
] as const;

export const REDIS_INSTALL_HINT =
  'install it with "apt-get install redis-server" (Debian/Ubuntu) or "brew install redis" (macOS), or set REDIS_URL';

export async function startLocalRedis(options: LocalRedisOptions): Promise<LocalRedis> {
  await mkdir(options.dir, { recursive: true });
  const socket = options.unixSocket;
  const port = socket ? 0 : options.port && options.port > 0 ? options.port : await freePort();
  const address: net.NetConnectOpts = socket ? { path: socket } : { port, host: '127.0.0.1' };
  const args = [
    '--port',
    String(port),
    ...(socket ? ['--unixsocket', socket, '--unixsocketperm', '700'] : ['--bind', '127.0.0.1']),
    '--dir',
    options.dir,
    '--save',
    '',
    '--appendonly',
    options.persist ? 'yes' : 'no',
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    ...REDIS_SETTINGS,
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(options.binary ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));

  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    const onError = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new JumpgateError('dependency_missing', `redis-server was not found: ${REDIS_INSTALL_HINT}`, {
              cause: error,
            })
          : error,
      );
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${String(code)} before it was ready: ${output.trim()}`));
    };
    child.once('error', onError);
    child.once('exit', onExit);
    let timer: NodeJS.Timeout;
    const poll = () => {
      void ping(address).then((ok) => {
        if (ok) {
          child.off('error', onError);
          child.off('exit', onExit);
          resolve();
        } else if (Date.now() > deadline) {
          child.kill('SIGKILL');
          reject(new Error(`redis-server did not answer on ${socket ?? `port ${port}`} in time: ${output.trim()}`));
        } else {
          timer = setTimeout(poll, 25);
        }
      });
    };
    timer = setTimeout(poll, 10);
  });

  return { url: socket ? `unix://${socket}` : `redis://127.0.0.1:${port}`, port, stop: () => stopChild(child) };
}

/** True when a Redis server (with no password) answers PING at the address (a TCP port or a unix socket). */
export function ping(address: net.NetConnectOpts, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
