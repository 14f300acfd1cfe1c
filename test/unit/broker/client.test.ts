import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BOT_BROKER_TIMING, type BrokerClientOptions, createBrokerClient } from '../../../src/broker/client.js';
import type { SigningKey } from '../../../src/broker/signing-key.js';
import { isJumpgateError, JumpgateError } from '../../../src/domain/errors.js';
import type { GrantRequest } from '../../../src/service/ports/broker.js';
import { freePort } from '../../../src/store/local-redis.js';
import { hang, json, type Reply, startScriptedServer } from '../../support/scripted-server.js';
import { makeSigningKey, sha256 } from '../../support/token-builder.js';

let key: SigningKey;
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  key = await makeSigningKey();
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const grantRequest: GrantRequest = {
  id: 'g-1',
  requestId: 'r-1',
  kind: 'standard',
  subject: { type: 'user', id: 'U1', sshPublicKey: 'ssh-ed25519 AAAA laptop' },
  target: { name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] },
  notAfter: '2030-01-01T12:30:00.000Z',
  reason: 'fix replication INC-42',
};

const issued = {
  id: 'g-1',
  status: 'active',
  notBefore: '2030-01-01T11:59:00.000Z',
  notAfter: '2030-01-01T12:30:00.000Z',
  credential: {
    type: 'ssh-certificate',
    certificate: 'ssh-ed25519-cert-v01@openssh.com AAAA',
    serial: '7',
    principals: ['dbadmin'],
  },
};

const NOW = Date.parse('2030-01-01T12:00:00Z');

async function setup(replies: Reply[], options: Partial<BrokerClientOptions> = {}) {
  const server = await startScriptedServer(replies);
  servers.push(server);
  const sleeps: number[] = [];
  const client = createBrokerClient({
    baseUrl: server.url,
    signingKey: key,
    now: () => NOW,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    ...options,
  });
  return { client, server, sleeps };
}

async function failure(promise: Promise<unknown>): Promise<JumpgateError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof JumpgateError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

