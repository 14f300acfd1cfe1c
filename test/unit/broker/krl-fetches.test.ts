import { describe, expect, it } from 'vitest';
import { createKrlFetchLog, KRL_STALE_AFTER_MS } from '../../../src/broker/server/krl-fetches.js';

const START = Date.parse('2030-01-01T12:00:00Z');

function setup(fetchExpected = true) {
  let nowMs = START;
  const log = createKrlFetchLog({ now: () => nowMs, fetchExpected });
  return { log, advance: (ms: number) => (nowMs += ms) };
}

describe('the KRL fetch log', () => {
  it('counts the age from the broker start until a first fetch, then from the most recent fetch by anyone', () => {
    const { log, advance } = setup();
    advance(90_000);
    expect(log.status()).toEqual({
      lastFetchAt: null,
      fetchAgeSeconds: 90,
      revokedSinceFetch: 0,
      stale: false,
      clients: 0,
    });
    log.recordFetch({ bastion: 'bastion-1', address: '10.0.0.5' });
    advance(20_000);
    log.recordFetch({ address: '10.0.0.6' });
    advance(5_000);
    expect(log.status()).toMatchObject({ lastFetchAt: '2030-01-01T12:01:50.000Z', fetchAgeSeconds: 5, clients: 2 });
  });

  it('is stale while grants revoked since the last fetch wait and that fetch is over 5 minutes old', () => {
    const { log, advance } = setup();
    log.recordFetch({ bastion: 'bastion-1' });
    advance(60_000);
    log.recordRevocations(2);
    expect(log.status()).toMatchObject({ revokedSinceFetch: 2, stale: false });
    advance(KRL_STALE_AFTER_MS - 60_000);
    log.recordRevocations(1);
    expect(log.status()).toMatchObject({ revokedSinceFetch: 3, stale: false });
    advance(1);
    expect(log.status()).toMatchObject({ revokedSinceFetch: 3, stale: true });
    log.recordFetch({ bastion: 'bastion-1' });
    expect(log.status()).toMatchObject({ revokedSinceFetch: 0, stale: false, fetchAgeSeconds: 0 });
  });

  it('is stale at once when a grant is revoked and no bastion has fetched for over 5 minutes (or ever, since the start)', () => {
    const { log, advance } = setup();
    advance(KRL_STALE_AFTER_MS + 1);
    expect(log.status().stale).toBe(false);
    log.recordRevocations(1);
    expect(log.status()).toMatchObject({ lastFetchAt: null, stale: true });
  });

  it('is not stale without revocations, however old the last fetch', () => {
    const { log, advance } = setup();
    advance(24 * 3_600_000);
    expect(log.status().stale).toBe(false);
  });

  it('is never stale when the broker writes the file sshd reads itself', () => {
    const { log, advance } = setup(false);
    log.recordRevocations(1);
    advance(KRL_STALE_AFTER_MS * 10);
    expect(log.status()).toMatchObject({ revokedSinceFetch: 1, stale: false });
  });

  it('keeps at most 256 clients, however many names a caller makes up', () => {
    const { log } = setup();
    for (let i = 0; i < 1_000; i++) log.recordFetch({ bastion: `made-up-${i}` });
    expect(log.status().clients).toBe(256);
  });
});
