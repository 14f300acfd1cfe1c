import { describe, expect, it } from 'vitest';
import { grantWindow, warningAt } from '../../../src/domain/grant-window.js';
import { HOUR, MINUTE } from '../../support/policy-builders.js';
import { thrown } from './thrown.js';

const T0 = Date.UTC(2025, 0, 1, 9, 0, 0);

describe('grantWindow', () => {
  it('starts now and ends exactly the duration later', () => {
    expect(grantWindow(T0, 30 * MINUTE)).toEqual({ notBefore: T0, notAfter: T0 + 30 * MINUTE });
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses a duration of %d ms with invalid_duration',
    (ms) => {
      const error = thrown(() => grantWindow(T0, ms));
      expect(error.code).toBe('invalid_duration');
      expect(error.message).toBe(`a grant must last a positive whole number of milliseconds, not ${ms}`);
    },
  );
});

describe('warningAt', () => {
  // [window, lead, warned this long after the start]
  it.each([
    ['1d', 24 * HOUR, 5 * MINUTE, 24 * HOUR - 5 * MINUTE],
    ['1h', HOUR, 5 * MINUTE, 55 * MINUTE],
    ['30m', 30 * MINUTE, 5 * MINUTE, 25 * MINUTE],
    ['25m (where the two rules meet)', 25 * MINUTE, 5 * MINUTE, 20 * MINUTE],
    ['20m', 20 * MINUTE, 5 * MINUTE, 16 * MINUTE],
    ['10m', 10 * MINUTE, 5 * MINUTE, 8 * MINUTE],
    ['2m', 2 * MINUTE, 5 * MINUTE, 96_000],
    ['90s', 90_000, 5 * MINUTE, 72_000],
    ['1s', 1_000, 5 * MINUTE, 800],
    ['1h with a 10m lead', HOUR, 10 * MINUTE, 50 * MINUTE],
    ['1h with no lead', HOUR, 0, HOUR],
  ])('warns a %s grant at the right time', (_label, window, lead, after) => {
    expect(warningAt(T0, T0 + window, lead)).toBe(T0 + after);
  });

  it('uses a five-minute lead by default', () => {
    expect(warningAt(T0, T0 + HOUR)).toBe(T0 + 55 * MINUTE);
  });

  it('moves the warning little when the window changes little (no jump at any length)', () => {
    for (let window = 1_000; window <= 2 * HOUR; window += 1_000) {
      const step = warningAt(T0, T0 + window + 1_000) - warningAt(T0, T0 + window);
      expect(step).toBeGreaterThanOrEqual(0);
      expect(step).toBeLessThanOrEqual(1_000);
    }
  });

  it('warns inside the window: after the start, never after the end', () => {
    for (const window of [1, 999, 60_000, 25 * MINUTE + 1, 3 * HOUR]) {
      const at = warningAt(T0, T0 + window);
      expect(at).toBeGreaterThan(T0);
      expect(at).toBeLessThanOrEqual(T0 + window);
    }
  });

  it('warns an empty or inverted window at its end', () => {
    expect(warningAt(T0, T0)).toBe(T0);
    expect(warningAt(T0 + MINUTE, T0)).toBe(T0);
  });
});
