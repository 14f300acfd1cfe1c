import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../src/broker/client.js';
import { type RunningBroker, startBrokerServer } from '../../src/broker/server/broker-server.js';
import { loadSigningKey } from '../../src/broker/signing-key.js';
import type { Broker } from '../../src/service/ports/broker.js';
import { grantRequest } from '../integration/broker/harness.js';
import { type RunningSshd, runSsh, type SshIdentity, startSshd, writeCertificate } from '../support/sshd.js';

/** The broker signs certificates in its own process: a real sshd accepts them for ECDSA and RSA keys too. */
const run = promisify(execFile);

describe('sshd and certificates the broker signs for ECDSA and RSA keys', () => {
  let dir: string;
  let broker: RunningBroker;
  let sshd: RunningSshd;
  let client: Broker;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-e2e-key-types-'));
    const signingKey = await loadSigningKey({ dataDir: path.join(dir, 'bot') });
    const krlPath = path.join(dir, 'bastion', 'revoked.krl');
    broker = await startBrokerServer({ dataDir: path.join(dir, 'broker'), trustedKeys: signingKey.jwks, krlPath });
    client = createBrokerClient({ baseUrl: broker.url, signingKey, retries: 0 });
    const caPublicKey = await fetch(`${broker.url}/v1/ca.pub`).then((response) => response.text());
    sshd = await startSshd({ caPublicKey, krlPath, principals: { root: ['dbadmin'] } });
  });

  afterAll(async () => {
    await sshd?.stop();
    await broker?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const [name, args] of [
    ['ecdsa', ['-t', 'ecdsa', '-b', '384']],
    ['rsa', ['-t', 'rsa', '-b', '3072']],
  ] as const) {
    it(`logs in with a ${name} key's certificate, and not once it is revoked`, async () => {
      const keyFile = path.join(dir, name);
      await run('ssh-keygen', ['-q', ...args, '-N', '', '-C', name, '-f', keyFile]);
      const identity: SshIdentity = {
        keyFile,
        publicKey: (await readFile(`${keyFile}.pub`, 'utf8')).trim(),
        certificateFile: `${keyFile}-cert.pub`,
      };
      const issued = await client.grant(grantRequest(identity.publicKey, { id: `g-${name}`, requestId: `r-${name}` }));
      await writeCertificate(identity, issued.credential.certificate);
      expect(await runSsh(sshd, identity, 'whoami')).toMatchObject({ code: 0, stdout: 'root\n' });
      await client.revoke(`g-${name}`);
      expect((await runSsh(sshd, identity, 'whoami')).code).toBe(255);
    });
  }
});
