import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/store/local-redis.js';
import { makeSigningKey } from '../../support/token-builder.js';

/** `npm run broker` as a person runs it: environment in, one-line errors or a clean start and stop. */
const CLI = path.resolve('src/broker/server/cli.ts');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-broker-cli-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function startCli(env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('BROKER_') && name !== 'DATA_DIR'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', CLI], {
    env: { ...clean, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

/** Polls: the child needs a moment to compile and start, and nothing else tells us when it is up. */
async function waitForHealth(url: string, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(`${url}/healthz`);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('npm run broker', () => {
  it('stops with one line naming BROKER_TRUSTED_KEYS and the fix when it is missing', async () => {
    const cli = startCli({});
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toBe(
      "BROKER_TRUSTED_KEYS is not set: set it to the bot's JWKS URL (https://<bot>/.well-known/jwks.json) or to the bot's public JWK or JWKS as JSON\n",
    );
  });

  it('stops with one line when BROKER_PORT is not a port', async () => {
    const cli = startCli({ BROKER_TRUSTED_KEYS: 'https://bot.example/.well-known/jwks.json', BROKER_PORT: 'eighty' });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toBe('BROKER_PORT must be a port number from 1 to 65535 (got "eighty")\n');
  });

  it('serves on BROKER_PORT with its state under DATA_DIR and the KRL at BROKER_KRL_FILE, and exits 0 on SIGTERM', async () => {
    const key = await makeSigningKey();
    const port = await freePort();
    const dataDir = path.join(dir, 'data');
    const krlFile = path.join(dir, 'sshd', 'revoked.krl');
    const cli = startCli({
      BROKER_TRUSTED_KEYS: JSON.stringify(key.jwks),
      BROKER_PORT: String(port),
      DATA_DIR: dataDir,
      BROKER_KRL_FILE: krlFile,
    });
    try {
      const health = await waitForHealth(`http://127.0.0.1:${port}`);
      expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
      expect((await stat(path.join(dataDir, 'ca'))).isFile()).toBe(true);
      expect((await stat(krlFile)).isFile()).toBe(true);
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toBe('');
  });
});
