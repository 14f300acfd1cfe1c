import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../../src/broker/client.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../../src/broker/embedded.js';
import { loadSigningKey } from '../../../src/broker/signing-key.js';
import { grantRequest, userKey } from './harness.js';

/** What `npm start` does without BROKER_URL: its own key, an in-process broker, the same signed client. */
let dataDir: string;
let embedded: EmbeddedBroker;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'jumpgate-embedded-'));
});

afterAll(async () => {
  await embedded.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the embedded broker', () => {
  it('listens on loopback, keeps its state under <dataDir>/broker and grants through the signed client', async () => {
    const key = await loadSigningKey({ dataDir });
    embedded = await startEmbeddedBroker({ dataDir, jwks: key.jwks });
    expect(embedded.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = createBrokerClient({ baseUrl: embedded.url, signingKey: key });
    const issued = await client.grant(grantRequest(await userKey(dataDir, 'alice')));
    expect(issued).toMatchObject({ id: 'g-1', status: 'active', credential: { serial: '1' } });
    expect((await stat(path.join(dataDir, 'broker', 'ca'))).isFile()).toBe(true);
    expect((await stat(path.join(dataDir, 'broker', 'revoked.krl'))).isFile()).toBe(true);
    expect(await client.revoke('g-1')).toMatchObject({ status: 'revoked' });
  });
});
