import { describe, expect, it } from 'vitest';
import { outboxBackoffMs } from '../../../src/jobs/outbox-backoff.js';

const backoff = { baseMs: 1_000, capMs: 30_000 };

describe('outbox backoff', () => {
  it('doubles from 1 s and stays at 30 s however long Slack is down', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100, 5_000].map((n) => outboxBackoffMs(n, undefined, backoff))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('waits what Retry-After says, even past the cap', () => {
    expect(outboxBackoffMs(1, 45_000, backoff)).toBe(45_000);
    expect(outboxBackoffMs(9, 1_500, backoff)).toBe(1_500);
    expect(outboxBackoffMs(3, 0, backoff)).toBe(4_000);
  });
});
