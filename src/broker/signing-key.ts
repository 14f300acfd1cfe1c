import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { JumpgateError } from '../domain/errors.js';
import { readIfExists } from './server/atomic-file.js';

/** The key the bot signs broker calls with; the broker trusts its public half (the JWKS). */
export interface SigningKey {
  readonly privateKey: CryptoKey;
  readonly alg: SigningAlg;
  /** RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  /** What the bot serves at /.well-known/jwks.json. */
  readonly jwks: JSONWebKeySet;
  /** Where the key came from, for the start-up log. */
  readonly source: 'env' | 'generated' | 'file';
}

export type SigningAlg = 'EdDSA' | 'ES256';

export interface LoadSigningKeyOptions {
  /** JUMPGATE_SIGNING_KEY: a private JWK as JSON. */
  readonly jwkJson?: string;
  /** Where a generated key is kept when jwkJson is unset. */
  readonly dataDir: string;
}

export const SIGNING_KEY_FILE = 'signing-key.jwk.json';

const ENV_FIX =
  'set JUMPGATE_SIGNING_KEY to a private JWK (JSON) of an Ed25519 (kty OKP, crv Ed25519) or P-256 (kty EC, crv P-256) key, or unset it to have one generated';
const FILE_FIX =
  'delete it to have a new key generated (an external broker must then trust the new JWKS), or set JUMPGATE_SIGNING_KEY';

/** Names where a key came from and how a person fixes it, for config_invalid messages. */
interface Origin {
  readonly name: string;
  readonly fix: string;
}

/**
 * From JUMPGATE_SIGNING_KEY when set; otherwise an Ed25519 key generated once and kept at
 * `<dataDir>/signing-key.jwk.json` (0600), so the broker keeps trusting the bot across restarts.
 */
export async function loadSigningKey(options: LoadSigningKeyOptions): Promise<SigningKey> {
  if (options.jwkJson !== undefined && options.jwkJson.trim() !== '') {
    const env = { name: 'JUMPGATE_SIGNING_KEY', fix: ENV_FIX };
    return fromJwk(parseJwk(options.jwkJson, env), 'env', env);
  }
  const file = path.join(options.dataDir, SIGNING_KEY_FILE);
  const origin = { name: file, fix: FILE_FIX };
  const existing = await readIfExists(file);
  if (existing !== undefined) return fromJwk(parseJwk(existing, origin), 'file', origin);

  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  const created = await createOnce(file, `${JSON.stringify(jwk)}\n`);
  // Another process may have created the file first; its key is the one to use.
  if (!created) return fromJwk(parseJwk(await readFile(file, 'utf8'), origin), 'file', origin);
  return fromJwk(jwk, 'generated', origin);
}

async function fromJwk(jwk: JWK, source: SigningKey['source'], origin: Origin): Promise<SigningKey> {
  const alg = algOf(jwk);
  if (alg === undefined || typeof jwk.d !== 'string') {
    throw invalid(origin, 'is not a private Ed25519 or P-256 JWK', undefined, { kty: jwk.kty, crv: jwk.crv });
  }
  const publicJwk: JWK =
    jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: 'OKP', crv: jwk.crv, x: jwk.x };
  let privateKey: CryptoKey;
  let kid: string;
  try {
    privateKey = (await importJWK({ ...publicJwk, d: jwk.d }, alg)) as CryptoKey;
    // A JWK whose d and x/y come from different keys imports fine but signs tokens nobody can verify.
    const probe = await new SignJWT({}).setProtectedHeader({ alg }).sign(privateKey);
    await jwtVerify(probe, await importJWK(publicJwk, alg));
    kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  } catch (cause) {
    throw invalid(origin, 'holds a damaged key', cause);
  }
  return { privateKey, alg, kid, source, jwks: { keys: [{ ...publicJwk, kid, alg, use: 'sig' }] } };
}

function algOf(jwk: JWK): SigningAlg | undefined {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  return undefined;
}

function parseJwk(json: string, origin: Origin): JWK {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    // The SyntaxError quotes part of the input, which may be key material: it is not kept.
    throw invalid(origin, 'is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(origin, 'is not a JWK object');
  return value;
}

/** Never quotes the key material itself: the message reaches logs and terminals. */
function invalid(origin: Origin, what: string, cause?: unknown, extra: Record<string, unknown> = {}): JumpgateError {
  return new JumpgateError('config_invalid', `${origin.name} ${what}: ${origin.fix}`, {
    cause,
    details: { variable: 'JUMPGATE_SIGNING_KEY', ...extra },
  });
}

/**
 * Writes a private temp file (0600, fsynced), then hard-links it into place: link() never
 * replaces an existing file, so two processes starting at once agree on one key. False when the
 * file already existed.
 */
async function createOnce(file: string, content: string): Promise<boolean> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomUUID()}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(tmp);
  }
}
