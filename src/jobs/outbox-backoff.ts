/**
 * How long a conversation waits after its head failed for the `attempts`-th time: Slack's
 * `Retry-After` when it answered 429 (it knows when it takes calls again), otherwise exponential
 * from `baseMs`, capped at `capMs`, so a message still arrives within about `capMs` once Slack is
 * back after an outage of any length.
 */
export function outboxBackoffMs(
  attempts: number,
  retryAfterMs: number | undefined,
  backoff: { readonly baseMs: number; readonly capMs: number },
): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.ceil(retryAfterMs);
  const exponent = Math.min(Math.max(0, attempts - 1), 30);
  return Math.min(backoff.capMs, backoff.baseMs * 2 ** exponent);
}
