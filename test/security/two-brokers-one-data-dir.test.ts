import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../src/broker/embedded.js';
import { type RunningBroker, startBrokerServer } from '../../src/broker/server/broker-server.js';
import { LOCK_FILE } from '../../src/broker/server/data-dir-lock.js';
import { readProcess } from '../../src/broker/server/sshd-processes.js';
import { freePort } from '../../src/store/local-redis.js';
import { makeSigningKey } from '../support/token-builder.js';

/**
 * Two brokers on one DATA_DIR hand out the same serials and each KRL rewrite drops what the
 * other revoked, so a revoked certificate is accepted again. The second one must not start.
 */
const CLI = path.resolve('src/broker/server/cli.ts');

describe('two brokers on one DATA_DIR', () => {
  let dir: string;
  const running: RunningBroker[] = [];
  const start = async (dataDir = path.join(dir, 'broker')) => {
    const broker = await startBrokerServer({ dataDir, trustedKeys: (await makeSigningKey()).jwks });
    running.push(broker);
    return broker;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-two-brokers-'));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((broker) => broker.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('a second broker on the same DATA_DIR refuses to start, saying which process holds it', async () => {
    await start();
    const dataDir = path.join(dir, 'broker');
    await expect(start()).rejects.toThrow(
      `DATA_DIR ${dataDir} is in use by another broker (process ${process.pid}): stop it, or give this broker its own DATA_DIR ` +
        "(two brokers on one folder reuse serials and undo each other's revocations)",
    );
    // The embedded broker goes through the same start.
    await expect(startEmbeddedBroker({ dataDir: dir, jwks: (await makeSigningKey()).jwks })).rejects.toThrow(
      `(process ${process.pid})`,
    );
  });

  it('a standalone broker on a DATA_DIR in use stops with one line naming the holder', async () => {
    await start();
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('BROKER_') && name !== 'DATA_DIR'),
    );
    const env = {
      ...clean,
      LOG_LEVEL: 'warn',
      BROKER_TRUSTED_KEYS: JSON.stringify((await makeSigningKey()).jwks),
      BROKER_PORT: String(await freePort()),
      DATA_DIR: path.join(dir, 'broker'),
    };
    const child = spawn(process.execPath, ['--import', 'tsx', CLI], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // A broker that did start (the attack worked) is stopped after a while, so the test fails rather than hangs.
    const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`^DATA_DIR \\S+ is in use by another broker \\(process ${process.pid}\\): [^\\n]+\\n$`),
    );
  }, 30_000);

  it('a closed broker releases DATA_DIR, and another may start on it', async () => {
    const first = await start();
    await first.close();
    await expect(start()).resolves.toBeDefined();
  });

  it('a crashed broker does not block a restart, even when its pid was given to another process', async () => {
    const dataDir = path.join(dir, 'broker');
    await (await start(dataDir)).close();
    // Left by a broker that died: a pid no process has now.
    const dead = spawn('true');
    await new Promise((resolve) => dead.once('exit', resolve));
    await writeFile(path.join(dataDir, LOCK_FILE), `${dead.pid} 12345\n`);
    await (await start(dataDir)).close();
    // Left by a broker whose pid is now this process's (a restarted container's pid 1): the start time differs.
    const mine = await readProcess('/proc', process.pid);
    await writeFile(path.join(dataDir, LOCK_FILE), `${process.pid} ${Number(mine!.startTime) - 1}\n`);
    await expect(start(dataDir)).resolves.toBeDefined();
    expect(await readFile(path.join(dataDir, LOCK_FILE), 'utf8')).toBe(`${process.pid} ${mine!.startTime}\n`);
  });
});
