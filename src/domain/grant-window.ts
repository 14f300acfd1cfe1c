import type { DurationMs } from './duration.js';
import { JumpgateError } from './errors.js';

/** When a grant starts and ends, in epoch milliseconds. The certificate's validity is exactly this. */
export interface GrantWindow {
  readonly notBefore: number;
  readonly notAfter: number;
}

/** How long before the end the holder is warned, for grants long enough to afford it. */
export const WARNING_LEAD_MS: DurationMs = 5 * 60_000;

/** The share of a short window that is left when the warning comes. */
const SHORT_WINDOW_SHARE = 0.2;

/**
 * The window of a grant that starts `now` and lasts `durationMs`. Throws `invalid_duration`
 * unless `durationMs` is a positive whole number of milliseconds (parseDuration never yields
 * anything else, so this guards against arithmetic slips upstream).
 */
export function grantWindow(now: number, durationMs: DurationMs): GrantWindow {
  if (!Number.isSafeInteger(durationMs) || durationMs <= 0) {
    throw new JumpgateError(
      'invalid_duration',
      `a grant must last a positive whole number of milliseconds, not ${durationMs}`,
      {
        details: { durationMs },
      },
    );
  }
  return { notBefore: now, notAfter: now + durationMs };
}

/**
 * When to warn the holder that the grant is about to end:
 *
 *   warningAt = notAfter − min(leadMs, 20% of the window)
 *
 * A grant of 25 minutes or more (with the default 5-minute lead) is warned 5 minutes before
 * the end; a shorter one when 80% of it has passed (a 2-minute grant at 96 s, 24 s before the
 * end). The rule is continuous in the window length, so a slightly shorter grant never gets
 * its warning much earlier or later, and the warning always comes after the grant has started
 * and leaves time to click Extend. An empty or inverted window is warned at `notAfter`.
 * Rounded to whole milliseconds, never after `notAfter`.
 */
export function warningAt(notBefore: number, notAfter: number, leadMs: DurationMs = WARNING_LEAD_MS): number {
  const window = Math.max(0, notAfter - notBefore);
  const lead = Math.max(0, Math.min(leadMs, Math.floor(window * SHORT_WINDOW_SHARE)));
  return notAfter - lead;
}
