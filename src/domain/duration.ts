import { JumpgateError } from './errors.js';

/** A span of time in milliseconds. */
export type DurationMs = number;

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
type Unit = keyof typeof UNIT_MS;
const ORDER: readonly Unit[] = ['d', 'h', 'm', 's'];
const PART = /(\d+)([dhms])/g;
const WHOLE = /^(?:\d+[dhms])+$/;

export const DURATION_HELP = 'use 90s, 30m, 2h, 1h30m, 1d';

/**
 * Parses `90s`, `30m`, `2h`, `1h30m`, `1d` (units in descending order, each at most once).
 * Throws `invalid_duration` for anything else, including zero.
 */
export function parseDuration(text: string): DurationMs {
  const input = text.trim().toLowerCase();
  const invalid = (why: string) =>
    new JumpgateError('invalid_duration', `"${text}" is not a duration (${DURATION_HELP})`, {
      details: { input: text, why },
    });
  if (!WHOLE.test(input)) throw invalid('format');
  let total = 0;
  let last = -1;
  for (const [, amount, unit] of input.matchAll(PART)) {
    const index = ORDER.indexOf(unit as Unit);
    if (index <= last) throw invalid('unit order');
    last = index;
    total += Number(amount) * UNIT_MS[unit as Unit];
  }
  if (total <= 0) throw invalid('zero');
  if (!Number.isSafeInteger(total)) throw invalid('too large');
  return total;
}

/** True when `text` parses as a duration. */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** Formats milliseconds as the shortest exact duration string: 5400000 → `1h30m`. Sub-second parts are rounded up. */
export function formatDuration(ms: DurationMs): string {
  let rest = Math.ceil(Math.max(0, ms) / 1000) * 1000;
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ORDER) {
    const amount = Math.floor(rest / UNIT_MS[unit]);
    if (amount > 0) {
      out += `${amount}${unit}`;
      rest -= amount * UNIT_MS[unit];
    }
  }
  return out;
}
