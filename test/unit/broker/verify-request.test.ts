import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { BrokerHttpError } from '../../../src/broker/server/http-error.js';
import { createReplayCache } from '../../../src/broker/server/replay-cache.js';
import { createRequestVerifier, type RequestToVerify } from '../../../src/broker/server/verify-request.js';
import type { SigningKey } from '../../../src/broker/signing-key.js';
import {
  hs256WithPublicKey,
  makeSigningKey,
  makeToken,
  type TokenSpec,
  unsignedToken,
} from '../../support/token-builder.js';

const START = Date.parse('2030-01-01T12:00:00Z');
const BODY = '{"id":"g-1"}';

let trusted: SigningKey;
let stranger: SigningKey;
let trustedEs256: SigningKey;

beforeAll(async () => {
  [trusted, stranger, trustedEs256] = await Promise.all([makeSigningKey(), makeSigningKey(), makeSigningKey('ES256')]);
});

/** A verifier over a clock the test moves, trusting `trusted` and `trustedEs256`. */
function verifier(options: { maxEntries?: number; keys?: JWTVerifyGetKey } = {}) {
  let nowMs = START;
  const clock = { now: () => nowMs, set: (ms: number) => (nowMs = ms) };
  const keys = options.keys ?? createLocalJWKSet({ keys: [...trusted.jwks.keys, ...trustedEs256.jwks.keys] });
  const replay = createReplayCache({
    now: clock.now,
    ...(options.maxEntries ? { maxEntries: options.maxEntries } : {}),
  });
  const verify = createRequestVerifier({ keys, replay, now: clock.now, startedAtMs: START });
  return { verify, clock };
}

function spec(overrides: Partial<TokenSpec> = {}): TokenSpec {
  return { method: 'POST', url: '/v1/grants', body: BODY, nowMs: START, ...overrides };
}

