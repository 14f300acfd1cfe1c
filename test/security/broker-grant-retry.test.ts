import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../src/broker/client.js';
import { type RunningBroker, startBrokerServer } from '../../src/broker/server/broker-server.js';
import type { SigningKey } from '../../src/broker/signing-key.js';
import { JumpgateError } from '../../src/domain/errors.js';
import type { Broker, GrantRequest } from '../../src/service/ports/broker.js';
import { grantRequest, userKey } from '../integration/broker/harness.js';
import { makeSigningKey } from '../support/token-builder.js';

/**
 * The bot reads the requester's name and email from Slack again on each attempt. A retry after a
 * crash must get the certificate already issued, not a 409 that fails the request and makes
 * reconciliation revoke the certificate the person holds; a different key or principals under
 * the same id must still be refused.
 */
let dir: string;
let broker: RunningBroker;
let client: Broker;
let alice: string;
let mallory: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-grant-retry-'));
  const key: SigningKey = await makeSigningKey();
  broker = await startBrokerServer({ dataDir: path.join(dir, 'broker'), trustedKeys: key.jwks });
  client = createBrokerClient({ baseUrl: broker.url, signingKey: key, retries: 0 });
  [alice, mallory] = await Promise.all([userKey(dir, 'alice'), userKey(dir, 'mallory')]);
});

afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

async function conflict(request: GrantRequest): Promise<unknown> {
  const error = await client.grant(request).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(JumpgateError);
  return (error as JumpgateError).details;
}

describe('a retried grant', () => {
  it("whose subject's display name changed gets the same certificate, not 409", async () => {
    const first = grantRequest(alice, {
      id: 'g-retry',
      subject: { type: 'user', id: 'U0ALICE', name: 'Alice', email: 'alice@example.com', sshPublicKey: alice },
    });
    const issued = await client.grant(first);
    const retried = await client.grant({
      ...first,
      subject: { ...first.subject, name: 'Alice Liddell (on call)', email: 'a.liddell@example.com' },
      reason: `${first.reason} `,
    });
    expect(retried).toEqual(issued);
  });

  it('with a different key or principals under the same id still gets 409', async () => {
    const first = grantRequest(alice, { id: 'g-fixed' });
    await client.grant(first);
    expect(await conflict({ ...first, subject: { ...first.subject, sshPublicKey: mallory } })).toEqual({
      status: 409,
      code: 'conflict',
    });
    expect(await conflict({ ...first, target: { ...first.target, principals: ['root'] } })).toEqual({
      status: 409,
      code: 'conflict',
    });
    expect(
      await conflict({ ...first, notAfter: new Date(Date.parse(first.notAfter) + 3_600_000).toISOString() }),
    ).toEqual({ status: 409, code: 'conflict' });
  });
});
