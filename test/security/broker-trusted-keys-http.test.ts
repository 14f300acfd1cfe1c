import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrustedKeysSetting, trustedKeyResolver } from '../../src/broker/server/trusted-keys.js';

/**
 * BROKER_TRUSTED_KEYS decides whose signature the broker obeys. Fetched over plain http from
 * another machine, anyone on the path can answer with their own keys and then issue
 * certificates; on loopback nobody is on the path.
 */
const refusal = (host: string) =>
  `BROKER_TRUSTED_KEYS is an http:// URL on ${host}, which anyone on the way could answer with their own keys: ` +
  'use https:// (http:// is accepted only on loopback: 127.0.0.0/8, ::1, localhost)';

describe('BROKER_TRUSTED_KEYS over plain http', () => {
  it('an http:// JWKS URL on another host is refused, with one line saying why and what to use', () => {
    expect(() => parseTrustedKeysSetting('http://jumpgate.internal.example.com/.well-known/jwks.json')).toThrow(
      refusal('jumpgate.internal.example.com'),
    );
    expect(() => parseTrustedKeysSetting('HTTP://10.0.0.5:3000/.well-known/jwks.json')).toThrow(refusal('10.0.0.5'));
    expect(() => trustedKeyResolver('http://192.168.1.10/.well-known/jwks.json')).toThrow(
      'is an http:// URL on 192.168.1.10',
    );
  });

  it('npm run broker stops with that line', async () => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('BROKER_') && name !== 'DATA_DIR'),
    );
    const env = {
      ...clean,
      BROKER_TRUSTED_KEYS: 'http://bot.example.com/.well-known/jwks.json',
      DATA_DIR: '/nonexistent/jumpgate-test',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('src/broker/server/cli.ts')], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // A broker that did start (the old behaviour) is stopped, so the test fails instead of hanging.
    const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
    expect(await exited).toBe(1);
    clearTimeout(timer);
    expect(stderr).toBe(`${refusal('bot.example.com')}\n`);
  }, 30_000);

  it('http:// on loopback and https:// anywhere are still accepted', () => {
    for (const url of [
      'http://127.0.0.1:8080/.well-known/jwks.json',
      'http://127.1.2.3/.well-known/jwks.json',
      'http://localhost:3000/.well-known/jwks.json',
      'http://[::1]:3000/.well-known/jwks.json',
      'https://jumpgate.internal.example.com/.well-known/jwks.json',
    ]) {
      expect(parseTrustedKeysSetting(url)).toBe(url);
    }
  });
});
