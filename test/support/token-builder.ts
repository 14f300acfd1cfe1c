import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { base64url, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { loadSigningKey, type SigningKey } from '../../src/broker/signing-key.js';

/** Hand-made broker tokens, good or deliberately wrong, for the verifier and the server's 401s. */

export async function makeSigningKey(alg: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-key-'));
  try {
    return await loadSigningKey({ jwkJson: JSON.stringify(await exportJWK(privateKey)), dataDir: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface TokenSpec {
  readonly method: string;
  readonly url: string;
  readonly body?: string;
  readonly nowMs: number;
  /** Claims replaced (or added) after the defaults. */
  readonly claims?: Record<string, unknown>;
  /** Claims removed from the defaults. */
  readonly omit?: readonly string[];
  readonly header?: Record<string, unknown>;
}

export function sha256(body: string): string {
  return createHash('sha256').update(body).digest('base64url');
}

function claimsFor(spec: TokenSpec): Record<string, unknown> {
  const iat = Math.floor(spec.nowMs / 1000);
  const claims: Record<string, unknown> = {
    iss: 'jumpgate',
    aud: 'jumpgate-broker',
    iat,
    exp: iat + 30,
    jti: randomUUID(),
    htm: spec.method,
    htu: spec.url,
    bsh: sha256(spec.body ?? ''),
    ...spec.claims,
  };
  for (const name of spec.omit ?? []) delete claims[name];
  return claims;
}

export async function makeToken(key: SigningKey, spec: TokenSpec): Promise<string> {
  return new SignJWT(claimsFor(spec))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...spec.header })
    .sign(key.privateKey);
}

/** `alg: none`: no signature at all. */
export function unsignedToken(key: SigningKey, spec: TokenSpec): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', kid: key.kid, typ: 'JWT' })}.${encode(claimsFor(spec))}.`;
}

/** The classic key-confusion attack: HS256 with the public key (as published) as the HMAC secret. */
export async function hs256WithPublicKey(key: SigningKey, spec: TokenSpec): Promise<string> {
  const publicJwk = key.jwks.keys[0] as JWK;
  const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
  return new SignJWT(claimsFor(spec)).setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'JWT' }).sign(secret);
}
