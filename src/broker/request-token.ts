import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { SigningKey } from './signing-key.js';

/** Claims the broker checks (docs/contracts/broker-api.md); the reference broker has its own copy. */
export const TOKEN_ISSUER = 'jumpgate';
export const TOKEN_AUDIENCE = 'jumpgate-broker';
/** Short on purpose: a token is signed for one HTTP attempt and the broker allows at most 60 s. */
export const TOKEN_LIFETIME_S = 30;

export interface RequestToSign {
  readonly method: string;
  /** Path and query exactly as sent, e.g. `/v1/grants?status=active`. */
  readonly pathAndQuery: string;
  /** The raw body bytes as sent ('' when there is none). */
  readonly body: string;
}

/**
 * One token per HTTP attempt, bound to that request: `htm`/`htu` to its method and path,
 * `bsh` to its body, `jti` unique so the broker can refuse a replay.
 */
export async function signRequestToken(
  key: Pick<SigningKey, 'privateKey' | 'alg' | 'kid'>,
  request: RequestToSign,
  nowMs: number,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ htm: request.method, htu: request.pathAndQuery, bsh: bodyHash(request.body) })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_LIFETIME_S)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** base64url(SHA-256(raw body)); the empty body hashes "". */
export function bodyHash(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}
