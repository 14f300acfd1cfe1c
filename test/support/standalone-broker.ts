import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { freePort } from '../../src/store/local-redis.js';
import { type Cleanup, stopChild } from '../bench/cleanup.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const START_TIMEOUT_MS = 30_000;

/**
 * The standalone broker (`npm run broker`'s entry, `src/broker/server/cli.ts`) as a child process
 * a test can freeze (SIGSTOP), kill (SIGKILL) and start again on the same port and data dir, as an
 * operator's broker goes down and comes back.
 */
export interface StandaloneBroker {
  /** `http://127.0.0.1:<port>`, the same across restarts. */
  readonly url: string;
  readonly dataDir: string;
  /** The running process (a new one after each `start`). */
  readonly child: ChildProcess;
  /** SIGKILL, and wait for the exit: connections are refused from then on. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data dir; resolves once GET /healthz answers 200. */
  start(): Promise<void>;
}

/** A signing key for the bot (`JUMPGATE_SIGNING_KEY`) and the JWKS the broker trusts for it. */
export async function botSigningKey(): Promise<{ signingKey: string; jwks: { keys: object[] } }> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  // The bot names its key by the JWK thumbprint; the broker trusts that public key alone.
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    signingKey: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' }),
    jwks: { keys: [{ ...publicJwk, kid, alg: 'EdDSA', use: 'sig' }] },
  };
}

export async function startStandaloneBroker(settings: {
  readonly dataDir: string;
  readonly jwks: { keys: object[] };
  readonly cleanup: Cleanup;
}): Promise<StandaloneBroker> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const started = spawn(process.execPath, ['--import', 'tsx', 'src/broker/server/cli.ts'], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        BROKER_TRUSTED_KEYS: JSON.stringify(settings.jwks),
        BROKER_PORT: String(port),
        DATA_DIR: settings.dataDir,
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    child = started;
    settings.cleanup.child(started);
    settings.cleanup.add('the broker', () => {
      started.kill('SIGCONT');
      return stopChild(started);
    });
    // The broker compiles and starts: poll its health until it answers.
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (
      (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
        (r) => r.status,
        () => 0,
      )) !== 200
    ) {
      if (started.exitCode !== null) throw new Error(`the broker exited during start-up (${started.exitCode})`);
      if (Date.now() > deadline) throw new Error('the broker did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  await start();
  return {
    url,
    dataDir: settings.dataDir,
    get child() {
      if (!child) throw new Error('the broker was never started');
      return child;
    },
    async kill() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    start,
  };
}
