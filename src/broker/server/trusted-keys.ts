import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { JumpgateError } from '../../domain/errors.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

const FIX =
  "set it to the bot's JWKS URL (https://<bot>/.well-known/jwks.json) or to the bot's public JWK or JWKS as JSON";

/**
 * The bot's public keys: a JWKS URL is fetched (and refetched when an unknown kid shows up, at
 * most every 30 s); an inline JWKS is used as given. A private key is refused: it would mean the
 * bot's signing secret was copied onto a bastion.
 */
export function trustedKeyResolver(trusted: JSONWebKeySet | string, variable = 'trustedKeys'): JWTVerifyGetKey {
  if (typeof trusted === 'string') {
    return createRemoteJWKSet(parseUrl(trusted, variable), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    });
  }
  if (!Array.isArray(trusted.keys) || trusted.keys.length === 0) {
    throw new JumpgateError('config_invalid', `${variable} has no keys: ${FIX}`, { details: { variable } });
  }
  for (const key of trusted.keys) {
    if (PRIVATE_MEMBERS.some((member) => member in key)) {
      throw new JumpgateError(
        'config_invalid',
        `${variable} holds a PRIVATE key; give the broker only the public JWKS: ${FIX}`,
        {
          details: { variable },
        },
      );
    }
  }
  return createLocalJWKSet(trusted);
}

/** Reads BROKER_TRUSTED_KEYS: a JWKS URL, a JWKS, or a single JWK (JSON). */
export function parseTrustedKeysSetting(
  text: string | undefined,
  variable = 'BROKER_TRUSTED_KEYS',
): JSONWebKeySet | string {
  const value = text?.trim() ?? '';
  if (value === '')
    throw new JumpgateError('config_invalid', `${variable} is not set: ${FIX}`, { details: { variable } });
  if (/^https?:\/\//i.test(value)) return parseUrl(value, variable).toString();
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new JumpgateError('config_invalid', `${variable} is neither a URL nor JSON: ${FIX}`, {
      details: { variable },
    });
  }
  if (typeof json === 'object' && json !== null && Array.isArray((json as JSONWebKeySet).keys))
    return json as JSONWebKeySet;
  if (typeof json === 'object' && json !== null && typeof (json as JWK).kty === 'string') return { keys: [json] };
  throw new JumpgateError('config_invalid', `${variable} is JSON but neither a JWK nor a JWKS: ${FIX}`, {
    details: { variable },
  });
}

function parseUrl(text: string, variable: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // Falls through to the message below.
  }
  if (url?.protocol === 'https:') return url;
  if (url?.protocol === 'http:') {
    if (isLoopback(url.hostname)) return url;
    // Whoever can change these keys in transit can sign grant calls the broker will obey.
    throw new JumpgateError(
      'config_invalid',
      `${variable} is an http:// URL on ${url.hostname}, which anyone on the way could answer with their own keys: ` +
        'use https:// (http:// is accepted only on loopback: 127.0.0.0/8, ::1, localhost)',
      { details: { variable } },
    );
  }
  throw new JumpgateError('config_invalid', `${variable} is not a valid http(s) URL: ${FIX}`, {
    details: { variable },
  });
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
