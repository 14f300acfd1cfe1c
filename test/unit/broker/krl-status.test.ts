import { describe, expect, it } from 'vitest';
import { createKrlStatusReader, krlStaleCheck } from '../../../src/broker/krl-status.js';
import { JumpgateError } from '../../../src/domain/errors.js';

const NOW = Date.parse('2031-03-01T10:00:00Z');

/** A broker answering GET /v1/krl/status with this status and body. */
function brokerAnswering(status: number, body: unknown): typeof fetch {
  return (input) => {
    expect(input).toBe('https://broker.example/v1/krl/status');
    return Promise.resolve(
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    );
  };
}

const reader = (fetch: typeof globalThis.fetch) =>
  createKrlStatusReader({ baseUrl: 'https://broker.example/', fetch, now: () => NOW });

describe('reading a broker KRL status', () => {
  it('takes the reference broker figures as they are', async () => {
    const read = reader(
      brokerAnswering(200, {
        lastFetchAt: null,
        fetchAgeSeconds: 12,
        revokedSinceFetch: 2,
        stale: false,
        krlBytes: 99,
        krlWriteMs: 3.5,
      }),
    );
    expect(await read()).toEqual({
      fetchAgeSeconds: 12,
      revokedSinceFetch: 2,
      stale: false,
      krlBytes: 99,
      krlWriteMs: 3.5,
    });
  });

  it('derives the age and staleness from a broker that sends only {lastFetchAt, revokedSinceFetch}', async () => {
    const old = reader(brokerAnswering(200, { lastFetchAt: '2031-03-01T09:54:00Z', revokedSinceFetch: 1 }));
    expect(await old()).toEqual({ fetchAgeSeconds: 360, revokedSinceFetch: 1, stale: true });
    const recent = reader(brokerAnswering(200, { lastFetchAt: '2031-03-01T09:58:00Z', revokedSinceFetch: 1 }));
    expect(await recent()).toEqual({ fetchAgeSeconds: 120, revokedSinceFetch: 1, stale: false });
  });

  it('is undefined for a broker without the route, and an error for anything else it cannot use', async () => {
    expect(await reader(brokerAnswering(404, { error: { code: 'not_found', message: 'no route' } }))()).toBeUndefined();
    await expect(reader(brokerAnswering(500, {}))()).rejects.toThrow('the broker answered 500 to GET /v1/krl/status');
    await expect(reader(brokerAnswering(200, { revokedSinceFetch: -1 }))()).rejects.toThrow();
  });
});

describe('the krl readiness check', () => {
  it('fails with krl_stale only when the status says stale', async () => {
    await expect(
      krlStaleCheck(() => Promise.resolve({ fetchAgeSeconds: 400, revokedSinceFetch: 0, stale: false }))(),
    ).resolves.toBeUndefined();
    await expect(krlStaleCheck(() => Promise.resolve(undefined))()).resolves.toBeUndefined();
    const stale = await krlStaleCheck(() =>
      Promise.resolve({ fetchAgeSeconds: 400, revokedSinceFetch: 3, stale: true }),
    )().catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(JumpgateError);
    expect((stale as JumpgateError).code).toBe('krl_stale');
  });
});
