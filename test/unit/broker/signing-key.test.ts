import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSigningKey, SIGNING_KEY_FILE, type SigningKey } from '../../../src/broker/signing-key.js';
import { isJumpgateError } from '../../../src/domain/errors.js';

let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'jumpgate-signing-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function configError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isJumpgateError(error, 'config_invalid')) return error.message;
    throw error;
  }
  throw new Error('the key was accepted');
}

/** Proves the private key and the published JWKS belong together. */
async function signsForItsJwks(key: SigningKey): Promise<void> {
  const token = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
  await expect(jwtVerify(token, createLocalJWKSet(key.jwks))).resolves.toBeDefined();
}

const ENV_FIX =
  'set JUMPGATE_SIGNING_KEY to a private JWK (JSON) of an Ed25519 (kty OKP, crv Ed25519) or P-256 (kty EC, crv P-256) key, or unset it to have one generated';

describe('loadSigningKey without JUMPGATE_SIGNING_KEY', () => {
  it('generates an Ed25519 key once, keeps it 0600 under dataDir and reuses it on the next start', async () => {
    const first = await loadSigningKey({ dataDir });
    expect(first).toMatchObject({ alg: 'EdDSA', source: 'generated' });
    const file = path.join(dataDir, SIGNING_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const second = await loadSigningKey({ dataDir });
    expect(second).toMatchObject({ alg: 'EdDSA', source: 'file', kid: first.kid });
    await signsForItsJwks(second);
  });

  it('agrees on one key when two processes start at once', async () => {
    const [a, b] = await Promise.all([loadSigningKey({ dataDir }), loadSigningKey({ dataDir })]);
    expect(a.kid).toBe(b.kid);
  });

  it('publishes only the public half: kid = RFC 7638 thumbprint, alg, use sig, no d', async () => {
    const key = await loadSigningKey({ dataDir });
    const [jwk] = key.jwks.keys;
    expect(Object.keys(jwk!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: key.kid, alg: 'EdDSA', use: 'sig' });
    expect(key.kid).toBe(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk!.x! }, 'sha256'));
    const stored = JSON.parse(await readFile(path.join(dataDir, SIGNING_KEY_FILE), 'utf8')) as { d?: string };
    expect(JSON.stringify(key.jwks)).not.toContain(stored.d);
  });

  it('refuses a damaged key file, naming it and how to fix it', async () => {
    await writeFile(path.join(dataDir, SIGNING_KEY_FILE), '{"kty":"OKP"', { mode: 0o600 });
    expect(await configError(loadSigningKey({ dataDir }))).toBe(
      `${path.join(dataDir, SIGNING_KEY_FILE)} is not valid JSON: delete it to have a new key generated (an external broker must then trust the new JWKS), or set JUMPGATE_SIGNING_KEY`,
    );
  });
});

describe('loadSigningKey from JUMPGATE_SIGNING_KEY', () => {
  it('takes an Ed25519 JWK as EdDSA and a P-256 JWK as ES256, ignoring the kid it carries', async () => {
    for (const [alg, kty] of [
      ['EdDSA', 'OKP'],
      ['ES256', 'EC'],
    ] as const) {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = { ...(await exportJWK(privateKey)), kid: 'my-own-kid' };
      const key = await loadSigningKey({ jwkJson: JSON.stringify(jwk), dataDir });
      expect(key).toMatchObject({ alg, source: 'env' });
      expect(key.jwks.keys[0]).toMatchObject({ kty, alg, use: 'sig' });
      expect(key.kid).not.toBe('my-own-kid');
      await signsForItsJwks(key);
    }
  });

  it('refuses RSA, P-384 and a public-only JWK, naming JUMPGATE_SIGNING_KEY and the fix', async () => {
    const rsa = await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey);
    const p384 = await exportJWK((await generateKeyPair('ES384', { extractable: true })).privateKey);
    const ed = await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).privateKey);
    const publicOnly = { kty: ed.kty, crv: ed.crv, x: ed.x };
    const expected = `JUMPGATE_SIGNING_KEY is not a private Ed25519 or P-256 JWK: ${ENV_FIX}`;
    expect(await configError(loadSigningKey({ jwkJson: JSON.stringify(rsa), dataDir }))).toBe(expected);
    expect(await configError(loadSigningKey({ jwkJson: JSON.stringify(p384), dataDir }))).toBe(expected);
    expect(await configError(loadSigningKey({ jwkJson: JSON.stringify(publicOnly), dataDir }))).toBe(expected);
  });

  it('refuses text that is not a JWK without quoting it back', async () => {
    const message = await configError(loadSigningKey({ jwkJson: 'secret-ish{', dataDir }));
    expect(message).toBe(`JUMPGATE_SIGNING_KEY is not valid JSON: ${ENV_FIX}`);
    expect(await configError(loadSigningKey({ jwkJson: '[1,2]', dataDir }))).toBe(
      `JUMPGATE_SIGNING_KEY is not a JWK object: ${ENV_FIX}`,
    );
  });

  it('refuses a key whose numbers do not form a key', async () => {
    const ed = await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).privateKey);
    expect(
      await configError(loadSigningKey({ jwkJson: JSON.stringify({ ...ed, x: 'AAAA', d: 'AAAA' }), dataDir })),
    ).toBe(`JUMPGATE_SIGNING_KEY holds a damaged key: ${ENV_FIX}`);
  });

  it('refuses a JWK whose private part belongs to another key', async () => {
    const a = await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).privateKey);
    const b = await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).privateKey);
    expect(await configError(loadSigningKey({ jwkJson: JSON.stringify({ ...a, d: b.d }), dataDir }))).toBe(
      `JUMPGATE_SIGNING_KEY holds a damaged key: ${ENV_FIX}`,
    );
  });
});
