import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../../src/broker/client.js';
import { type RunningBroker, startBrokerServer } from '../../../src/broker/server/broker-server.js';
import type { SigningKey } from '../../../src/broker/signing-key.js';
import { makeSigningKey, makeToken } from '../../support/token-builder.js';
import { grantRequest, isRevoked, rawCall, userKey } from './harness.js';

/** The broker's state lives on disk: a restart changes nothing a bastion or the bot can see. */
let dir: string;
let key: SigningKey;
let alice: string;
let offsetMs = 0;
const now = () => Date.now() + offsetMs;
const open: RunningBroker[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-broker-restart-'));
  key = await makeSigningKey();
  alice = await userKey(dir, 'alice');
});

afterAll(async () => {
  await Promise.all(open.map((broker) => broker.close()));
  await rm(dir, { recursive: true, force: true });
});

async function start(krlPath: string) {
  const broker = await startBrokerServer({ dataDir: path.join(dir, 'broker'), trustedKeys: key.jwks, now, krlPath });
  open.push(broker);
  return { broker, client: createBrokerClient({ baseUrl: broker.url, signingKey: key, now, retries: 0 }) };
}

describe('after a restart the broker', () => {
  it('keeps its CA, its grants, its serial counter and its KRL, and refuses tokens from before it started', async () => {
    const krlPath = path.join(dir, 'sshd', 'revoked.krl');
    const first = await start(krlPath);
    const keptRequest = grantRequest(alice, { id: 'g-kept' }, now());
    const kept = await first.client.grant(keptRequest);
    const ended = await first.client.grant(grantRequest(alice, { id: 'g-ended' }, now()));
    await first.client.revoke('g-ended');
    const caBefore = await readFile(path.join(dir, 'broker', 'ca.pub'), 'utf8');
    const oldToken = await makeToken(key, { method: 'GET', url: '/v1/grants?status=active', nowMs: now() });
    await first.broker.close();
    // sshd must never be left without a KRL, and the broker must rebuild it from its state.
    await rm(krlPath);
    offsetMs += 10_000;

    const second = await start(krlPath);
    expect(await readFile(path.join(dir, 'broker', 'ca.pub'), 'utf8')).toBe(caBefore);
    expect(await second.client.grant(keptRequest)).toEqual(kept);
    expect(await isRevoked(krlPath, ended.credential.certificate)).toBe(true);
    expect(await isRevoked(krlPath, kept.credential.certificate)).toBe(false);
    expect((await second.client.revoke('g-ended')).status).toBe('revoked');
    const next = await second.client.grant(grantRequest(alice, { id: 'g-new' }, now()));
    // Serials are reserved 100 at a time: a restart continues after the reserved block, so no
    // serial issued before it (1 and 2) can ever come again.
    expect(next.credential.serial).toBe('101');
    expect((await second.client.listActive()).map((grant) => grant.id).sort()).toEqual(['g-kept', 'g-new']);

    const replay = await rawCall(second.broker.url, 'GET', '/v1/grants?status=active', { token: oldToken });
    expect([replay.status, replay.json()]).toEqual([
      401,
      {
        error: {
          code: 'issued_before_start',
          message: 'the token was issued before the broker started; sign a new one',
        },
      },
    ]);
  });
});
