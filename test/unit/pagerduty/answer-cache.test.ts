import { describe, expect, it } from 'vitest';
import { createAnswerCache } from '../../../src/pagerduty/answer-cache.js';

function counter<T>(answers: readonly T[]) {
  let calls = 0;
  return {
    load: async () => answers[calls++] as T,
    get calls() {
      return calls;
    },
  };
}

describe('answer cache', () => {
  it('reuses an answer until its ttl has passed, counted from when it arrived', async () => {
    let time = 0;
    const cache = createAnswerCache(() => time);
    const source = counter(['first', 'second']);

    expect(await cache.remember('k', 1_000, source.load)).toBe('first');
    time = 999;
    expect(await cache.remember('k', 1_000, source.load)).toBe('first');
    time = 1_000;
    expect(await cache.remember('k', 1_000, source.load)).toBe('second');
    expect(source.calls).toBe(2);
  });

  it('keeps "nothing found" as an answer', async () => {
    const cache = createAnswerCache(() => 0);
    const source = counter([undefined, 'late']);

    expect(await cache.remember('k', 1_000, source.load)).toBeUndefined();
    expect(await cache.remember('k', 1_000, source.load)).toBeUndefined();
    expect(source.calls).toBe(1);
  });

  it('never keeps a failure', async () => {
    const cache = createAnswerCache(() => 0);
    await expect(cache.remember('k', 1_000, () => Promise.reject(new Error('down')))).rejects.toThrow('down');

    expect(await cache.remember('k', 1_000, async () => 'up')).toBe('up');
  });

  it('keeps each key apart, and each with its own ttl', async () => {
    let time = 0;
    const cache = createAnswerCache(() => time);
    await cache.remember('short', 100, async () => 'a');
    await cache.remember('long', 1_000, async () => 'b');

    time = 500;
    expect(await cache.remember('short', 100, async () => 'a2')).toBe('a2');
    expect(await cache.remember('long', 1_000, async () => 'b2')).toBe('b');
  });

  it('keeps nothing when the ttl is 0', async () => {
    const cache = createAnswerCache(() => 0);
    const source = counter(['first', 'second']);

    await cache.remember('k', 0, source.load);
    expect(await cache.remember('k', 0, source.load)).toBe('second');
  });
});
