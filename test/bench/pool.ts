/**
 * Runs `task(0) … task(count - 1)` with at most `concurrency` in flight, each worker taking the
 * next index as soon as its previous task settles. A task's failure is its own business: the
 * task reports it in its result; a throw stops the run.
 */
export async function runPool<T>(
  count: number,
  concurrency: number,
  task: (index: number, worker: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (id: number) => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await task(index, id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, (_, id) => worker(id)));
  return results;
}
