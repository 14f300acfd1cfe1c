import { describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../../src/broker/server/group-commit.js';

/** A flush the test finishes by hand, so what arrives during it is known exactly. */
function manualFlushes() {
  const batches: (readonly number[])[] = [];
  const finish: ((error?: Error) => void)[] = [];
  const commit = createGroupCommit<number>(
    (items) =>
      new Promise<void>((resolve, reject) => {
        batches.push(items);
        finish.push((error) => (error ? reject(error) : resolve()));
      }),
  );
  return { commit, batches, finish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('flushes the first item at once, and everything submitted meanwhile in one next flush', async () => {
    const { commit, batches, finish } = manualFlushes();
    const answered: number[] = [];
    const first = commit.submit(1).then(() => answered.push(1));
    const rest = [2, 3, 4].map((n) => commit.submit(n).then(() => answered.push(n)));
    await tick();
    expect(batches).toEqual([[1]]);
    finish[0]!();
    await first;
    expect(answered).toEqual([1]);
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    finish[1]!();
    await Promise.all(rest);
    expect(answered).toEqual([1, 2, 3, 4]);
    expect(commit.flushes()).toBe(2);
  });

  it('answers no one before the flush carrying their item has finished', async () => {
    const { commit, finish } = manualFlushes();
    let done = false;
    void commit.submit(1);
    const second = commit.submit(2).then(() => (done = true));
    await tick();
    finish[0]!();
    await tick();
    expect(done).toBe(false);
    finish[1]!();
    await second;
    expect(done).toBe(true);
  });

  it('rejects every item of a failed flush, and goes on with the next ones', async () => {
    const { commit, batches, finish } = manualFlushes();
    const first = commit.submit(1);
    const failing = [commit.submit(2), commit.submit(3)];
    await tick();
    finish[0]!();
    await first;
    await tick();
    finish[1]!(new Error('disk full'));
    for (const result of await Promise.allSettled(failing))
      expect(result).toEqual({ status: 'rejected', reason: new Error('disk full') });
    const later = commit.submit(4);
    await tick();
    expect(batches.at(-1)).toEqual([4]);
    finish[2]!();
    await expect(later).resolves.toBeUndefined();
  });
});