describe('broker client retries', () => {
  it('retries a 5xx and returns the one grant the broker then issues, with a fresh token per attempt', async () => {
    const { client, server, sleeps } = await setup([
      json(503, { error: { code: 'busy', message: 'later' } }),
      json(201, issued),
    ]);
    await expect(client.grant(grantRequest)).resolves.toEqual(issued);
    expect(server.received).toHaveLength(2);
    const [first, second] = server.received.map((call) => decodeJwt(call.authorization!.replace('Bearer ', '')));
    expect(first!.jti).not.toBe(second!.jti);
    expect(server.received[0]!.body).toBe(server.received[1]!.body);
    // 200 ms doubled per retry, half of it jittered: random 0.5 → 150 ms.
    expect(sleeps).toEqual([150]);
  });

  it('does not retry a 4xx and reports the broker code and message as broker_rejected', async () => {
    const refusal = { error: { code: 'invalid_ssh_key', message: 'DSA keys are refused' } };
    const { client, server, sleeps } = await setup([json(400, refusal), json(201, issued)]);
    const error = await failure(client.grant(grantRequest));
    expect(error.code).toBe('broker_rejected');
    expect(error.message).toBe('DSA keys are refused');
    expect(error.details).toEqual({ status: 400, code: 'invalid_ssh_key' });
    expect(server.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('describes a 4xx without a JSON error by its status', async () => {
    const { client } = await setup([json(403, 'forbidden')]);
    const error = await failure(client.listActive());
    expect([error.code, error.message, error.details]).toEqual([
      'broker_rejected',
      'the broker refused the call (HTTP 403)',
      { status: 403, code: 'unknown' },
    ]);
  });

  it('retries an attempt that times out', async () => {
    // A real wait: the attempt must be cut by the client's own 150 ms AbortSignal timeout.
    const { client, server } = await setup([hang, json(201, issued)], { timeoutMs: 150 });
    await expect(client.grant(grantRequest)).resolves.toMatchObject({ id: 'g-1' });
    expect(server.received).toHaveLength(2);
  });

  it('says how long it waited when every attempt timed out', async () => {
    // A real wait: two attempts of 100 ms each, cut by the client's own timeout.
    const { client, server } = await setup([hang], { timeoutMs: 100, retries: 1 });
    const error = await failure(client.listActive());
    expect(error.message).toBe('the access broker did not answer (tried 2 times)');
    expect(error.details).toEqual({
      attempts: 2,
      baseUrl: server.url,
      call: 'GET /v1/grants?status=active',
      failure: 'no answer within 100 ms',
    });
    expect(server.received).toHaveLength(2);
  });

  it('gives up after the retries with broker_unavailable, backing off exponentially', async () => {
    const { client, server, sleeps } = await setup([json(500, { error: { code: 'internal', message: 'disk full' } })], {
      random: () => 1,
    });
    const error = await failure(client.revoke('g-1'));
    expect(error.code).toBe('broker_unavailable');
    expect(error.message).toBe('the access broker did not answer (tried 4 times)');
    expect(error.details).toMatchObject({
      baseUrl: server.url,
      call: 'DELETE /v1/grants/g-1',
      failure: 'HTTP 500: disk full',
    });
    expect(server.received).toHaveLength(4);
    expect(sleeps).toEqual([200, 400, 800]);
  });

  it('treats a broker nobody listens on as unavailable, keeping the network error as the cause', async () => {
    const port = await freePort();
    const client = createBrokerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      signingKey: key,
      retries: 1,
      sleep: () => Promise.resolve(),
    });
    const error = await failure(client.listActive());
    expect(error.code).toBe('broker_unavailable');
    expect(error.message).toBe('the access broker did not answer (tried 2 times)');
    expect(error.details.failure).toMatch(/^fetch failed: .*ECONNREFUSED/);
    expect(error.details.baseUrl).toBe(`http://127.0.0.1:${port}`);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('broker client answers', () => {
  it('maps a 404 on revoke to not_found, without retrying', async () => {
    const { client, server } = await setup([
      json(404, { error: { code: 'not_found', message: 'the broker has no grant g-9' } }),
    ]);
    const error = await failure(client.revoke('g-9'));
    expect([error.code, error.message, error.details]).toEqual([
      'not_found',
      'the broker has no grant g-9',
      { status: 404, code: 'not_found' },
    ]);
    expect(server.received).toHaveLength(1);
  });

  it('refuses a malformed success as broker_unavailable, without retrying', async () => {
    const { client, server } = await setup([
      json(201, { ...issued, credential: { ...issued.credential, serial: 'seven' } }),
    ]);
    const error = await failure(client.grant(grantRequest));
    expect(error.code).toBe('broker_unavailable');
    expect(error.message).toBe('the access broker sent an answer Jumpgate does not understand');
    expect(error.details).toEqual({
      baseUrl: server.url,
      call: '/v1/grants',
      malformed: 'credential.serial: expected a decimal serial',
    });
    expect(server.received).toHaveLength(1);
    expect(
      isJumpgateError(await failure((await setup([json(200, 'not json')])).client.listActive()), 'broker_unavailable'),
    ).toBe(true);
  });

  it('refuses an answer about another grant', async () => {
    const { client } = await setup([json(200, { ...issued, id: 'g-2' })]);
    expect((await failure(client.grant(grantRequest))).details.malformed).toMatch(/it answered for grant g-2, not g-1/);
  });

  it('normalizes a numeric serial to decimal text and keeps only the port fields of active grants', async () => {
    const { client } = await setup([
      json(200, {
        grants: [
          {
            id: 'g-1',
            requestId: 'r-1',
            notAfter: issued.notAfter,
            serial: 42,
            principals: ['dbadmin'],
            kind: 'standard',
          },
        ],
      }),
    ]);
    expect(await client.listActive()).toEqual([
      { id: 'g-1', requestId: 'r-1', notAfter: issued.notAfter, serial: '42' },
    ]);
  });

  it('revokes with DELETE on the url-encoded id and returns the revocation', async () => {
    const revoked = { id: 'g 1', status: 'revoked', revokedAt: '2030-01-01T12:10:00.000Z' };
    const { client, server } = await setup([json(200, revoked)]);
    expect(await client.revoke('g 1')).toEqual(revoked);
    expect(server.received[0]).toMatchObject({ method: 'DELETE', url: '/v1/grants/g%201', body: '' });
  });
});

describe('broker client tokens', () => {
  it('binds each token to the request as sent: htm, htu with the query, bsh of the raw body, 30 s life', async () => {
    const { client, server } = await setup([json(201, issued), json(200, { grants: [] })]);
    await client.grant(grantRequest);
    await client.listActive();
    const [post, list] = server.received;
    const verified = await jwtVerify(post!.authorization!.replace('Bearer ', ''), createLocalJWKSet(key.jwks), {
      currentDate: new Date(NOW),
    });
    expect(verified.protectedHeader).toMatchObject({ alg: 'EdDSA', kid: key.kid });
    expect(verified.payload).toMatchObject({
      iss: 'jumpgate',
      aud: 'jumpgate-broker',
      iat: NOW / 1000,
      exp: NOW / 1000 + 30,
      htm: 'POST',
      htu: '/v1/grants',
      bsh: sha256(post!.body),
    });
    expect(verified.payload.jti).toEqual(expect.any(String));
    expect(post!.contentType).toBe('application/json');
    expect(JSON.parse(post!.body)).toEqual(grantRequest);

    const listClaims = decodeJwt(list!.authorization!.replace('Bearer ', ''));
    expect(listClaims).toMatchObject({ htm: 'GET', htu: '/v1/grants?status=active', bsh: sha256('') });
    expect(decodeProtectedHeader(list!.authorization!.replace('Bearer ', '')).kid).toBe(key.kid);
  });

  it('signs the path prefix of a base URL as part of htu', async () => {
    const server = await startScriptedServer([json(200, { grants: [] })]);
    servers.push(server);
    const prefixed = createBrokerClient({ baseUrl: `${server.url}/broker/`, signingKey: key, retries: 0 });
    await prefixed.listActive();
    expect(server.received[0]!.url).toBe('/broker/v1/grants?status=active');
    expect(decodeJwt(server.received[0]!.authorization!.replace('Bearer ', '')).htu).toBe(
      '/broker/v1/grants?status=active',
    );
  });
});

describe('broker client timing: short tries for grants and revocations, a longer one for the list', () => {
  it('the bot’s grant or revocation try ends within ~3 s when the broker is frozen, so tries ≤ 5 s apart hold', () => {
    const { timeoutMs, retries, backoffMs } = BOT_BROKER_TIMING;
    // Each attempt times out; the backoffs before retries are at most backoffMs doubling.
    const worst = timeoutMs * (retries + 1) + backoffMs * (2 ** retries - 1);
    expect(worst).toBeLessThanOrEqual(3_300);
  });

  it('gives grant and revoke their own timeout and retries, and the list of active grants its own', async () => {
    // Real waits: the attempts must be cut by the client's own AbortSignal timeouts.
    const timing = { timeoutMs: 100, retries: 1, listTimeoutMs: 250, listRetries: 2 };
    const { client, server } = await setup([hang], timing);
    const granting = await failure(client.grant(grantRequest));
    expect(granting.details).toMatchObject({ attempts: 2, failure: 'no answer within 100 ms' });
    const revoking = await failure(client.revoke('g-1'));
    expect(revoking.details).toMatchObject({ attempts: 2, failure: 'no answer within 100 ms' });
    const listing = await failure(client.listActive());
    expect(listing.details).toMatchObject({ attempts: 3, failure: 'no answer within 250 ms' });
    expect(server.received).toHaveLength(7);
  });
});
