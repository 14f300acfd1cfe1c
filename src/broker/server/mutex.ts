/**
 * Runs critical sections one after another (a promise chain). The broker serializes every
 * state change through one of these, so two identical POSTs arriving together produce one
 * certificate and the KRL is never written by two revocations at once.
 */
export interface Mutex {
  run<T>(section: () => Promise<T>): Promise<T>;
}

export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(section: () => Promise<T>): Promise<T> {
      const result = tail.then(section);
      // The next section waits for this one to settle, whether it succeeded or not.
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
