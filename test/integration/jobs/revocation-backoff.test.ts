import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqScheduler } from '../../../src/jobs/bullmq-scheduler.js';
import { type JobWorkers, startWorkers } from '../../../src/jobs/workers.js';
import { logFigures } from '../../support/figures-log.js';
import { testRedis } from '../../support/redis.js';
import { memoryLogger } from '../../support/service-fakes.js';

/**
 * The revocation job's custom backoff as BullMQ runs it (real Redis, real workers): a revocation
 * that keeps failing is tried again 1, 2 and 4 s later, then 5 s apart, never longer, so one
 * during a broker outage lands within ~5 s of the broker's return. Real seconds pass: the backoff
 * is BullMQ's delayed-job clock, which no injected clock reaches.
 */
// Four failures: the fourth gap shows the cap (5 s, not 8 s).
const FAILURES = 4;
const conn = testRedis('backoff');
const tries: number[] = [];
const failures: { job: string; attempts: number }[] = [];
let workers: JobWorkers;
const scheduler = createBullmqScheduler({
  connection: { url: conn.url, maxRetriesPerRequest: null },
  prefix: conn.prefix,
  now: Date.now,
});
let done: () => void;
const revoked = new Promise<void>((resolve) => (done = resolve));

const nothing = async () => undefined;
beforeAll(async () => {
  workers = await startWorkers({
    connection: { url: conn.url, maxRetriesPerRequest: null },
    prefix: conn.prefix,
    logger: memoryLogger(),
    recoverEveryMs: 60_000,
    reconcileEveryMs: 600_000,
    service: {
      expireGrant: async () => {
        tries.push(Date.now());
        if (tries.length <= FAILURES) throw new Error('the access broker did not answer (tried 2 times)');
        done();
        return undefined;
      },
      issueGrant: nothing,
      warnExpiry: nothing,
      timeoutRequest: nothing,
      escalateRequest: nothing,
      remindReview: nothing,
      watchIncidents: async () => 0,
      reconcile: async () => ({ expired: 0, timedOut: 0, granted: 0, revokedAtBroker: 0, failures: 0, posted: 0 }),
      recover: async () => ({ expired: 0, granted: 0, failures: 0 }),
      reportJobFailure: async (input) => void failures.push({ job: input.job, attempts: input.attempts }),
    },
  });
});
afterAll(async () => {
  await workers?.close(5_000);
  await scheduler.close();
  await conn.close();
});

describe('revocation retries', () => {
  it('are 1, 2, 4 s apart, then 5 s at most, and a person is not alerted while tries remain', async () => {
    await scheduler.expireAt('req_backoff1', Date.now());
    await revoked;
    const gaps = tries.slice(1).map((at, i) => at - (tries[i] ?? at));
    logFigures('revocation retry gaps (ms)', Object.fromEntries(gaps.map((gap, i) => [`try ${i + 2}`, gap])));
    expect(tries).toHaveLength(FAILURES + 1);
    // BullMQ promotes delayed jobs on its own tick: a few hundred ms late on a busy machine.
    const planned = [1_000, 2_000, 4_000, 5_000];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual((planned[i] ?? 0) - 50);
      expect(gap).toBeLessThan((planned[i] ?? 0) + 1_500);
    });
    expect(failures).toEqual([]);
  }, 40_000);
});