function request(token: string | undefined, overrides: Partial<RequestToVerify> = {}): RequestToVerify {
  return {
    authorization: token === undefined ? undefined : `Bearer ${token}`,
    method: 'POST',
    url: '/v1/grants',
    body: Buffer.from(BODY),
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BrokerHttpError) return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('verify-request accepts', () => {
  it('a fresh EdDSA token bound to the request, returning its kid and jti', async () => {
    const { verify } = verifier();
    const result = await verify(request(await makeToken(trusted, spec({ claims: { jti: 'jti-1' } }))));
    expect(result).toEqual({ kid: trusted.kid, jti: 'jti-1' });
  });

  it('an ES256 token, a GET with a query and an empty body', async () => {
    const { verify } = verifier();
    const token = await makeToken(trustedEs256, spec({ method: 'GET', url: '/v1/grants?status=active', body: '' }));
    await expect(
      verify(request(token, { method: 'GET', url: '/v1/grants?status=active', body: Buffer.alloc(0) })),
    ).resolves.toMatchObject({
      kid: trustedEs256.kid,
    });
  });

  it('a token whose clock runs up to 5 s ahead of the broker', async () => {
    const { verify } = verifier();
    await expect(verify(request(await makeToken(trusted, spec({ nowMs: START + 5_000 }))))).resolves.toBeDefined();
  });
});

describe('verify-request refuses with 401 and a code naming the check', () => {
  it('no Authorization header, or not a Bearer one: missing_token', async () => {
    const { verify } = verifier();
    expect(await refusal(verify(request(undefined)))).toEqual({
      status: 401,
      code: 'missing_token',
      message: 'an Authorization: Bearer <JWT> header is required',
    });
    expect((await refusal(verify({ ...request(undefined), authorization: 'Basic dXNlcjpwYXNz' }))).code).toBe(
      'missing_token',
    );
  });

  it('a bearer value that is not a JWT: malformed_token', async () => {
    const { verify } = verifier();
    expect(await refusal(verify(request('not-a-jwt')))).toMatchObject({
      code: 'malformed_token',
      message: 'the bearer token is not a JWT',
    });
  });

  it('alg none: alg_not_allowed', async () => {
    const { verify } = verifier();
    expect(await refusal(verify(request(unsignedToken(trusted, spec()))))).toEqual({
      status: 401,
      code: 'alg_not_allowed',
      message: 'token algorithm none is not allowed (use EdDSA or ES256)',
    });
  });

  it('HS256 signed with the public key as the secret: alg_not_allowed', async () => {
    const { verify } = verifier();
    expect(await refusal(verify(request(await hs256WithPublicKey(trusted, spec()))))).toMatchObject({
      code: 'alg_not_allowed',
      message: 'token algorithm HS256 is not allowed (use EdDSA or ES256)',
    });
  });

  it('a kid the broker does not trust, or no kid: unknown_kid', async () => {
    const { verify } = verifier();
    expect(await refusal(verify(request(await makeToken(stranger, spec()))))).toEqual({
      status: 401,
      code: 'unknown_kid',
      message: `the token is signed with key ${stranger.kid}, which the broker does not trust`,
    });
    expect(
      await refusal(verify(request(await makeToken(trusted, spec({ header: { kid: undefined } }))))),
    ).toMatchObject({ code: 'unknown_kid', message: 'the token names no key (kid)' });
  });

  it('a trusted kid on a token signed by another key: bad_signature', async () => {
    const { verify } = verifier();
    const forged = await makeToken(stranger, spec({ header: { kid: trusted.kid } }));
    expect(await refusal(verify(request(forged)))).toEqual({
      status: 401,
      code: 'bad_signature',
      message: 'the token signature does not verify',
    });
  });

  it('another issuer: wrong_issuer; another audience: wrong_audience', async () => {
    const { verify } = verifier();
    expect(
      await refusal(verify(request(await makeToken(trusted, spec({ claims: { iss: 'mallory' } }))))),
    ).toMatchObject({
      code: 'wrong_issuer',
      message: 'the token issuer must be "jumpgate"',
    });
    expect(
      await refusal(verify(request(await makeToken(trusted, spec({ claims: { aud: 'other-service' } }))))),
    ).toMatchObject({
      code: 'wrong_audience',
      message: 'the token audience must be "jumpgate-broker"',
    });
  });

  it('a token past its exp plus 5 s of skew: expired', async () => {
    const { verify, clock } = verifier();
    const token = await makeToken(trusted, spec());
    clock.set(START + 36_000);
    expect(await refusal(verify(request(token)))).toEqual({
      status: 401,
      code: 'expired',
      message: 'the token has expired',
    });
  });

  it('a token meant to live longer than 60 s: lifetime_too_long', async () => {
    const { verify } = verifier();
    const iat = START / 1000;
    const token = await makeToken(trusted, spec({ claims: { exp: iat + 61 } }));
    expect(await refusal(verify(request(token)))).toMatchObject({
      code: 'lifetime_too_long',
      message: 'the token lives 61 s; at most 60 s is allowed',
    });
  });

  it('a token issued more than 5 s in the future: issued_in_future', async () => {
    const { verify } = verifier();
    expect(await refusal(verify(request(await makeToken(trusted, spec({ nowMs: START + 6_000 })))))).toMatchObject({
      code: 'issued_in_future',
    });
  });

  it('a still-valid token issued before the broker started: issued_before_start', async () => {
    const { verify } = verifier();
    const token = await makeToken(trusted, spec({ nowMs: START - 10_000 }));
    expect(await refusal(verify(request(token)))).toEqual({
      status: 401,
      code: 'issued_before_start',
      message: 'the token was issued before the broker started; sign a new one',
    });
  });

  it('no jti, or no exp: missing_claim', async () => {
    const { verify } = verifier();
    expect(await refusal(verify(request(await makeToken(trusted, spec({ omit: ['jti'] })))))).toMatchObject({
      code: 'missing_claim',
      message: 'the token has no jti claim',
    });
    expect(await refusal(verify(request(await makeToken(trusted, spec({ omit: ['exp'] })))))).toMatchObject({
      code: 'missing_claim',
      message: 'the token has no exp claim',
    });
  });

  it('another method, path, query or body: request_mismatch', async () => {
    const { verify } = verifier();
    const token = () => makeToken(trusted, spec());
    expect(await refusal(verify(request(await token(), { method: 'DELETE' })))).toEqual({
      status: 401,
      code: 'request_mismatch',
      message: 'the token is for method POST, not DELETE',
    });
    expect(await refusal(verify(request(await token(), { url: '/v1/grants/g-1' })))).toMatchObject({
      code: 'request_mismatch',
      message: 'the token is for /v1/grants, not /v1/grants/g-1',
    });
    expect(await refusal(verify(request(await token(), { url: '/v1/grants?status=active' })))).toMatchObject({
      code: 'request_mismatch',
    });
    expect(await refusal(verify(request(await token(), { body: Buffer.from('{"id":"g-2"}') })))).toMatchObject({
      code: 'request_mismatch',
      message: 'the token does not match the request body',
    });
  });

  it('the same token twice: replayed, while a fresh token for the same request passes', async () => {
    const { verify } = verifier();
    const token = await makeToken(trusted, spec());
    await verify(request(token));
    expect(await refusal(verify(request(token)))).toEqual({
      status: 401,
      code: 'replayed',
      message: 'this token was already used',
    });
    await expect(verify(request(await makeToken(trusted, spec())))).resolves.toBeDefined();
  });

  it('a refused token does not use up its jti', async () => {
    const { verify } = verifier();
    const claims = { jti: 'retry-me' };
    await refusal(verify(request(await makeToken(trusted, spec({ claims })), { method: 'PUT' })));
    await expect(verify(request(await makeToken(trusted, spec({ claims }))))).resolves.toMatchObject({
      jti: 'retry-me',
    });
  });
});

describe('verify-request under load and outages', () => {
  it('answers 503 busy when the replay cache is full of live tokens', async () => {
    const { verify } = verifier({ maxEntries: 1 });
    await verify(request(await makeToken(trusted, spec())));
    expect(await refusal(verify(request(await makeToken(trusted, spec()))))).toEqual({
      status: 503,
      code: 'busy',
      message: 'the broker is handling too many calls; retry shortly',
    });
  });

  it('answers 503 trusted_keys_unavailable when the key lookup itself fails', async () => {
    const failing: JWTVerifyGetKey = () => Promise.reject(new TypeError('fetch failed'));
    const { verify } = verifier({ keys: failing });
    expect(await refusal(verify(request(await makeToken(trusted, spec()))))).toMatchObject({
      status: 503,
      code: 'trusted_keys_unavailable',
    });
  });
});
