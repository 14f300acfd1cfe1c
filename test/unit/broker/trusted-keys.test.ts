import { describe, expect, it } from 'vitest';
import { parseTrustedKeysSetting, trustedKeyResolver } from '../../../src/broker/server/trusted-keys.js';
import { isJumpgateError } from '../../../src/domain/errors.js';

const FIX =
  "set it to the bot's JWKS URL (https://<bot>/.well-known/jwks.json) or to the bot's public JWK or JWKS as JSON";
const JWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1' };

function configError(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isJumpgateError(error, 'config_invalid')) return error.message;
    throw error;
  }
  throw new Error('accepted');
}

describe('BROKER_TRUSTED_KEYS', () => {
  it('takes a JWKS URL, a JWKS, or a single JWK', () => {
    expect(parseTrustedKeysSetting(' https://bot.example/.well-known/jwks.json ')).toBe(
      'https://bot.example/.well-known/jwks.json',
    );
    expect(parseTrustedKeysSetting(JSON.stringify({ keys: [JWK] }))).toEqual({ keys: [JWK] });
    expect(parseTrustedKeysSetting(JSON.stringify(JWK))).toEqual({ keys: [JWK] });
  });

  it('stops with one line naming the variable and the fix when missing or malformed', () => {
    expect(configError(() => parseTrustedKeysSetting(undefined))).toBe(`BROKER_TRUSTED_KEYS is not set: ${FIX}`);
    expect(configError(() => parseTrustedKeysSetting('bot.example'))).toBe(
      `BROKER_TRUSTED_KEYS is neither a URL nor JSON: ${FIX}`,
    );
    expect(configError(() => parseTrustedKeysSetting('{"hello":1}'))).toBe(
      `BROKER_TRUSTED_KEYS is JSON but neither a JWK nor a JWKS: ${FIX}`,
    );
    expect(configError(() => parseTrustedKeysSetting('https://'))).toBe(
      `BROKER_TRUSTED_KEYS is not a valid http(s) URL: ${FIX}`,
    );
  });

  it('refuses a private key, which has no business on a bastion, and an empty key set', () => {
    expect(configError(() => trustedKeyResolver({ keys: [{ ...JWK, d: 'secret' }] }, 'BROKER_TRUSTED_KEYS'))).toBe(
      `BROKER_TRUSTED_KEYS holds a PRIVATE key; give the broker only the public JWKS: ${FIX}`,
    );
    expect(configError(() => trustedKeyResolver({ keys: [] }, 'BROKER_TRUSTED_KEYS'))).toBe(
      `BROKER_TRUSTED_KEYS has no keys: ${FIX}`,
    );
  });
});
