import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBrokerServer } from '../../../src/broker/server/broker-server.js';
import type { SigningKey } from '../../../src/broker/signing-key.js';
import {
  hs256WithPublicKey,
  makeSigningKey,
  makeToken,
  type TokenSpec,
  unsignedToken,
} from '../../support/token-builder.js';
import { grantRequest, rawCall, userKey } from './harness.js';

/** Every refusal of Broker API v1 authentication, sent raw with hand-made tokens to the real server. */
let dir: string;
let broker: RunningBroker;
let bot: SigningKey;
let stranger: SigningKey;
let body: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-broker-auth-'));
  [bot, stranger] = await Promise.all([makeSigningKey(), makeSigningKey()]);
  broker = await startBrokerServer({ dataDir: path.join(dir, 'broker'), trustedKeys: bot.jwks });
  body = JSON.stringify(grantRequest(await userKey(dir, 'alice')));
});

afterAll(async () => {
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

function spec(overrides: Partial<TokenSpec> = {}): TokenSpec {
  return { method: 'POST', url: '/v1/grants', body, nowMs: Date.now(), ...overrides };
}

async function post(token: string | undefined, sent = body) {
  const response = await rawCall(broker.url, 'POST', '/v1/grants', { ...(token ? { token } : {}), body: sent });
  return { status: response.status, error: (response.json() as { error?: { code: string; message: string } }).error };
}

describe('the broker answers 401 with a code naming the failed check', () => {
  it('accepts a well-made token (the baseline every refusal differs from)', async () => {
    expect((await post(await makeToken(bot, spec()))).status).toBe(201);
  });

  it('no Authorization header: missing_token', async () => {
    expect(await post(undefined)).toEqual({
      status: 401,
      error: { code: 'missing_token', message: 'an Authorization: Bearer <JWT> header is required' },
    });
  });

  it('a token signed by another key under the bot kid: bad_signature', async () => {
    expect(await post(await makeToken(stranger, spec({ header: { kid: bot.kid } })))).toEqual({
      status: 401,
      error: { code: 'bad_signature', message: 'the token signature does not verify' },
    });
  });

  it('alg none: alg_not_allowed', async () => {
    expect(await post(unsignedToken(bot, spec()))).toEqual({
      status: 401,
      error: { code: 'alg_not_allowed', message: 'token algorithm none is not allowed (use EdDSA or ES256)' },
    });
  });

  it('HS256 keyed with the public key: alg_not_allowed', async () => {
    expect(await post(await hs256WithPublicKey(bot, spec()))).toEqual({
      status: 401,
      error: { code: 'alg_not_allowed', message: 'token algorithm HS256 is not allowed (use EdDSA or ES256)' },
    });
  });

  it('a key the broker does not trust: unknown_kid', async () => {
    expect(await post(await makeToken(stranger, spec()))).toEqual({
      status: 401,
      error: {
        code: 'unknown_kid',
        message: `the token is signed with key ${stranger.kid}, which the broker does not trust`,
      },
    });
  });

  it('another audience: wrong_audience; another issuer: wrong_issuer', async () => {
    expect((await post(await makeToken(bot, spec({ claims: { aud: 'some-other-api' } })))).error?.code).toBe(
      'wrong_audience',
    );
    expect((await post(await makeToken(bot, spec({ claims: { iss: 'not-jumpgate' } })))).error?.code).toBe(
      'wrong_issuer',
    );
  });

  it('an expired token: expired', async () => {
    // Issued before the broker started would also be refused; exp in the past is checked first.
    expect(await post(await makeToken(bot, spec({ nowMs: Date.now() - 120_000 })))).toEqual({
      status: 401,
      error: { code: 'expired', message: 'the token has expired' },
    });
  });

  it('a token sent twice: replayed', async () => {
    const other = JSON.stringify({ ...(JSON.parse(body) as object), id: 'g-replay' });
    const token = await makeToken(bot, spec({ body: other }));
    expect((await post(token, other)).status).toBe(201);
    expect(await post(token, other)).toEqual({
      status: 401,
      error: { code: 'replayed', message: 'this token was already used' },
    });
  });

  it('a body other than the one signed: request_mismatch', async () => {
    const tampered = JSON.stringify({ ...(JSON.parse(body) as object), id: 'g-tampered' });
    expect(await post(await makeToken(bot, spec()), tampered)).toEqual({
      status: 401,
      error: { code: 'request_mismatch', message: 'the token does not match the request body' },
    });
  });

  it('a path other than the one signed: request_mismatch', async () => {
    const response = await rawCall(broker.url, 'DELETE', '/v1/grants/g-1', {
      token: await makeToken(bot, spec({ method: 'DELETE', url: '/v1/grants/g-2', body: '' })),
    });
    expect([response.status, response.json()]).toEqual([
      401,
      { error: { code: 'request_mismatch', message: 'the token is for /v1/grants/g-2, not /v1/grants/g-1' } },
    ]);
  });

  it('a method other than the one signed: request_mismatch', async () => {
    const response = await rawCall(broker.url, 'GET', '/v1/grants?status=active', {
      token: await makeToken(bot, spec({ method: 'DELETE', url: '/v1/grants?status=active', body: '' })),
    });
    expect([response.status, response.json()]).toEqual([
      401,
      { error: { code: 'request_mismatch', message: 'the token is for method DELETE, not GET' } },
    ]);
  });

  it('a query other than the one signed: request_mismatch', async () => {
    const response = await rawCall(broker.url, 'GET', '/v1/grants?status=active', {
      token: await makeToken(bot, spec({ method: 'GET', url: '/v1/grants', body: '' })),
    });
    expect([response.status, response.json()]).toEqual([
      401,
      { error: { code: 'request_mismatch', message: 'the token is for /v1/grants, not /v1/grants?status=active' } },
    ]);
  });

  it('a refused call changes nothing: the grant of a forged POST does not exist', async () => {
    const forged = JSON.stringify({ ...(JSON.parse(body) as object), id: 'g-forged' });
    await post(await makeToken(stranger, spec({ body: forged, header: { kid: bot.kid } })), forged);
    const response = await rawCall(broker.url, 'DELETE', '/v1/grants/g-forged', {
      token: await makeToken(bot, spec({ method: 'DELETE', url: '/v1/grants/g-forged', body: '' })),
    });
    expect(response.status).toBe(404);
  });
});
