import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { bodyHash, signRequestToken } from '../../../src/broker/request-token.js';
import { makeSigningKey } from '../../support/token-builder.js';

describe('request tokens', () => {
  it('hash the raw body as base64url SHA-256, the empty body included', () => {
    expect(bodyHash('')).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
    expect(bodyHash('{"a":1}')).toBe(bodyHash(Buffer.from('{"a":1}')));
  });

  it('carry iss, aud, a 30 s life, a unique jti and the request binding, signed with the kid', async () => {
    const key = await makeSigningKey('ES256');
    const nowMs = Date.parse('2030-01-01T12:00:00.900Z');
    const request = { method: 'DELETE', pathAndQuery: '/v1/grants/g-1', body: '' };
    const [a, b] = await Promise.all([signRequestToken(key, request, nowMs), signRequestToken(key, request, nowMs)]);
    const { payload, protectedHeader } = await jwtVerify(a, createLocalJWKSet(key.jwks), {
      currentDate: new Date(nowMs),
    });
    const iat = Date.parse('2030-01-01T12:00:00Z') / 1000;
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: key.kid, typ: 'JWT' });
    expect(payload).toEqual({
      iss: 'jumpgate',
      aud: 'jumpgate-broker',
      iat,
      exp: iat + 30,
      jti: payload.jti,
      htm: 'DELETE',
      htu: '/v1/grants/g-1',
      bsh: bodyHash(''),
    });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    const other = await jwtVerify(b, createLocalJWKSet(key.jwks), { currentDate: new Date(nowMs) });
    expect(other.payload.jti).not.toBe(payload.jti);
  });
});
