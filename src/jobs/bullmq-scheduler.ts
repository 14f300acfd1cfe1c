import { type ConnectionOptions, Queue } from 'bullmq';
import type { Clock } from '../service/ports/clock.js';
import type { Scheduler } from '../service/ports/scheduler.js';
import { EVENTS_KEPT, jobId, QUEUES, RETRIES, type RequestJob } from './job-queues.js';

export interface BullmqScheduler extends Scheduler {
  /** Removes the pending-phase jobs (timeout, escalation) of a request that left pending. */
  cancelPending(requestId: string): Promise<void>;
  close(): Promise<void>;
}

/** The Scheduler port over BullMQ delayed jobs. */
export function createBullmqScheduler(deps: {
  connection: ConnectionOptions;
  prefix: string;
  now: Clock;
  /** Errors of the queues' connections (a Redis outage). Unset: BullMQ prints them to stderr. */
  onRedisError?: (error: Error, source: string) => void;
}): BullmqScheduler {
  // Nothing here reads BullMQ's event streams: keep a short tail for debugging, not 10,000 per queue.
  // How many finished jobs are kept is the workers' setting (FINISHED_JOBS_KEPT), not stored with
  // every job: a waiting job's size is what an active grant costs Redis.
  const make = (name: string) => {
    const queue = new Queue<RequestJob>(name, {
      connection: deps.connection,
      prefix: deps.prefix,
      streams: { events: { maxLen: EVENTS_KEPT } },
    });
    const onRedisError = deps.onRedisError;
    if (onRedisError) queue.on('error', (error) => onRedisError(error, name));
    return queue;
  };
  const expire = make(QUEUES.expire);
  const warn = make(QUEUES.warn);
  const timeout = make(QUEUES.timeout);
  const escalate = make(QUEUES.escalate);
  const review = make(QUEUES.review);
  const grant = make(QUEUES.grant);
  const delayUntil = (at: number) => Math.max(0, at - deps.now());

  return {
    async expireAt(requestId, at) {
      await expire.add(
        'expire',
        { requestId },
        { jobId: jobId.expire(requestId, at), delay: delayUntil(at), ...RETRIES.expire },
      );
    },
    async warnAt(requestId, at) {
      await warn.add(
        'warn',
        { requestId },
        { jobId: jobId.warn(requestId, at), delay: delayUntil(at), ...RETRIES.warn },
      );
    },
    async timeoutAt(requestId, at) {
      await timeout.add(
        'timeout',
        { requestId },
        { jobId: jobId.timeout(requestId), delay: delayUntil(at), ...RETRIES.timeout },
      );
    },
    async escalateAt(requestId, at) {
      await escalate.add(
        'escalate',
        { requestId },
        { jobId: jobId.escalate(requestId), delay: delayUntil(at), ...RETRIES.escalate },
      );
    },
    async cancelPending(requestId) {
      // remove() refuses a job that is running (locked): that one finds nothing to do anyway.
      await Promise.all([timeout.remove(jobId.timeout(requestId)), escalate.remove(jobId.escalate(requestId))]);
    },
    async cancelAt(kind, requestId, at) {
      // remove() leaves a running (locked) job alone: that one re-reads the grant and finds nothing due.
      if (kind === 'expire') await expire.remove(jobId.expire(requestId, at));
      else await warn.remove(jobId.warn(requestId, at));
    },
    async reviewAt(requestId, at) {
      await review.add(
        'review',
        { requestId },
        { jobId: jobId.review(requestId, at), delay: delayUntil(at), ...RETRIES.review },
      );
    },
    async grantRetryAt(requestId, retry) {
      await grant.add(
        'grant',
        { requestId },
        {
          jobId: jobId.grant(requestId, retry.since, retry.slot),
          delay: delayUntil(retry.at),
          ...RETRIES.grant,
        },
      );
    },
    async close() {
      await Promise.all([
        expire.close(),
        warn.close(),
        timeout.close(),
        escalate.close(),
        review.close(),
        grant.close(),
      ]);
    },
  };
}
