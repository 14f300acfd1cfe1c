import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/domain/duration.js';
import { JumpgateError } from '../../../src/domain/errors.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['1d2h3m4s', 93_784_000],
    [' 2H ', 7_200_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', 'm', '4 hours', '1.5h', '-5m', '0m', '0s', '30m1h', '1h1h', '2w', 'h30m', '30 m', '1e3s'])(
    'refuses %j with invalid_duration and the allowed forms',
    (text) => {
      let caught: unknown;
      try {
        parseDuration(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(JumpgateError);
      expect((caught as JumpgateError).code).toBe('invalid_duration');
      expect((caught as JumpgateError).message).toBe(`"${text}" is not a duration (use 90s, 30m, 2h, 1h30m, 1d)`);
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [93_784_000, '1d2h3m4s'],
    [1_500, '2s'],
    [0, '0s'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips every whole-second duration it writes', () => {
    for (const ms of [1_000, 59_000, 61_000, 3_599_000, 3_600_000, 90_061_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
