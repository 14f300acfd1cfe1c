import { createHash } from 'node:crypto';
import { type Job, Queue, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { outboxBackoffMs } from './outbox-backoff.js';
import { ENQUEUE, HEAD, NOTE_FAILURE, outboxKeys, SETTLE } from './outbox-scripts.js';
import type { Outbox, OutboxDeps } from './outbox-types.js';
import { FETCH_RETRY_MS } from './workers.js';

export type { DeliveryFailure, GaveUp, Outbox, OutboxDeps, OutboxEntry } from './outbox-types.js';

export const OUTBOX_QUEUE = 'outbox';
/**
 * Conversations one process sends to at once. Slack takes about one message a second per
 * channel anyway; few at a time leave a burst of revocations the process's CPU first (the
 * 'ended' messages of 10,000 grants ending together then follow within seconds).
 */
export const OUTBOX_CONCURRENCY = 4;
const drainJobSchema = z.object({ conversation: z.string().min(1) });
const DRAIN_OPTIONS = {
  // Attempts are the outbox's own business (its max age); BullMQ only spaces the retries.
  attempts: 1_000_000,
  backoff: { type: 'outbox' },
  removeOnComplete: true,
  removeOnFail: true,
};
/** Waiting this long with no drain found means one was lost (its enqueuer died before adding it, or a failover lost the job). */
const STRANDED_AFTER_MS = 10_000;
const SWEEP_PAGE = 200;

interface OutboxCommands {
  jumpgateOutboxEnqueue(...args: string[]): Promise<number>;
  jumpgateOutboxHead(...args: string[]): Promise<string[]>;
  jumpgateOutboxSettle(...args: string[]): Promise<number>;
  jumpgateOutboxNoteFailure(...args: string[]): Promise<number>;
}

/** A settled message's member in `done`: 48 bits of its id's SHA-256 as an integer (Redis keeps small sets of integers packed). */
const doneKey = (id: string) => String(createHash('sha256').update(id).digest().readUIntBE(0, 6));

/** Thrown by a drain whose head failed: BullMQ retries the drain after `delayMs` (the backoff strategy reads it). */
class RetryLater extends Error {
  constructor(
    readonly delayMs: number,
    reason: string,
  ) {
    super(`Slack did not take the message (${reason}); trying again in ${delayMs} ms`);
  }
}

/**
 * The durable outbox: one FIFO list per conversation in Redis and one BullMQ drain job per
 * conversation that has messages waiting, which sends the head, removes it atomically with the
 * success, and goes on; a failure throws, so BullMQ retries the drain after the backoff while the
 * other conversations carry on. Layout and atomic steps: outbox-scripts.ts.
 */
export function createOutbox(deps: OutboxDeps): Outbox {
  const keys = outboxKeys(deps.prefix);
  const redis = deps.redis as (Redis | Cluster) & OutboxCommands;
  const define = { Enqueue: [5, ENQUEUE], Head: [2, HEAD], Settle: [4, SETTLE], NoteFailure: [1, NOTE_FAILURE] };
  for (const [name, [numberOfKeys, lua]] of Object.entries(define)) {
    if (!(`jumpgateOutbox${name}` in redis))
      redis.defineCommand(`jumpgateOutbox${name}`, { numberOfKeys: numberOfKeys as number, lua: lua as string });
  }
  const logger = deps.logger.child({ component: 'outbox' });
  // Nothing reads the outbox's event stream: a short tail for debugging (each event ~100 bytes).
  const queue = new Queue(OUTBOX_QUEUE, {
    connection: deps.connection,
    prefix: deps.prefix,
    streams: { events: { maxLen: 100 } },
  });
  queue.on('error', (error) =>
    deps.onRedisError ? deps.onRedisError(error, OUTBOX_QUEUE) : logger.error({ err: error }, 'outbox queue error'),
  );
  const doneTtlMs = deps.doneTtlMs ?? 600_000;
  const backoff = deps.backoff ?? { baseMs: 1_000, capMs: 30_000 };
  const addDrain = (conversation: string, jobId: string) =>
    queue.add('drain', { conversation }, { ...DRAIN_OPTIONS, jobId });
  let worker: Worker | undefined;
  let closing = false;
  let sweepTimer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  let cursor = 0;

  const settle = (conversation: string, id: string, outcome: 'sent' | 'failed', generation: string) =>
    redis.jumpgateOutboxSettle(
      keys.list(conversation),
      keys.message(id),
      keys.done,
      keys.waiting,
      id,
      String(deps.now()),
      outcome,
      generation,
      doneKey(id),
      String(doneTtlMs),
    );

  async function drain(conversation: string): Promise<void> {
    for (;;) {
      // A stopping process hands the rest of the conversation on (another replica, or the next
      // start) rather than hold its stop until the conversation is empty.
      if (closing) throw new RetryLater(0, 'this process is stopping');
      const [id, body, enqueuedAt, attemptsBefore, generation] = await redis.jumpgateOutboxHead(
        keys.list(conversation),
        keys.drains,
        conversation,
        keys.message(''),
      );
      if (id === undefined) return;
      if (!body) continue; // an id whose message is gone (removed by hand): dropped by HEAD
      try {
        await deps.deliver(body);
      } catch (error) {
        const failure = deps.classify(error);
        const attempts = await redis.jumpgateOutboxNoteFailure(keys.message(id), failure.reason);
        const age = deps.now() - Number(enqueuedAt);
        if (failure.permanent || age >= deps.maxAgeMs) {
          if ((await settle(conversation, id, 'failed', generation ?? '0')) === 1) {
            const gaveUp = {
              id,
              conversation,
              body,
              attempts: Math.max(attempts, Number(attemptsBefore) + 1),
              enqueuedAt: Number(enqueuedAt),
              error: failure.reason,
              permanent: failure.permanent,
            };
            logger.error(
              { id, conversation, attempts: gaveUp.attempts, error: failure.reason },
              'gave up on a message',
            );
            await deps.onGiveUp(gaveUp).catch((e: unknown) => logger.error({ err: e, id }, 'could not report it'));
          }
          continue;
        }
        const delayMs = outboxBackoffMs(attempts, failure.retryAfterMs, backoff);
        logger.warn({ id, conversation, attempts, error: failure.reason, delayMs }, 'message not taken; retrying');
        throw new RetryLater(delayMs, failure.reason);
      }
      await settle(conversation, id, 'sent', generation ?? '0');
    }
  }

  /** Drains that should exist and may not (their enqueuer died between its two calls): added again, a no-op when present. */
  async function sweep(): Promise<void> {
    const ids = await redis.zrangebyscore(
      keys.waiting,
      '-inf',
      deps.now() - STRANDED_AFTER_MS,
      'LIMIT',
      cursor,
      SWEEP_PAGE,
    );
    cursor = ids.length < SWEEP_PAGE ? 0 : cursor + ids.length;
    if (ids.length === 0) return;
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hget(keys.message(id), 'c');
    const conversations = new Set(
      ((await pipeline.exec()) ?? []).map(([, c]) => c).filter((c): c is string => typeof c === 'string'),
    );
    for (const conversation of conversations) {
      // A failover can lose the drains entry too: then this sweep names the drain.
      await redis.hsetnx(keys.drains, conversation, `drain-swept-${conversation}`);
      const jobId = await redis.hget(keys.drains, conversation);
      if (jobId) await addDrain(conversation, jobId);
    }
  }

  return {
    async enqueue(entry) {
      // A new id per idle → busy turn: the drain that just emptied this conversation may not be
      // removed from BullMQ yet, and an add under its id would be a no-op.
      const jobId = `drain-${entry.id}-${deps.now()}-${Math.random().toString(36).slice(2, 8)}`;
      const added = await redis.jumpgateOutboxEnqueue(
        keys.list(entry.conversation),
        keys.message(entry.id),
        keys.done,
        keys.waiting,
        keys.drains,
        entry.id,
        entry.conversation,
        entry.body,
        String(deps.now()),
        jobId,
        entry.once ? '1' : '0',
        doneKey(entry.id),
        String(doneTtlMs),
      );
      if (added === 2) await addDrain(entry.conversation, jobId);
    },
    async stats() {
      const [[, depth], [, oldest]] = (await redis
        .pipeline()
        .zcard(keys.waiting)
        .zrange(keys.waiting, 0, 0, 'WITHSCORES')
        .exec()) as [[unknown, number], [unknown, string[]]];
      const enqueuedAt = oldest[1] === undefined ? undefined : Number(oldest[1]);
      return { depth, oldestAgeSeconds: enqueuedAt === undefined ? 0 : Math.max(0, deps.now() - enqueuedAt) / 1000 };
    },
    async start() {
      worker = new Worker(OUTBOX_QUEUE, (job: Job) => drain(drainJobSchema.parse(job.data).conversation), {
        connection: deps.connection,
        prefix: deps.prefix,
        concurrency: deps.concurrency ?? OUTBOX_CONCURRENCY,
        // After a Redis outage, fetch again within half a second (BullMQ's default waits 15 s).
        runRetryDelay: FETCH_RETRY_MS,
        settings: {
          backoffStrategy: (attemptsMade, _type, error) =>
            error instanceof RetryLater ? error.delayMs : outboxBackoffMs(attemptsMade, undefined, backoff),
        },
      });
      worker.on('error', (error) =>
        deps.onRedisError
          ? deps.onRedisError(error, OUTBOX_QUEUE)
          : logger.error({ err: error }, 'outbox worker error'),
      );
      await worker.waitUntilReady();
      const every = deps.sweepEveryMs ?? 5_000;
      sweepTimer = setInterval(() => {
        sweeping ??= sweep()
          .catch((error: unknown) => logger.warn({ err: error }, 'the outbox sweep failed; it runs again shortly'))
          .finally(() => (sweeping = undefined));
      }, every);
    },
    async close() {
      closing = true;
      if (sweepTimer) clearInterval(sweepTimer);
      await sweeping;
      await worker?.close();
      await queue.close();
    },
  };
}
