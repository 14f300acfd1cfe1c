/**
 * Group commit: while one flush runs, what is submitted waits; the next flush takes all of it.
 * Each submitter is answered when the flush that carried its item has finished (or with that
 * flush's error), so a burst of N submissions costs a few flushes instead of N, and flushes
 * never overlap.
 */
export interface GroupCommit<T> {
  submit(item: T): Promise<void>;
  /** Flushes started so far (each one may carry many items). */
  flushes(): number;
}

interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export function createGroupCommit<T>(flush: (items: readonly T[]) => Promise<void>): GroupCommit<T> {
  let queue: Waiting<T>[] = [];
  let running = false;
  let flushes = 0;

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        flushes += 1;
        try {
          await flush(batch.map((waiting) => waiting.item));
          for (const waiting of batch) waiting.resolve();
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    submit: (item) =>
      new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!running) void drain();
      }),
    flushes: () => flushes,
  };
}
