import { describe, expect, it } from 'vitest';
import { createReplayCache } from '../../../src/broker/server/replay-cache.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('replay cache', () => {
  it('knows a jti as replayed until its keep-until time, then forgets it', () => {
    const time = clock();
    const cache = createReplayCache({ now: time.now });
    expect(cache.remember('a', time.now() + 35_000)).toBe('fresh');
    expect(cache.remember('a', time.now() + 35_000)).toBe('replayed');
    time.advance(34_999);
    expect(cache.remember('a', time.now() + 35_000)).toBe('replayed');
    time.advance(1);
    expect(cache.remember('b', time.now() + 35_000)).toBe('fresh');
    expect(cache.size).toBe(1);
  });

  it('drops expired entries as new ones arrive, so its size follows the live tokens', () => {
    const time = clock();
    const cache = createReplayCache({ now: time.now });
    for (let i = 0; i < 100; i++) {
      cache.remember(`jti-${i}`, time.now() + 10_000);
      time.advance(1_000);
    }
    expect(cache.size).toBe(10);
  });

  it('refuses new tokens when full of live ones instead of forgetting one that could be replayed', () => {
    const time = clock();
    const cache = createReplayCache({ now: time.now, maxEntries: 2 });
    cache.remember('a', time.now() + 60_000);
    cache.remember('b', time.now() + 60_000);
    expect(cache.remember('c', time.now() + 60_000)).toBe('full');
    expect(cache.remember('a', time.now() + 60_000)).toBe('replayed');
  });

  it('makes room by sweeping expired entries even when they are not the oldest', () => {
    const time = clock();
    const cache = createReplayCache({ now: time.now, maxEntries: 2 });
    cache.remember('long', time.now() + 60_000);
    cache.remember('short', time.now() + 1_000);
    time.advance(2_000);
    expect(cache.remember('c', time.now() + 60_000)).toBe('fresh');
    expect(cache.size).toBe(2);
  });
});
