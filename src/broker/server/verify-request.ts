import { createHash } from 'node:crypto';
import { decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { BrokerHttpError, unauthorized } from './http-error.js';
import type { ReplayCache } from './replay-cache.js';

export const TOKEN_ISSUER = 'jumpgate';
export const TOKEN_AUDIENCE = 'jumpgate-broker';
export const ALLOWED_ALGS = ['EdDSA', 'ES256'] as const;
export const MAX_TOKEN_LIFETIME_S = 60;
export const CLOCK_SKEW_S = 5;

export interface RequestToVerify {
  readonly authorization: string | undefined;
  readonly method: string;
  /** Path and query as received (node's `req.url`). */
  readonly url: string;
  readonly body: Uint8Array;
}

export interface VerifiedToken {
  readonly kid: string;
  readonly jti: string;
}

export interface RequestVerifierDeps {
  /** The bot's public keys (jose createLocalJWKSet / createRemoteJWKSet). */
  readonly keys: JWTVerifyGetKey;
  readonly replay: ReplayCache;
  readonly now: () => number;
  /**
   * When the server started. The replay cache lives in memory, so a token issued before a
   * restart could be replayed after it; such tokens are refused (the client signs afresh).
   */
  readonly startedAtMs: number;
}

/**
 * Checks that a call comes from the bot and is exactly the call the bot signed (the claims are
 * listed in docs/contracts/broker-api.md). Throws a 401 BrokerHttpError whose code names the
 * failed check; 503 when the trusted keys cannot be fetched. The clock is injected, so every check is testable.
 */
export function createRequestVerifier(deps: RequestVerifierDeps): (request: RequestToVerify) => Promise<VerifiedToken> {
  return async (request) => {
    const token = /^Bearer ([^\s]+)$/i.exec(request.authorization ?? '')?.[1];
    if (token === undefined) throw unauthorized('missing_token', 'an Authorization: Bearer <JWT> header is required');
    const header = decodeHeader(token);
    if (!(ALLOWED_ALGS as readonly unknown[]).includes(header.alg)) {
      throw unauthorized(
        'alg_not_allowed',
        `token algorithm ${String(header.alg)} is not allowed (use ${ALLOWED_ALGS.join(' or ')})`,
      );
    }
    if (typeof header.kid !== 'string') throw unauthorized('unknown_kid', 'the token names no key (kid)');

    const nowMs = deps.now();
    const payload = await verifySignatureAndClaims(token, deps.keys, nowMs, header.kid);
    const { iat, exp, jti } = payload as { iat: number; exp: number; jti: unknown };
    const nowS = nowMs / 1000;
    if (typeof jti !== 'string' || jti === '') throw unauthorized('missing_claim', 'the token has no jti');
    if (exp - iat > MAX_TOKEN_LIFETIME_S) {
      throw unauthorized(
        'lifetime_too_long',
        `the token lives ${exp - iat} s; at most ${MAX_TOKEN_LIFETIME_S} s is allowed`,
      );
    }
    if (iat > nowS + CLOCK_SKEW_S)
      throw unauthorized('issued_in_future', 'the token was issued in the future (check the clocks)');
    if (iat * 1000 < deps.startedAtMs - CLOCK_SKEW_S * 1000) {
      throw unauthorized('issued_before_start', 'the token was issued before the broker started; sign a new one');
    }
    checkBinding(payload, request);

    const seen = deps.replay.remember(jti, (exp + CLOCK_SKEW_S) * 1000);
    if (seen === 'replayed') throw unauthorized('replayed', 'this token was already used');
    if (seen === 'full') throw new BrokerHttpError(503, 'busy', 'the broker is handling too many calls; retry shortly');
    return { kid: header.kid, jti };
  };
}

function decodeHeader(token: string): { alg?: unknown; kid?: unknown } {
  try {
    return decodeProtectedHeader(token);
  } catch (cause) {
    throw unauthorized('malformed_token', 'the bearer token is not a JWT', cause);
  }
}

async function verifySignatureAndClaims(
  token: string,
  keys: JWTVerifyGetKey,
  nowMs: number,
  kid: string,
): Promise<Record<string, unknown>> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: [...ALLOWED_ALGS],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['iat', 'exp', 'jti'],
      currentDate: new Date(nowMs),
      clockTolerance: CLOCK_SKEW_S,
    });
    return payload;
  } catch (error) {
    throw refusalFor(error, kid);
  }
}

function refusalFor(error: unknown, kid: string): BrokerHttpError {
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return unauthorized('unknown_kid', `the token is signed with key ${kid}, which the broker does not trust`, error);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return unauthorized('bad_signature', 'the token signature does not verify', error);
  if (error instanceof errors.JOSEAlgNotAllowed)
    return unauthorized('alg_not_allowed', 'the token algorithm is not allowed', error);
  if (error instanceof errors.JWTExpired) return unauthorized('expired', 'the token has expired', error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing')
      return unauthorized('missing_claim', `the token has no ${error.claim} claim`, error);
    if (error.claim === 'iss') return unauthorized('wrong_issuer', `the token issuer must be "${TOKEN_ISSUER}"`, error);
    if (error.claim === 'aud')
      return unauthorized('wrong_audience', `the token audience must be "${TOKEN_AUDIENCE}"`, error);
    if (error.claim === 'nbf') return unauthorized('not_yet_valid', 'the token is not valid yet', error);
    return unauthorized('invalid_claims', `the token ${error.claim} claim is invalid`, error);
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return unauthorized('malformed_token', 'the bearer token is not a valid JWT', error);
  }
  if (error instanceof errors.JWKInvalid)
    return unauthorized('unknown_kid', `trusted key ${kid} cannot verify this token`, error);
  // Only the trusted-key lookup does I/O here (a JWKS URL): the caller is not at fault.
  return new BrokerHttpError(
    503,
    'trusted_keys_unavailable',
    'the broker could not load the trusted keys; retry shortly',
    { cause: error },
  );
}

/** The token must be for this very request: method, path and query, body bytes. */
function checkBinding(payload: Record<string, unknown>, request: RequestToVerify): void {
  if (payload.htm !== request.method) {
    throw unauthorized('request_mismatch', `the token is for method ${String(payload.htm)}, not ${request.method}`);
  }
  if (payload.htu !== request.url)
    throw unauthorized('request_mismatch', `the token is for ${String(payload.htu)}, not ${request.url}`);
  const hash = createHash('sha256').update(request.body).digest('base64url');
  if (payload.bsh !== hash) throw unauthorized('request_mismatch', 'the token does not match the request body');
}
