import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type NoticeTimers, OUTAGE_NOTICE_AFTER_MS, withOutageNotice } from '../../../src/slack/outage-notice.js';

/** Timers the test fires by hand: the wall clock is not the point. */
function manualTimers() {
  const pending = new Map<number, { run: () => void; ms: number }>();
  let next = 0;
  const timers: NoticeTimers = {
    set: (run, ms) => (pending.set(++next, { run, ms }), next),
    clear: (handle) => void pending.delete(handle as number),
  };
  return {
    timers,
    pending,
    fire() {
      for (const [id, timer] of [...pending]) {
        pending.delete(id);
        timer.run();
      }
    },
  };
}

/** A piece of work the test finishes when it wants. */
function deferred() {
  let finish!: () => void;
  const promise = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => promise, finish };
}

const logger = pino({ level: 'silent' });

function setup(availableAt: { now: boolean }) {
  const clock = manualTimers();
  const notices: string[] = [];
  const deps = { storeAvailable: () => availableAt.now, timers: clock.timers, logger };
  const notify = () => (notices.push('notice'), Promise.resolve());
  return { clock, notices, deps, notify };
}

describe('the outage notice', () => {
  it('goes out once, OUTAGE_NOTICE_AFTER_MS after the start, when Redis is down and the answer is not ready', async () => {
    const redis = { now: false };
    const { clock, notices, deps, notify } = setup(redis);
    const { work, finish } = deferred();
    const running = withOutageNotice(deps, notify, work);
    expect([...clock.pending.values()].map((t) => t.ms)).toEqual([OUTAGE_NOTICE_AFTER_MS]);
    expect(OUTAGE_NOTICE_AFTER_MS).toBeLessThan(3_000);
    expect(notices).toEqual([]);
    clock.fire();
    expect(notices).toEqual(['notice']);
    clock.fire();
    finish();
    await running;
    expect(notices).toEqual(['notice']);
  });

  it('is not sent when the answer came in time, and its timer is cleared', async () => {
    const { clock, notices, deps, notify } = setup({ now: false });
    await withOutageNotice(deps, notify, () => Promise.resolve());
    expect(clock.pending.size).toBe(0);
    expect(notices).toEqual([]);
  });

  it('is not sent for a slow answer while Redis is up: it would not be true (Slack or the broker is slow)', async () => {
    const { clock, notices, deps, notify } = setup({ now: true });
    const { work, finish } = deferred();
    const running = withOutageNotice(deps, notify, work);
    clock.fire();
    finish();
    await running;
    expect(notices).toEqual([]);
  });

  it('is sent when Redis was down at the start, even if it is back while the work still waits', async () => {
    const redis = { now: false };
    const { clock, notices, deps, notify } = setup(redis);
    const { work, finish } = deferred();
    const running = withOutageNotice(deps, notify, work);
    redis.now = true;
    clock.fire();
    finish();
    await running;
    expect(notices).toEqual(['notice']);
  });

  it('passes on the work’s failure, and a failed notice does not fail the work', async () => {
    const { clock, deps } = setup({ now: false });
    const { work, finish } = deferred();
    const running = withOutageNotice(deps, () => Promise.reject(new Error('slack down')), work);
    clock.fire();
    finish();
    await expect(running).resolves.toBeUndefined();
    await expect(
      withOutageNotice(
        deps,
        () => Promise.resolve(),
        () => Promise.reject(new Error('x')),
      ),
    ).rejects.toThrow('x');
  });

  it('does nothing without a way to know whether Redis is up', async () => {
    let ran = false;
    await withOutageNotice(
      { logger },
      () => Promise.resolve(),
      async () => void (ran = true),
    );
    expect(ran).toBe(true);
  });

  it('is sent when the connection is up but Redis does not answer (a hung server), and not when it does', async () => {
    for (const answers of [false, true]) {
      const { clock, notices, deps, notify } = setup({ now: true });
      const { work, finish } = deferred();
      const running = withOutageNotice({ ...deps, probeStore: () => Promise.resolve(answers) }, notify, work);
      clock.fire();
      await new Promise((resolve) => setImmediate(resolve));
      finish();
      await running;
      expect(notices).toEqual(answers ? [] : ['notice']);
    }
  });
});
