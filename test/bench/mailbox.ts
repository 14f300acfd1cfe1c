/**
 * Things that arrive under a key (a reply to one command, the certificate DM of one request),
 * awaited by key. What arrives before anyone waits is kept until it is taken; a wait that times
 * out rejects, and what arrives for it later is dropped.
 */
export interface Mailbox<T> {
  deliver(key: string, value: T): void;
  take(key: string, timeoutMs: number): Promise<T>;
  /** Values delivered and never taken (a leak check and a count of unasked answers). */
  readonly pending: number;
}

export class AnswerTimeout extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`no ${what} within ${timeoutMs} ms`);
  }
}

export function createMailbox<T>(what: string): Mailbox<T> {
  const arrived = new Map<string, T>();
  const waiting = new Map<string, (value: T) => void>();
  const abandoned = new Set<string>();
  return {
    deliver(key, value) {
      const waiter = waiting.get(key);
      if (waiter) {
        waiting.delete(key);
        waiter(value);
      } else if (abandoned.has(key)) {
        abandoned.delete(key);
      } else if (!arrived.has(key)) {
        arrived.set(key, value);
      }
    },
    take(key, timeoutMs) {
      const value = arrived.get(key);
      if (value !== undefined) {
        arrived.delete(key);
        return Promise.resolve(value);
      }
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(key);
          abandoned.add(key);
          reject(new AnswerTimeout(`${what} for ${key}`, timeoutMs));
        }, timeoutMs);
        waiting.set(key, (delivered) => {
          clearTimeout(timer);
          resolve(delivered);
        });
      });
    },
    get pending() {
      return arrived.size;
    },
  };
}
