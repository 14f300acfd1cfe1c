import { describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from '../../../src/store/redis-options.js';

describe('redisOptionsFromUrl', () => {
  it('passes a password alone (redis://:pw@host) on, percent-decoded', () => {
    expect(redisOptionsFromUrl('redis://:p%40ss%3Aword@redis.internal:6380/3')).toEqual({
      host: 'redis.internal',
      port: 6380,
      password: 'p@ss:word',
      db: 3,
    });
  });

  it('passes a user and a password (redis://user:pw@host) on', () => {
    expect(redisOptionsFromUrl('redis://jumpgate:hunter2@10.0.0.5')).toEqual({
      host: '10.0.0.5',
      port: 6379,
      username: 'jumpgate',
      password: 'hunter2',
    });
  });

  it('turns rediss:// into TLS that checks the server name', () => {
    expect(redisOptionsFromUrl('rediss://default:pw@redis.example.com:6380')).toEqual({
      host: 'redis.example.com',
      port: 6380,
      username: 'default',
      password: 'pw',
      tls: { servername: 'redis.example.com' },
    });
  });

  it('uses TLS without SNI for an address, and unbrackets IPv6', () => {
    expect(redisOptionsFromUrl('rediss://[::1]:6380')).toEqual({ host: '::1', port: 6380, tls: {} });
    expect(redisOptionsFromUrl('redis://127.0.0.1:6379')).toEqual({ host: '127.0.0.1', port: 6379 });
  });
});
