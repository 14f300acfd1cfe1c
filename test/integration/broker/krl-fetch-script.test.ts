import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../../src/broker/client.js';
import { type RunningBroker, startBrokerServer } from '../../../src/broker/server/broker-server.js';
import { makeSigningKey } from '../../support/token-builder.js';
import { grantRequest, isRevoked, userKey } from './harness.js';

/** deploy/systemd/jumpgate-krl-fetch, the script the bastion timer runs, with real curl against a real broker. */
const run = promisify(execFile);
const SCRIPT = path.resolve('deploy/systemd/jumpgate-krl-fetch');
let dir: string;
let broker: RunningBroker;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-krl-fetch-'));
  await run('curl', ['--version']).catch((error: unknown) => {
    throw new Error('this test runs the bastion KRL script, which needs curl: "apt-get install curl"', {
      cause: error,
    });
  });
});

afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the bastion KRL fetch script', () => {
  it('installs the KRL, leaves it alone while unchanged (304), installs the next one after a revocation, and names the bastion', async () => {
    const key = await makeSigningKey();
    broker = await startBrokerServer({ dataDir: path.join(dir, 'broker'), trustedKeys: key.jwks });
    const client = createBrokerClient({ baseUrl: broker.url, signingKey: key, retries: 0 });
    const issued = await client.grant(grantRequest(await userKey(dir, 'alice')));
    const dest = path.join(dir, 'etc-ssh', 'revoked.krl');
    await mkdir(path.dirname(dest));
    const env = {
      ...process.env,
      JUMPGATE_URL: broker.url,
      KRL_FILE: dest,
      STATE_DIRECTORY: path.join(dir, 'state'),
      BASTION_NAME: 'bastion-7',
    };
    const fetchKrl = () => run('sh', [SCRIPT], { env });

    await fetchKrl();
    expect(await isRevoked(dest, issued.credential.certificate)).toBe(false);
    const installed = await stat(dest);
    expect(installed.mode & 0o777).toBe(0o644);
    await fetchKrl();
    expect((await stat(dest)).ino).toBe(installed.ino);

    await client.revoke('g-1');
    await fetchKrl();
    expect(await isRevoked(dest, issued.credential.certificate)).toBe(true);
    expect(await readFile(dest)).toEqual(await readFile(path.join(dir, 'broker', 'revoked.krl')));
    expect(broker.krlStatus()).toMatchObject({ revokedSinceFetch: 0, clients: 1 });
  });

  it('keeps the installed KRL when the broker cannot be reached', async () => {
    const dest = path.join(dir, 'etc-ssh', 'revoked.krl');
    const before = await readFile(dest);
    const env = {
      ...process.env,
      JUMPGATE_URL: 'http://127.0.0.1:9',
      KRL_FILE: dest,
      STATE_DIRECTORY: path.join(dir, 'state'),
    };
    await expect(run('sh', [SCRIPT], { env })).rejects.toThrow();
    expect(await readFile(dest)).toEqual(before);
  });
});
