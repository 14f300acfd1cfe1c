/**
 * Remembers the `jti` of every accepted token until that token could no longer be accepted
 * anyway (its `exp` plus the clock skew), so a captured request cannot be sent twice. Bounded:
 * when full of live entries it refuses new tokens rather than forget one that could be replayed.
 */
export interface ReplayCache {
  /** `fresh` the first time (now remembered), `replayed` after, `full` when no room is left. */
  remember(jti: string, keepUntilMs: number): 'fresh' | 'replayed' | 'full';
  readonly size: number;
}

export interface ReplayCacheOptions {
  readonly now: () => number;
  readonly maxEntries?: number;
}

export function createReplayCache(options: ReplayCacheOptions): ReplayCache {
  const maxEntries = options.maxEntries ?? 100_000;
  const seen = new Map<string, number>();

  /** Entries arrive in roughly expiry order (every token lives about as long), so the oldest go first. */
  function dropExpiredFromFront(now: number): void {
    for (const [jti, keepUntil] of seen) {
      if (keepUntil > now) return;
      seen.delete(jti);
    }
  }

  function sweep(now: number): void {
    for (const [jti, keepUntil] of seen) if (keepUntil <= now) seen.delete(jti);
  }

  return {
    remember(jti, keepUntilMs) {
      const now = options.now();
      dropExpiredFromFront(now);
      const known = seen.get(jti);
      if (known !== undefined && known > now) return 'replayed';
      if (seen.size >= maxEntries) sweep(now);
      if (seen.size >= maxEntries) return 'full';
      // Re-inserted at the back, so the front stays the oldest.
      seen.delete(jti);
      seen.set(jti, keepUntilMs);
      return 'fresh';
    },
    get size() {
      return seen.size;
    },
  };
}
