import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../../src/broker/client.js';
import { type RunningBroker, startBrokerServer } from '../../../src/broker/server/broker-server.js';
import type { SigningKey } from '../../../src/broker/signing-key.js';
import { JumpgateError } from '../../../src/domain/errors.js';
import { json, startScriptedServer } from '../../support/scripted-server.js';
import { makeSigningKey } from '../../support/token-builder.js';
import { grantRequest, userKey } from './harness.js';

/** A standalone broker trusts the keys the bot publishes at /.well-known/jwks.json. */
let dir: string;
let bot: SigningKey;
let broker: RunningBroker;
let jwksServer: Awaited<ReturnType<typeof startScriptedServer>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-broker-jwks-'));
  bot = await makeSigningKey('ES256');
  jwksServer = await startScriptedServer([json(200, bot.jwks)]);
  broker = await startBrokerServer({
    dataDir: path.join(dir, 'broker'),
    trustedKeys: `${jwksServer.url}/.well-known/jwks.json`,
  });
});

afterAll(async () => {
  await broker.close();
  await jwksServer.close();
  await rm(dir, { recursive: true, force: true });
});

describe('trusted keys from a JWKS URL', () => {
  it('verifies the bot ES256 tokens with the fetched keys', async () => {
    const client = createBrokerClient({ baseUrl: broker.url, signingKey: bot, retries: 0 });
    await expect(client.grant(grantRequest(await userKey(dir, 'alice')))).resolves.toMatchObject({ status: 'active' });
    expect(jwksServer.received[0]).toMatchObject({ method: 'GET', url: '/.well-known/jwks.json' });
  });

  it('refuses a key the published set does not hold', async () => {
    const stranger = await makeSigningKey();
    const client = createBrokerClient({ baseUrl: broker.url, signingKey: stranger, retries: 0 });
    const error = await client.listActive().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JumpgateError);
    expect((error as JumpgateError).details).toEqual({ status: 401, code: 'unknown_kid' });
  });
});
