import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBrokerServer } from '../../../src/broker/server/broker-server.js';
import type { SigningKey } from '../../../src/broker/signing-key.js';
import { capturingLogger } from '../../support/broker-fakes.js';
import { makeSigningKey, makeToken } from '../../support/token-builder.js';
import { grantRequest, rawCall, userKey } from './harness.js';

/** A broker that cannot sign says so (503) instead of crashing or pretending. */
let dir: string;
let key: SigningKey;
let broker: RunningBroker;
const { logger, records } = capturingLogger();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-broker-health-'));
  key = await makeSigningKey();
  broker = await startBrokerServer({
    dataDir: path.join(dir, 'broker'),
    trustedKeys: key.jwks,
    sshKeygen: path.join(dir, 'no-such-ssh-keygen'),
    logger,
  });
});

afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a broker without a working ssh-keygen', () => {
  it('answers /healthz with 503 and a code, and logs the reason at start', async () => {
    const health = await rawCall(broker.url, 'GET', '/healthz');
    expect([health.status, health.json()]).toEqual([
      503,
      { ok: false, error: { code: 'unavailable', message: 'the broker cannot sign; its log has the details' } },
    ]);
    const logged = records.find((record) => record.level === 50);
    expect(logged?.msg).toBe(
      'the broker cannot sign: /healthz answers 503 until this is fixed and the broker restarted',
    );
    expect(JSON.stringify(logged)).toContain(
      `${path.join(dir, 'no-such-ssh-keygen')} was not found: install OpenSSH's ssh-keygen`,
    );
  });

  it('refuses to issue with 503 (after checking the token), and serves no CA key or KRL', async () => {
    const body = JSON.stringify(grantRequest(await userKey(dir, 'alice')));
    const token = await makeToken(key, { method: 'POST', url: '/v1/grants', body, nowMs: Date.now() });
    const response = await rawCall(broker.url, 'POST', '/v1/grants', { token, body });
    expect(response.status).toBe(503);
    expect((response.json() as { error: { code: string } }).error.code).toBe('unavailable');
    expect((await rawCall(broker.url, 'POST', '/v1/grants', { body })).status).toBe(401);
    expect((await rawCall(broker.url, 'GET', '/v1/ca.pub')).status).toBe(503);
    expect((await rawCall(broker.url, 'GET', '/v1/krl')).status).toBe(503);
  });
});
