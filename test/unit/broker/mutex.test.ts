import { describe, expect, it } from 'vitest';
import { createMutex } from '../../../src/broker/server/mutex.js';

describe('mutex', () => {
  it('runs sections one at a time, in call order', async () => {
    const mutex = createMutex();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = mutex.run(async () => {
      events.push('first start');
      await gate;
      events.push('first end');
    });
    const second = mutex.run(() => {
      events.push('second');
      return Promise.resolve();
    });
    // Let every queued microtask run: only the gate may be holding the second section back.
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['first start']);
    release();
    await Promise.all([first, second]);
    expect(events).toEqual(['first start', 'first end', 'second']);
  });

  it('keeps going after a section fails, and hands the failure to its caller', async () => {
    const mutex = createMutex();
    await expect(mutex.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run(() => Promise.resolve(42))).resolves.toBe(42);
  });
});
