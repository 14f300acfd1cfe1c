import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../../src/broker/client.js';
import { type RunningBroker, startBrokerServer } from '../../../src/broker/server/broker-server.js';
import type { SessionTerminator } from '../../../src/broker/server/session-terminator.js';
import type { Broker } from '../../../src/service/ports/broker.js';
import { makeSigningKey } from '../../support/token-builder.js';
import { grantRequest, isRevoked, userKey } from './harness.js';

/** On revoke the server asks the session terminator to end live sessions, once sshd already refuses the certificate. */
let dir: string;
let broker: RunningBroker;
let client: Broker;
const calls: { grant: { id: string; serial: string }; revokedInKrl: boolean }[] = [];
let certificate = '';
let fail = false;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-broker-sessions-'));
  const key = await makeSigningKey();
  const krlPath = path.join(dir, 'revoked.krl');
  const sessions: SessionTerminator = {
    async terminate(grant) {
      calls.push({ grant, revokedInKrl: await isRevoked(krlPath, certificate) });
      if (fail) throw new Error('cannot read the sshd log');
      return 1;
    },
  };
  broker = await startBrokerServer({ dataDir: path.join(dir, 'broker'), trustedKeys: key.jwks, krlPath, sessions });
  client = createBrokerClient({ baseUrl: broker.url, signingKey: key, retries: 0 });
});

afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

describe('revoking through the server', () => {
  it('calls the session terminator with the grant id and serial, after the KRL revokes the certificate', async () => {
    const issued = await client.grant(grantRequest(await userKey(dir, 'alice'), { id: 'g-live' }));
    certificate = issued.credential.certificate;
    await client.revoke('g-live');
    expect(calls).toEqual([{ grant: { id: 'g-live', serial: issued.credential.serial }, revokedInKrl: true }]);
  });

  it('still answers 200 when the terminator fails', async () => {
    fail = true;
    const issued = await client.grant(grantRequest(await userKey(dir, 'bob'), { id: 'g-live-2' }));
    certificate = issued.credential.certificate;
    await expect(client.revoke('g-live-2')).resolves.toMatchObject({ id: 'g-live-2', status: 'revoked' });
    expect(calls.at(-1)).toEqual({ grant: { id: 'g-live-2', serial: issued.credential.serial }, revokedInKrl: true });
  });
});
