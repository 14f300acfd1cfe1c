/**
 * Keeps PagerDuty's successful answers for a short while, so a burst of requests (one person
 * asking twice, a team during an incident) costs PagerDuty one call and its rate limit nothing.
 * Failures are never kept: the next call asks again. "No such user" is an answer and is kept.
 */
export interface AnswerCache {
  /** The answer kept under `key` if younger than `ttlMs`, else `load()`'s, kept when it resolves. */
  remember<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
}

interface Entry {
  readonly value: unknown;
  readonly expiresAt: number;
}

export function createAnswerCache(now: () => number): AnswerCache {
  const entries = new Map<string, Entry>();

  const sweep = (at: number) => {
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
  };

  return {
    async remember<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
      const kept = entries.get(key);
      // Only this method stores under a key, always with its own T.
      if (kept !== undefined && kept.expiresAt > now()) return kept.value as T;
      const value = await load();
      // The answer is as old as its arrival, not as the question.
      const at = now();
      sweep(at);
      if (ttlMs > 0) entries.set(key, { value, expiresAt: at + ttlMs });
      return value;
    },
  };
}
